/**
 * Field parsers that work on the raw bytes of a CSV line, so a million-row import never
 * builds a string per field. Every parser returns NaN for text it does not accept; the
 * caller turns that into a rejected row with the line number and the offending text.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const SPACE = 32;
const QUOTE = 34;
const CR = 13;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const COLON = 58;
const ZERO = 48;
const NINE = 57;
const SLOW_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Text from a file as a quoted literal safe to print: bytes outside printable ASCII are
 * shown as \xNN (a binary file must not write control codes to a terminal), and the text is
 * cut at `max` characters.
 */
export function quoted(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  const safe = cut.replace(/[^\x20-\x7e]|["\\]/g, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
  return `"${safe}"`;
}

/** The field text as written (for messages); quotes and surrounding spaces removed. */
export function fieldText(b: Buffer, s: number, e: number): string {
  while (s < e && (b[s] === SPACE || b[s] === QUOTE)) s++;
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === QUOTE || b[e - 1] === CR)) e--;
  return b.toString('latin1', s, e);
}

/**
 * A decimal number, bit-identical to Number(text). The fast path is exact: with at most
 * 15 significant digits the mantissa and 10^k (k <= 22) are exact doubles, so one IEEE
 * division gives the correctly rounded value, the same one Number() gives. Anything else
 * (exponents, long mantissas) goes through Number() after a strict syntax check, because
 * Number() alone also accepts '', ' ', '0x1f' and 'Infinity'.
 */
export function parseNumber(b: Buffer, s: number, e: number): number {
  while (s < e && (b[s] === SPACE || b[s] === QUOTE)) s++;
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === QUOTE || b[e - 1] === CR)) e--;
  if (s === e) return NaN;
  let i = s;
  let neg = false;
  if (b[i] === MINUS) {
    neg = true;
    i++;
  } else if (b[i] === PLUS) i++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let sawDot = false;
  let sawDigit = false;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      if (m !== 0) digits++;
      if (sawDot) frac++;
      sawDigit = true;
    } else if (c === DOT && !sawDot) sawDot = true;
    else return parseNumberSlow(b, s, e);
  }
  if (!sawDigit) return NaN;
  if (digits > 15 || frac > 22) return parseNumberSlow(b, s, e);
  const v = frac === 0 ? m : m / POW10[frac]!;
  return neg ? -v : v;
}

/** Set by parseNumberField: where the field it read ends (the delimiter or the line end). */
export const fieldEnd = { at: 0 };

/**
 * parseNumber for a field that starts at `s` and runs to the next `delimiter` before `lineEnd`:
 * splitting and parsing in one pass over the bytes, the import's hot loop. The fast path
 * takes [-]digits[.digits] with at most 15 digits in all (then exact, as in parseNumber);
 * anything else (quotes, spaces, '+', exponents, junk, long mantissas) hands the whole
 * field to parseNumber.
 */
export function parseNumberField(b: Buffer, s: number, lineEnd: number, delimiter: number): number {
  let i = s;
  // -1 stands for the end of the line, so every loop below needs one bound check per byte.
  let c = i < lineEnd ? b[i]! : -1;
  if (c === QUOTE) {
    let e = b.indexOf(QUOTE, s + 1);
    e = e < 0 || e >= lineEnd ? lineEnd : e + 1;
    while (e < lineEnd && b[e] !== delimiter) e++;
    fieldEnd.at = e;
    return parseNumber(b, s, e);
  }
  const neg = c === MINUS;
  if (neg) c = ++i < lineEnd ? b[i]! : -1;
  const intStart = i;
  let m = 0;
  while (c >= ZERO && c <= NINE) {
    m = m * 10 + (c - ZERO);
    c = ++i < lineEnd ? b[i]! : -1;
  }
  let digits = i - intStart;
  let frac = 0;
  if (c === DOT) {
    c = ++i < lineEnd ? b[i]! : -1;
    const fracStart = i;
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      c = ++i < lineEnd ? b[i]! : -1;
    }
    frac = i - fracStart;
    digits += frac;
  }
  if (c !== -1 && c !== delimiter) {
    let e = i;
    while (e < lineEnd && b[e] !== delimiter) e++;
    fieldEnd.at = e;
    return parseNumber(b, s, e);
  }
  fieldEnd.at = i;
  if (digits === 0) return NaN;
  // Leading zeros count too here, so this may be exact after all; either way the syntax
  // was checked above, and Number() rounds a long mantissa correctly.
  if (digits > 15) return Number(b.toString('latin1', s, i));
  const v = frac === 0 ? m : m / POW10[frac]!;
  return neg ? -v : v;
}

function parseNumberSlow(b: Buffer, s: number, e: number): number {
  const text = b.toString('latin1', s, e);
  return SLOW_NUMBER.test(text) ? Number(text) : NaN;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function digitsAt(b: Buffer, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[i + k];
    if (c === undefined || c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/** Set by parseDateTime: whether the last parsed value carried a zone (Z or an offset). */
export const lastZone = { present: false };

/**
 * `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`, optionally followed by ` ` or `T` and a time of
 * day, optionally followed by `Z` or an offset (`+02:00`, `-0500`). Returns ms since the
 * epoch; a value without a zone is read as UTC (lastZone.present tells the caller).
 */
export function parseDateTime(b: Buffer, s: number, e: number): number {
  while (s < e && (b[s] === SPACE || b[s] === QUOTE)) s++;
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === QUOTE || b[e - 1] === CR)) e--;
  const y = digitsAt(b, s, 4);
  if (y < 0) return NaN;
  let i = s + 4;
  let mo: number;
  let d: number;
  const sep = b[i];
  if (sep === MINUS || sep === 47 /* / */) {
    mo = digitsAt(b, i + 1, 2);
    if (b[i + 3] !== sep) return NaN;
    d = digitsAt(b, i + 4, 2);
    i += 6;
  } else {
    mo = digitsAt(b, i, 2);
    d = digitsAt(b, i + 2, 2);
    i += 4;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  let ms = daysFromCivil(y, mo, d) * 86_400_000;
  lastZone.present = false;
  if (i === e) return ms;
  const c = b[i];
  if (c !== SPACE && c !== 84 /* T */) return NaN;
  i++;
  let te = i;
  while (te < e && b[te] !== 90 /* Z */ && b[te] !== PLUS && b[te] !== MINUS && b[te] !== 122 /* z */) te++;
  const tod = parseTimeOfDay(b, i, te);
  if (Number.isNaN(tod)) return NaN;
  ms += tod;
  if (te === e) return ms;
  lastZone.present = true;
  if ((b[te] === 90 || b[te] === 122) && te + 1 === e) return ms;
  const sign = b[te] === MINUS ? -1 : 1;
  const oh = digitsAt(b, te + 1, 2);
  let om = 0;
  let end = te + 3;
  if (end < e) {
    if (b[end] === COLON) end++;
    om = digitsAt(b, end, 2);
    end += 2;
  }
  if (oh < 0 || oh > 23 || om < 0 || om > 59 || end !== e) return NaN;
  return ms - sign * (oh * 3_600_000 + om * 60_000);
}

/** `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff...` as ms after midnight (fractional when the digits go below a ms). */
export function parseTimeOfDay(b: Buffer, s: number, e: number): number {
  while (s < e && (b[s] === SPACE || b[s] === QUOTE)) s++;
  while (e > s && (b[e - 1] === SPACE || b[e - 1] === QUOTE || b[e - 1] === CR)) e--;
  const h = digitsAt(b, s, 2);
  const mi = digitsAt(b, s + 3, 2);
  if (h < 0 || h > 23 || b[s + 2] !== COLON || mi < 0 || mi > 59) return NaN;
  let ms = h * 3_600_000 + mi * 60_000;
  if (s + 5 === e) return ms;
  if (b[s + 5] !== COLON) return NaN;
  const sec = digitsAt(b, s + 6, 2);
  if (sec < 0 || sec > 59) return NaN;
  ms += sec * 1000;
  let i = s + 8;
  if (i === e) return ms;
  if (b[i] !== DOT || i + 1 === e) return NaN;
  let scale = 100;
  for (i++; i < e; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) return NaN;
    ms += (c - ZERO) * scale;
    scale /= 10;
  }
  // Not rounded: digits below the millisecond make a time that is not a whole ms, which bars refuse.
  return ms;
}

const TIME_OF_DAY = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export function looksLikeTimeOfDay(text: string): boolean {
  return TIME_OF_DAY.test(text.trim());
}

/** Whole-text helpers for the header and first-row sniffing (not on the hot path). */
export function numberFromText(text: string): number {
  const b = Buffer.from(text, 'latin1');
  return parseNumber(b, 0, b.length);
}

export function dateTimeFromText(text: string): number {
  const b = Buffer.from(text, 'latin1');
  return parseDateTime(b, 0, b.length);
}
