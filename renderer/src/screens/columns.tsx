import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import { fmtMoney, fmtPct, fmtPrice, fmtQty, fmtSigned, fmtTime } from '../lib/format';
import { ledgerColor } from '../store/desk';

/** Column helpers: numbers right-aligned in tabular figures, times in UTC. */
/** Wide enough for a full UTC time at the grid's font, with its padding and a sort arrow. */
export const TIME_COL_WIDTH = 168;

/** `newestFirst` sorts the grid by this column (one sorted column per grid). */
export function timeCol<T>(field: keyof T & string, headerName = 'Time', newestFirst = false): ColDef<T> {
  return {
    field: field as unknown as ColDef<T>['field'],
    headerName,
    valueFormatter: (p: ValueFormatterParams<T>) => fmtTime(p.value as number),
    // "2023-02-07 14:05:00" in full: a time column never shares its width with the flexible ones.
    width: TIME_COL_WIDTH,
    minWidth: TIME_COL_WIDTH,
    flex: 0,
    ...(newestFirst ? { sort: 'desc' as const } : {}),
  };
}

export function numCol<T>(field: keyof T & string, headerName: string, kind: 'price' | 'qty' | 'money' | 'signed' | 'fraction' = 'price'): ColDef<T> {
  const f =
    kind === 'price' ? fmtPrice : kind === 'qty' ? fmtQty : kind === 'money' ? (v: number) => fmtMoney(v) : kind === 'fraction' ? (v: number) => fmtPct(v, 2, true) : (v: number) => fmtSigned(v);
  return {
    field: field as unknown as ColDef<T>['field'],
    headerName,
    type: 'rightAligned',
    cellClass: (p) => ['num', 'ag-right-aligned-cell', ...((kind === 'signed' || kind === 'fraction') && typeof p.value === 'number' ? [p.value > 0 ? 'up' : p.value < 0 ? 'down' : ''] : [])],
    valueFormatter: (p: ValueFormatterParams<T>) => f(p.value as number),
  };
}

export function textCol<T>(field: keyof T & string, headerName: string, extra: Partial<ColDef<T>> = {}): ColDef<T> {
  return { field: field as unknown as ColDef<T>['field'], headerName, ...extra };
}

export function sideCol<T>(field: keyof T & string = 'side' as keyof T & string): ColDef<T> {
  return {
    field: field as unknown as ColDef<T>['field'],
    headerName: 'Side',
    maxWidth: 70,
    cellClass: (p) => (p.value === 'buy' ? 'up' : 'down'),
    valueFormatter: (p: ValueFormatterParams<T>) => String(p.value ?? '').toUpperCase(),
  };
}

/** Which ledger a row belongs to, in that ledger's colour: manual, or the strategy that placed it. */
export function ledgerCol<T extends { ledger?: string | undefined }>(): ColDef<T> {
  return {
    field: 'ledger' as unknown as ColDef<T>['field'],
    headerName: 'Ledger',
    maxWidth: 140,
    cellStyle: (p) => ({ color: ledgerColor(p.value as string) }),
  };
}
