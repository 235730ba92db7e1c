import { AllCommunityModule, ModuleRegistry, colorSchemeDark, themeQuartz, type ColDef, type GetRowIdParams } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useMemo } from 'react';
import { palette } from '../theme';

ModuleRegistry.registerModules([AllCommunityModule]);

export const gridTheme = themeQuartz.withPart(colorSchemeDark).withParams({
  backgroundColor: palette.panel,
  foregroundColor: palette.text,
  headerBackgroundColor: palette.panelAlt,
  headerTextColor: palette.textDim,
  borderColor: palette.border,
  accentColor: palette.accent,
  fontFamily: 'Inter, system-ui, sans-serif',
  fontSize: 12,
  headerFontSize: 11,
  rowHeight: 24,
  headerHeight: 26,
  spacing: 4,
  wrapperBorderRadius: 0,
  oddRowBackgroundColor: '#171c24',
});

interface GridProps<T> {
  label: string;
  rows: T[];
  columns: ColDef<T>[];
  rowId: (row: T) => string;
  empty?: string;
  onRowClicked?: (row: T) => void;
  /** A CSS class for a row (the selected one, say). */
  rowClass?: (row: T) => string | undefined;
}

/** An AG Grid with Keel's theme and defaults: dense, sortable, resizable, stable row ids. */
export function Grid<T>({ label, rows, columns, rowId, empty, onRowClicked, rowClass }: GridProps<T>) {
  const defaultColDef = useMemo<ColDef<T>>(() => ({ sortable: true, resizable: true, minWidth: 60, flex: 1 }), []);
  return (
    <section className="grid" aria-label={label}>
      <AgGridReact<T>
        theme={gridTheme}
        rowData={rows}
        columnDefs={columns}
        defaultColDef={defaultColDef}
        getRowId={(p: GetRowIdParams<T>) => rowId(p.data)}
        animateRows={false}
        suppressColumnVirtualisation
        suppressCellFocus={false}
        overlayNoRowsTemplate={`<span class="dim">${empty ?? 'Nothing here yet'}</span>`}
        onRowClicked={onRowClicked ? (e) => e.data && onRowClicked(e.data) : undefined}
        getRowClass={rowClass ? (p) => (p.data ? rowClass(p.data) : undefined) : undefined}
      />
    </section>
  );
}
