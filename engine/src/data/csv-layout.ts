import { KeelError } from '../core/errors';
import { dateTimeFromText, looksLikeTimeOfDay, numberFromText, quoted } from './csv-fields';
import { EPOCH_UNIT_NAME, epochUnitOf, type EpochUnit } from './infer';

/** Where a row's time comes from. */
export type TimeSpec =
  | { kind: 'epoch'; index: number; unit: EpochUnit }
  | { kind: 'datetime'; index: number }
  | { kind: 'date+time'; dateIndex: number; timeIndex: number };

interface CommonLayout {
  delimiter: number;
  hasHeader: boolean;
  /** Fields every data row must have. */
  fieldCount: number;
  time: TimeSpec;
  /** One line saying how the file is read, e.g. "Date,Time,Open,High,Low,Close,Volume (time from Date + Time)". */
  description: string;
  notes: string[];
}

export interface BarLayout extends CommonLayout {
  open: number;
  high: number;
  low: number;
  close: number;
  /** -1 when the file has no volume column (volume is then 0). */
  volume: number;
  adjClose: number;
}

export interface TradeLayout extends CommonLayout {
  price: number;
  amount: number;
  side: number;
  id: number;
}

const DELIMITERS = [',', ';', '\t', '|'];
const TIME_NAMES = ['timestamp', 'ts', 'datetime', 'date', 'time', 'opentime', 'unix', 'unixtime'];

function normalise(name: string): string {
  return name.trim().replace(/^"|"$/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

function pickDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const n = line.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

function isDataValue(text: string): boolean {
  const t = text.trim().replace(/^"|"$/g, '');
  return t !== '' && (!Number.isNaN(numberFromText(t)) || !Number.isNaN(dateTimeFromText(t)));
}

interface Sniffed {
  delimiter: string;
  header: string[] | undefined;
  rows: string[][];
  /** Line number of rows[0]. */
  firstDataLine: number;
}

/** Splits the head of a file into header and the first data rows. */
function sniff(head: string[]): Sniffed {
  const nonBlank = head.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim() !== '');
  if (nonBlank.length === 0) throw new KeelError('BAD_FILE', 'the file is empty');
  const delimiter = pickDelimiter(nonBlank[0]!.text);
  const split = (t: string) => t.split(delimiter).map((f) => f.trim().replace(/^"|"$/g, ''));
  const first = split(nonBlank[0]!.text);
  const hasHeader = !first.every(isDataValue);
  const dataLines = hasHeader ? nonBlank.slice(1) : nonBlank;
  return {
    delimiter,
    header: hasHeader ? first : undefined,
    rows: dataLines.map((l) => split(l.text)),
    firstDataLine: dataLines[0]?.line ?? (hasHeader ? 2 : 1),
  };
}

/**
 * Fixes the backtrader-style file whose header names `Date,Open,...` while every row carries
 * the date and the time of day as two fields. Only when the field after the date really is a
 * time of day in the sampled rows; any other mismatch is left for the row check to refuse.
 */
function restoreMissingTime(s: Sniffed, notes: string[]): string[] | undefined {
  const header = s.header!;
  const names = header.map(normalise);
  const dateIndex = names.indexOf('date');
  const row = s.rows[0];
  if (!row || row.length !== header.length + 1 || dateIndex < 0 || names.includes('time')) return undefined;
  const sample = s.rows.slice(0, 20).filter((r) => r.length === header.length + 1);
  if (!sample.every((r) => looksLikeTimeOfDay(r[dateIndex + 1]!))) return undefined;
  notes.push(
    `the header names ${header.length} columns but the rows have ${header.length + 1}: field ${dateIndex + 2} of every row ` +
      `is a time of day (e.g. ${row[dateIndex + 1]}), so the header is missing "Time"; read as ` +
      `${[...header.slice(0, dateIndex + 1), 'Time', ...header.slice(dateIndex + 1)].join(',')}`,
  );
  return [...header.slice(0, dateIndex + 1), 'Time', ...header.slice(dateIndex + 1)];
}

/**
 * The header as text for a refusal, kept out of the message: a file that is not recognised
 * as market data may be anything (a key file, /etc/passwd), and the engine's callers must not
 * be able to read it through an error. The CLI, whose user named the file, prints it.
 */
function headerDetail(columns: string[]): { fileText: string } {
  return { fileText: quoted(columns.join(','), 200) };
}

function fields(n: number): string {
  return `${n} field${n === 1 ? '' : 's'}`;
}

/** A column the layout reads must be named once: two `close` columns leave no way to tell which holds the closes. */
function refuseRepeats(columns: string[], names: string[], read: string[], where: string): void {
  for (const name of read) {
    const at = names.flatMap((n, i) => (n === name ? [i + 1] : []));
    if (at.length > 1) {
      throw new KeelError('BAD_FILE', `column ${quoted(columns[at[0]! - 1]!)} appears ${at.length} times (columns ${at.join(' and ')}); refusing rather than guessing which one to read`, { where });
    }
  }
}

function detectTime(columns: string[], rows: string[][], where: string, notes: string[]): TimeSpec {
  const names = columns.map(normalise);
  const dateIndex = names.indexOf('date');
  const timeIndex = names.indexOf('time');
  if (dateIndex >= 0 && timeIndex >= 0) {
    notes.push('timestamps have no time zone; read as UTC');
    return { kind: 'date+time', dateIndex, timeIndex };
  }
  const index = TIME_NAMES.map((n) => names.indexOf(n)).find((i) => i >= 0);
  if (index === undefined) {
    throw new KeelError('BAD_FILE', `no time column: expected one of timestamp, date, datetime, time among the header's ${fields(columns.length)}`, { where, details: headerDetail(columns) });
  }
  if (rows.length === 0) throw new KeelError('BAD_FILE', 'no rows: the file has a header line and nothing after it', { where });
  const values = rows.map((r) => r[index] ?? '').filter((v) => v !== '');
  if (values.length === 0) throw new KeelError('BAD_FILE', `the time column ${quoted(columns[index]!)} is empty in the first ${rows.length} rows`, { where });
  const sample = values.find((v) => !Number.isNaN(numberFromText(v)) || !Number.isNaN(dateTimeFromText(v)));
  if (sample === undefined) {
    throw new KeelError('BAD_FILE', `cannot read the times in column ${quoted(columns[index]!)} (first value ${quoted(values[0]!)})`, { where });
  }
  const asEpoch = /^[+-]?\d+(\.\d+)?$/.test(sample) && !(names[index] === 'date' && /^\d{8}$/.test(sample));
  if (asEpoch) {
    const unit = epochUnitOf(numberFromText(sample));
    if (!unit) throw new KeelError('BAD_FILE', `${quoted(sample)} in column ${quoted(columns[index]!)} is too large for epoch seconds, ms or µs`, { where });
    notes.push(`column "${columns[index]}" holds ${EPOCH_UNIT_NAME[unit]} (from the size of ${sample}), UTC by definition`);
    return { kind: 'epoch', index, unit };
  }
  const zoned = /([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(sample) && sample.length > 10;
  if (!zoned) notes.push('timestamps have no time zone; read as UTC');
  return { kind: 'datetime', index };
}

function describe(columns: string[], time: TimeSpec): string {
  const how =
    time.kind === 'epoch' ? `time from ${columns[time.index]} (${EPOCH_UNIT_NAME[time.unit]})`
    : time.kind === 'datetime' ? `time from ${columns[time.index]}`
    : `time from ${columns[time.dateIndex]} + ${columns[time.timeIndex]}`;
  return `${columns.join(',')} (${how})`;
}

export function detectBarLayout(head: string[], path: string): BarLayout {
  const s = sniff(head);
  const where = `${path}:1`;
  if (!s.header) {
    const hint = s.rows[0]?.length === 3 ? ' It looks like raw trades (time, price, volume): import with --trades.' : '';
    throw new KeelError('BAD_FILE', `no header row; bar files need one such as timestamp,open,high,low,close,volume.${hint}`, { where });
  }
  const notes: string[] = [];
  const columns = restoreMissingTime(s, notes) ?? s.header;
  const names = columns.map(normalise);
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const open = find('open');
  const high = find('high');
  const low = find('low');
  const close = find('close');
  const missing = (['open', 'high', 'low', 'close'] as const).filter((_, i) => [open, high, low, close][i]! < 0);
  if (missing.length > 0) {
    const hint = names.includes('price') ? ' It looks like a trades file: import with --trades.' : '';
    throw new KeelError('BAD_FILE', `no ${missing.join(', ')} column among the header's ${fields(columns.length)}.${hint}`, { where, details: headerDetail(columns) });
  }
  refuseRepeats(columns, names, ['open', 'high', 'low', 'close', 'volume', 'vol', 'adjclose', ...TIME_NAMES], where);
  const time = detectTime(columns, s.rows, `${path}:${s.firstDataLine}`, notes);
  const volume = find('volume', 'vol');
  const adjClose = find('adjclose');
  if (volume < 0) notes.push('no volume column: volume is 0');
  if (adjClose >= 0) notes.push(`OHLC uses ${columns[close]}, so open/high/low/close stay consistent; ${columns[adjClose]} is kept beside it (adj_close) and not used for bars`);
  const used = new Set([open, high, low, close, volume, adjClose, ...timeIndexes(time)]);
  const ignored = columns.filter((_, i) => !used.has(i));
  if (ignored.length > 0) notes.push(`ignored columns: ${ignored.join(', ')}`);
  return {
    delimiter: s.delimiter.charCodeAt(0),
    hasHeader: true,
    fieldCount: columns.length,
    time,
    description: describe(columns, time),
    notes,
    open,
    high,
    low,
    close,
    volume,
    adjClose,
  };
}

export function detectTradeLayout(head: string[], path: string): TradeLayout {
  const s = sniff(head);
  const notes: string[] = [];
  if (!s.header) {
    const width = s.rows[0]?.length ?? 0;
    if (width !== 3) {
      throw new KeelError('BAD_FILE', `no header row and ${width} fields; headerless trade files must be time,price,volume (Kraken's layout)`, { where: `${path}:1` });
    }
    const columns = ['time', 'price', 'volume'];
    const time = detectTime(columns, s.rows, `${path}:${s.firstDataLine}`, notes);
    notes.unshift('no header: read as Kraken raw trades (time, price, volume)');
    return { delimiter: s.delimiter.charCodeAt(0), hasHeader: false, fieldCount: 3, time, description: describe(columns, time), notes, price: 1, amount: 2, side: -1, id: -1 };
  }
  const columns = s.header;
  const names = columns.map(normalise);
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const price = find('price');
  const amount = find('amount', 'volume', 'qty', 'quantity', 'size');
  const where = `${path}:1`;
  if (price < 0 || amount < 0) {
    const hint = names.includes('open') ? ' It looks like a bar file: import without --trades.' : '';
    throw new KeelError('BAD_FILE', `trade files need price and amount columns; none among the header's ${fields(columns.length)}.${hint}`, { where, details: headerDetail(columns) });
  }
  refuseRepeats(columns, names, ['price', 'amount', 'volume', 'qty', 'quantity', 'size', 'side', 'takerside', 'id', 'tradeid', ...TIME_NAMES], where);
  const time = detectTime(columns, s.rows, `${path}:${s.firstDataLine}`, notes);
  const side = find('side', 'takerside');
  const id = find('id', 'tradeid');
  if (id < 0) notes.push('no trade id column: a trade is identified by time, price, amount and its order among equal trades');
  const used = new Set([price, amount, side, id, ...timeIndexes(time)]);
  const ignored = columns.filter((_, i) => !used.has(i));
  if (ignored.length > 0) notes.push(`ignored columns: ${ignored.join(', ')}`);
  return { delimiter: s.delimiter.charCodeAt(0), hasHeader: true, fieldCount: columns.length, time, description: describe(columns, time), notes, price, amount, side, id };
}

function timeIndexes(t: TimeSpec): number[] {
  return t.kind === 'date+time' ? [t.dateIndex, t.timeIndex] : [t.index];
}
