import { KeelError } from '../../core/errors';
import { timeframeFromMs } from '../../core/timeframe';

/**
 * A strict reader for backtest equity curves, `timestamp,equity` as `keel backtest` writes it
 * (timestamp in ms since the epoch, UTC), on text: the caller reads the file, so this stays
 * free of node:*. (Bar files go through the data layer's loadBarFile.) Columns are found by
 * name in the header, so extra columns are allowed; every row must have as many fields as the
 * header. Anything malformed stops the read with the line at fault.
 */

interface Table {
  header: string[];
  rows: { line: number; fields: string[] }[];
}

function readTable(text: string, where: string, required: readonly string[]): Table & { col: Record<string, number> } {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw bad('the file is empty', where);
  const header = lines[0]!.replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const name of required) {
    const i = header.indexOf(name);
    if (i < 0) throw bad(`header has no "${name}" column (expected ${required.join(',')}; got ${lines[0]})`, `${where}:1`);
    col[name] = i;
  }
  const rows = lines.slice(1).map((l, i) => {
    const fields = l.split(',');
    if (fields.length !== header.length) throw bad(`${fields.length} fields, header has ${header.length}`, `${where}:${i + 2}`);
    return { line: i + 2, fields };
  });
  if (rows.length === 0) throw bad('the file has a header but no rows', where);
  return { header, rows, col };
}

function bad(message: string, where: string): KeelError {
  return new KeelError('BAD_FILE', message, { where });
}

// Plain decimal or exponent notation only: Number() would also take "0x1F", "" and " ".
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function num(field: string, name: string, at: string): number {
  const t = field.trim();
  const v = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) throw bad(`${name} "${field}" is not a number`, at);
  return v;
}

function timestamp(field: string, at: string, prev: number | undefined): number {
  const t = num(field, 'timestamp', at);
  if (!Number.isInteger(t)) throw bad(`timestamp ${field} is not a whole number of milliseconds`, at);
  // 1e11 ms is March 1973: anything earlier is almost surely seconds, not milliseconds.
  if (t < 1e11) throw bad(`timestamp ${field} looks like seconds; this layout wants milliseconds since the epoch`, at);
  if (prev !== undefined && t <= prev) throw bad(`timestamp ${t} does not come after ${prev}: rows must be in strictly increasing time order, without duplicates`, at);
  return t;
}

export interface EquityCurve {
  ts: Float64Array;
  equity: Float64Array;
  /** The most common spacing between rows, as a timeframe ('' for a single row). */
  timeframe: string;
}

/** Parses `timestamp,equity`. Equity must stay > 0: returns of an account at or below zero mean nothing. */
export function parseEquityCsv(text: string, where = 'equity'): EquityCurve {
  const { rows, col } = readTable(text, where, ['timestamp', 'equity']);
  const out: EquityCurve = { ts: new Float64Array(rows.length), equity: new Float64Array(rows.length), timeframe: '' };
  let prev: number | undefined;
  rows.forEach(({ line, fields }, i) => {
    const at = `${where}:${line}`;
    const ts = timestamp(fields[col.timestamp!]!, at, prev);
    const e = num(fields[col.equity!]!, 'equity', at);
    if (e <= 0) throw bad(`equity ${e} is not > 0`, at);
    out.ts[i] = ts;
    out.equity[i] = e;
    prev = ts;
  });
  if (rows.length > 1) out.timeframe = timeframeFromMs(modalSpacing(out.ts));
  return out;
}

function modalSpacing(ts: Float64Array): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}
