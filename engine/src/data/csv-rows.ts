import { KeelError } from '../core/errors';
import { fieldEnd, fieldText, parseDateTime, parseNumberField, parseTimeOfDay, quoted } from './csv-fields';
import type { TimeSpec } from './csv-layout';
import { epochToMs } from './infer';
import type { LineHandler } from './line-reader';

const CR = 13;
const QUOTE = 34;
/** 1900-01-01 and 2200-01-01: a time outside is a unit or format mistake, not market data. */
const MIN_TS = -2_208_988_800_000;
const MAX_TS = 7_258_118_400_000;

/**
 * The current line's fields: bounds of every field, and the value of each field the layout
 * reads as a number (NaN when it is not one), filled by splitFields.
 */
export class LineFields {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly value: Float64Array;
  count = 0;

  constructor(
    capacity: number,
    /** numeric[i] = 1 when field i is read as a number. */
    readonly numeric: Uint8Array,
  ) {
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
  }
}

/** Splits [start, end) at `delimiter`, honouring double quotes around a field, parsing numeric fields on the way. Returns the field count. */
export function splitFields(buf: Buffer, start: number, end: number, delimiter: number, f: LineFields): number {
  let n = 0;
  let pos = start;
  const cap = f.start.length;
  const numeric = f.numeric;
  for (;;) {
    let e: number;
    if (n < cap && numeric[n] === 1) {
      f.value[n] = parseNumberField(buf, pos, end, delimiter);
      e = fieldEnd.at;
    } else {
      e = pos;
      if (buf[pos] === QUOTE) {
        const q = buf.indexOf(QUOTE, pos + 1);
        e = q < 0 || q >= end ? end : q + 1;
      }
      while (e < end && buf[e] !== delimiter) e++;
    }
    if (n < cap) {
      f.start[n] = pos;
      f.end[n] = e;
    }
    n++;
    if (e >= end) break;
    pos = e + 1;
  }
  f.count = n;
  return n;
}

/** The numeric mask for a layout: which field indexes hold numbers (an epoch time is one). */
export function numericMask(fieldCount: number, time: TimeSpec, numberFields: number[]): Uint8Array {
  const mask = new Uint8Array(fieldCount + 1);
  for (const i of numberFields) if (i >= 0) mask[i] = 1;
  if (time.kind === 'epoch') mask[time.index] = 1;
  return mask;
}

/**
 * Reads a row's time per the layout, in ms; NaN when unreadable or implausible. Not rounded:
 * a time with digits below the millisecond comes back fractional, for the reader to refuse
 * (bars) or round (trades, which are not keyed by time).
 */
export function readTime(buf: Buffer, f: LineFields, t: TimeSpec): number {
  let ts: number;
  if (t.kind === 'epoch') {
    ts = epochToMs(f.value[t.index]!, t.unit);
  } else if (t.kind === 'datetime') {
    ts = parseDateTime(buf, f.start[t.index]!, f.end[t.index]!);
  } else {
    ts = parseDateTime(buf, f.start[t.dateIndex]!, f.end[t.dateIndex]!) + parseTimeOfDay(buf, f.start[t.timeIndex]!, f.end[t.timeIndex]!);
  }
  return ts >= MIN_TS && ts < MAX_TS ? ts : NaN;
}

/** The time as written, quoted and escaped for a message. */
export function timeText(buf: Buffer, f: LineFields, t: TimeSpec): string {
  if (t.kind === 'date+time') return quoted(`${fieldText(buf, f.start[t.dateIndex]!, f.end[t.dateIndex]!)} ${fieldText(buf, f.start[t.timeIndex]!, f.end[t.timeIndex]!)}`);
  return quoted(fieldText(buf, f.start[t.index]!, f.end[t.index]!));
}

export function describeBadNumber(buf: Buffer, f: LineFields, index: number, name: string): string {
  const text = fieldText(buf, f.start[index]!, f.end[index]!);
  return text === '' ? `${name} is empty` : `${name} is not a number: ${quoted(text)}`;
}

/**
 * The per-line frame shared by the bar and trade readers: skips blank lines and the header,
 * splits fields, and refuses the file at the first row whose field count differs from the
 * layout's, because a shifted column would otherwise be read as the wrong field.
 */
export function rowHandler(
  path: string,
  layout: { delimiter: number; hasHeader: boolean; fieldCount: number },
  columnsText: string,
  numeric: Uint8Array,
  onRow: (buf: Buffer, f: LineFields, line: number) => void,
): LineHandler {
  const fields = new LineFields(layout.fieldCount + 1, numeric);
  let headerPending = layout.hasHeader;
  return (buf, start, end, line) => {
    if (end > start && buf[end - 1] === CR) end--;
    if (start === end) return;
    if (headerPending) {
      headerPending = false;
      return;
    }
    const n = splitFields(buf, start, end, layout.delimiter, fields);
    if (n !== layout.fieldCount) {
      throw new KeelError('BAD_FILE', `row has ${n} fields but the layout has ${layout.fieldCount} (${columnsText}); refusing the file rather than guessing which column is which`, {
        where: `${path}:${line}`,
        details: { line, fields: n, expected: layout.fieldCount },
      });
    }
    onRow(buf, fields, line);
  };
}
