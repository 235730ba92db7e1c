import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import { fmtMoney, fmtPrice, fmtQty, fmtSigned, fmtTime } from '../lib/format';

/** Column helpers: numbers right-aligned in tabular figures, times in UTC. */
export function timeCol<T>(field: keyof T & string, headerName = 'Time'): ColDef<T> {
  return { field: field as unknown as ColDef<T>['field'], headerName, valueFormatter: (p: ValueFormatterParams<T>) => fmtTime(p.value as number), minWidth: 140, sort: 'desc' };
}

export function numCol<T>(field: keyof T & string, headerName: string, kind: 'price' | 'qty' | 'money' | 'signed' = 'price'): ColDef<T> {
  const f = kind === 'price' ? fmtPrice : kind === 'qty' ? fmtQty : kind === 'money' ? (v: number) => fmtMoney(v) : (v: number) => fmtSigned(v);
  return {
    field: field as unknown as ColDef<T>['field'],
    headerName,
    type: 'rightAligned',
    cellClass: (p) => ['num', ...(kind === 'signed' && typeof p.value === 'number' ? [p.value > 0 ? 'up' : p.value < 0 ? 'down' : ''] : [])],
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
