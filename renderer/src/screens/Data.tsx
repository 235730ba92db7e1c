import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { DatasetInfo, ImportReportDto, QualityReportDto } from '../../../engine/protocol';
import { Grid } from '../components/Grid';
import { fmtTime } from '../lib/format';
import { useData } from '../store/data';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText, refreshDatasets } from '../store/wire';
import { numCol, textCol } from './columns';
import { DownloadPanel } from './DownloadPanel';
import { QualityReportView } from './QualityReport';

/** Files larger than this are better imported by path (Electron dialog or `keel import`). */
const MAX_TEXT_IMPORT_BYTES = 200 * 1024 * 1024;

let handledImportRequests = 0;

async function importWith(name: string, run: () => Promise<ImportReportDto>): Promise<void> {
  const d = useData.getState();
  d.startImport(name);
  try {
    const report = await run();
    d.finishImport(report);
    await refreshDatasets();
  } catch (e) {
    d.failImport(errorText(e));
  }
}

async function importFiles(files: FileList | File[], overrides: { symbol?: string; timeframe?: string; snap?: boolean }): Promise<void> {
  for (const file of Array.from(files)) {
    if (file.size > MAX_TEXT_IMPORT_BYTES) {
      useData.getState().failImport(`${file.name} is ${Math.round(file.size / 1e6)} MB; import files this large with \`keel import\``);
      continue;
    }
    await importWith(file.name, async () => client().call('data.importText', { name: file.name, content: await file.text(), ...overrides }, { timeoutMs: 300_000 }));
  }
}

function ImportReport({ r }: { r: ImportReportDto }) {
  const ok = r.rejected.length === 0;
  return (
    <section className={`report ${ok ? 'report-ok' : 'report-warn'}`} aria-label={`Import report ${r.file}`}>
      <h3>
        {r.file} → {r.symbol} {r.timeframe} {r.alreadyImported && <span className="dim">(already imported)</span>}
      </h3>
      <p className="small dim">Layout: {r.layout}</p>
      <dl className="report-stats">
        <dt>Rows read</dt>
        <dd className="num">{r.rowsRead.toLocaleString('en-US')}</dd>
        <dt>Rows stored</dt>
        <dd className="num">{r.rowsStored.toLocaleString('en-US')}</dd>
        <dt>Duplicates merged</dt>
        <dd className="num">{r.duplicatesMerged}</dd>
        <dt>Gaps</dt>
        <dd className="num">{r.gaps}</dd>
        <dt>Rejected</dt>
        <dd className={`num ${ok ? '' : 'down'}`}>{r.rejected.length}</dd>
      </dl>
      {r.notes.length > 0 && (
        <ul className="notes small">
          {r.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {r.rejected.length > 0 && (
        <table className="rejected" aria-label="Rejected rows">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.rejected.slice(0, 200).map((x, i) => (
              <tr key={i}>
                <td className="num">{x.line}</td>
                <td>{x.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.rejected.length > 200 && <p className="dim small">…and {r.rejected.length - 200} more</p>}
    </section>
  );
}

export function Data() {
  const datasets = useMarket((s) => s.datasets);
  const select = useMarket((s) => s.select);
  const setScreen = useUi((s) => s.setScreen);
  const notify = useUi((s) => s.notify);
  const { importing, progress, reports, error, lastExport } = useData();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [symbol, setSymbol] = useState('');
  const [timeframe, setTimeframe] = useState('');
  const [snap, setSnap] = useState(false);
  const [format, setFormat] = useState<'csv' | 'parquet'>('csv');
  const [quality, setQuality] = useState<QualityReportDto | undefined>();
  const showQuality = async (d: DatasetInfo) => {
    try {
      setQuality(await client().call('data.quality', { symbol: d.symbol, timeframe: d.timeframe }, { timeoutMs: 120_000 }));
    } catch (e) {
      notify('error', `Quality: ${errorText(e)}`);
    }
  };
  // Snapping needs the grid: only with a timeframe given.
  const overrides = {
    ...(symbol.trim() ? { symbol: symbol.trim() } : {}),
    ...(timeframe.trim() ? { timeframe: timeframe.trim(), ...(snap ? { snap: true } : {}) } : {}),
  };

  const chooseFile = async () => {
    const dialog = window.keel?.openFileDialog;
    if (dialog) {
      const path = await dialog({ title: 'Import market data' });
      if (path) await importWith(path.split(/[\\/]/).pop() ?? path, () => client().call('data.importFile', { path, ...overrides }, { timeoutMs: 300_000 }));
      return;
    }
    input.current?.click();
  };

  const importRequests = useUi((s) => s.importRequests);
  useEffect(() => {
    // module-level: the request that mounted this screen still counts
    if (importRequests === handledImportRequests) return;
    handledImportRequests = importRequests;
    void chooseFile();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [importRequests]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) void importFiles(e.dataTransfer.files, overrides);
  };

  const exportDataset = async (d: DatasetInfo) => {
    const base = { symbol: d.symbol, timeframe: d.timeframe, format };
    const run = (p: { path?: string; overwrite?: boolean }) => client().call('data.export', { ...base, ...p }, { timeoutMs: 300_000 });
    try {
      let r: { path: string; rows: number };
      const dialog = window.keel?.saveFileDialog;
      if (dialog) {
        // Electron: the trader picks the file; main grants the engine that one path (the dialog asks before replacing).
        const path = await dialog({ title: 'Export dataset', defaultName: `${d.symbol.replace(/[^A-Za-z0-9]+/g, '-')}-${d.timeframe}.${format}` });
        if (!path) return;
        r = await run({ path });
      } else {
        // Headless: the engine writes into its exports folder and never replaces a file unasked.
        try {
          r = await run({});
        } catch (e) {
          if ((e as { where?: string }).where !== 'overwrite' || !window.confirm(`An export of ${d.symbol} ${d.timeframe} (${format}) is already in the exports folder. Replace it?`)) throw e;
          r = await run({ overwrite: true });
        }
      }
      useData.getState().setExport(r);
      notify('ok', `Exported ${r.rows} rows to ${r.path}`);
    } catch (e) {
      notify('error', `Export: ${errorText(e)}`);
    }
  };

  const cols = useMemo<ColDef<DatasetInfo>[]>(
    () => [
      textCol<DatasetInfo>('symbol', 'Symbol', { minWidth: 150 }),
      textCol<DatasetInfo>('timeframe', 'TF', { minWidth: 56, maxWidth: 70 }),
      { field: 'from', headerName: 'From', valueFormatter: (p) => fmtTime(p.value as number), minWidth: 140 },
      { field: 'to', headerName: 'To', valueFormatter: (p) => fmtTime(p.value as number), minWidth: 140 },
      numCol<DatasetInfo>('rows', 'Rows', 'qty'),
      { ...numCol<DatasetInfo>('gaps', 'Gaps', 'qty'), cellClass: (p) => ['num', 'ag-right-aligned-cell', (p.value as number) > 0 ? 'warn' : ''] },
      {
        headerName: '',
        colId: 'actions',
        sortable: false,
        minWidth: 210,
        cellRenderer: (p: { data?: DatasetInfo }) =>
          p.data ? (
            <span className="cell-actions">
              <button
                className="cell-btn"
                aria-label={`Chart ${p.data.symbol} ${p.data.timeframe}`}
                onClick={() => {
                  select(p.data!.symbol, p.data!.timeframe);
                  setScreen('markets');
                }}
              >
                Chart
              </button>
              <button className="cell-btn" aria-label={`Export ${p.data.symbol} ${p.data.timeframe}`} onClick={() => void exportDataset(p.data!)}>
                Export
              </button>
              <button className="cell-btn" aria-label={`Quality ${p.data.symbol} ${p.data.timeframe}`} onClick={() => void showQuality(p.data!)}>
                Quality
              </button>
            </span>
          ) : null,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [format],
  );

  const pct = progress && progress.total > 0 ? (progress.done / progress.total) * 100 : undefined;
  return (
    <div className="data-screen">
      <div className="panel pad">
        <h2>Datasets</h2>
        <div className="row">
          <label className="inline">
            Export format
            <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'parquet')}>
              <option value="csv">CSV</option>
              <option value="parquet">Parquet</option>
            </select>
          </label>
          {lastExport && (
            <span className="dim small">
              Last export: {lastExport.rows} rows → {lastExport.path}
            </span>
          )}
        </div>
        <div className="datasets-grid">
          <Grid label="Datasets" rows={datasets} columns={cols} rowId={(d) => `${d.symbol}|${d.timeframe}`} empty="No data yet: import a file" />
        </div>
        {quality && <QualityReportView r={quality} />}
      </div>
      <div className="data-side">
      <DownloadPanel />
      <div className="panel pad import-panel">
        <h2>Import</h2>
        <div className="form-grid">
          <label>
            Symbol (optional)
            <input value={symbol} placeholder="from file name" onChange={(e) => setSymbol(e.target.value)} />
          </label>
          <label>
            Timeframe (optional)
            <input value={timeframe} placeholder="detected" onChange={(e) => setTimeframe(e.target.value)} />
          </label>
          <label className="check" title="A bar whose time is off the timeframe's grid is rejected unless snapped onto it (needs a timeframe)">
            <input type="checkbox" checked={snap} disabled={!timeframe.trim()} onChange={(e) => setSnap(e.target.checked)} />
            Snap bar times to the timeframe's grid
          </label>
        </div>
        <div
          className={`dropzone ${over ? 'over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          <p>Drop CSV files here, or</p>
          <button type="button" className="primary" onClick={() => void chooseFile()} disabled={Boolean(importing)}>
            Import file…
          </button>
          <input
            ref={input}
            type="file"
            accept=".csv,.txt,.parquet,text/csv"
            multiple
            hidden
            aria-label="Data file"
            onChange={(e) => {
              if (e.target.files?.length) void importFiles(e.target.files, overrides);
              e.target.value = '';
            }}
          />
        </div>
        {importing && (
          <div className="progress-row" aria-live="polite">
            <div className="progress" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct === undefined ? undefined : Math.round(pct)}>
              <div className={`progress-fill ${pct === undefined ? 'indeterminate' : ''}`} style={{ width: `${pct ?? 100}%` }} />
            </div>
            <span className="small">
              Importing {importing}…{progress && progress.total === 0 && progress.done > 0 ? ` ${progress.done.toLocaleString('en-US')} rows read` : ''}
            </span>
          </div>
        )}
        {error && (
          <p className="down" role="alert">
            Import failed: {error}
          </p>
        )}
        <div className="reports">
          {reports.map((r, i) => (
            <ImportReport key={`${r.file}-${i}`} r={r} />
          ))}
        </div>
      </div>
      </div>
    </div>
  );
}
