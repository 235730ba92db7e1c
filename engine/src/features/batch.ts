/**
 * Batch indicators over whole columns. Each returns new Float64Array(s) as long as its input,
 * NaN where the value is not defined (warm-up, after a non-finite input, 0/0). Each also
 * takes an optional `out` to write into instead: a caller that recomputes over the same
 * length (optimisation runs, chart refreshes) then allocates nothing, which matters because
 * touching a fresh 80 MB array costs more than the indicator itself.
 *
 * The arithmetic is TTR's, operation for operation, where that is sound (EMA family: the
 * seed is a sum of x/n terms, the step is x*a + prev*(1-a)), so EMA, RSI, ATR and MACD equal
 * R's to the last bit. Rolling sums (SMA, Bollinger, z-score, volatility) are kept relative
 * to a shift value taken from the window and re-added every few hundred bars, so they stay
 * exact over millions of bars where TTR's plain running sum drifts.
 *
 * A non-finite input restarts the indicator: the output is NaN there and through a fresh
 * warm-up, exactly as if the series began after it (see docs/indicators.md).
 *
 * streaming.ts repeats every loop below for one bar at a time with the same operations in
 * the same order; the tests hold the two to bitwise equality.
 */
import { checkFinite, checkMacdPeriods, checkPeriod, checkSameLength, outputArray, resumEvery } from './params';

export interface MacdOutput {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

export interface BollingerOutput {
  lower: Float64Array;
  middle: Float64Array;
  upper: Float64Array;
}

export interface DonchianOutput {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

/**
 * Warm-up shared by the windowed loops: writes NaN from `i` until a run of n finite values
 * ends, and returns the index where it ends (the first full window), or len.
 */
function warmUp(x: Float64Array, n: number, i: number, len: number, out: Float64Array, out2?: Float64Array, out3?: Float64Array): number {
  let run = 0;
  for (; i < len; i++) {
    const v = x[i]!;
    if (v - v !== 0) run = 0;
    else if (++run === n) return i;
    out[i] = NaN;
    if (out2) out2[i] = NaN;
    if (out3) out3[i] = NaN;
  }
  return len;
}

/**
 * Simple moving average of the last n values, first defined at index n-1. The window sum is
 * kept relative to a shift (the newest value at the last re-summation) and re-added from the
 * window every resumEvery(n) bars; in between it slides one add and one subtract per bar.
 */
export function sma(x: Float64Array, n: number, into?: Float64Array): Float64Array {
  checkPeriod(n, 'sma.n');
  const len = x.length;
  const out = outputArray(into, len, 'sma.out', x);
  const every = resumEvery(n);
  let i = warmUp(x, n, 0, len, out);
  while (i < len) {
    const k = x[i]!;
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += x[j]! - k;
    out[i] = k + s / n;
    const stop = i + every < len ? i + every : len;
    for (i++; i < stop; i++) {
      const v = x[i]!;
      if (v - v !== 0) break;
      s += v - k - (x[i - n]! - k);
      out[i] = k + s / n;
    }
    if (i < len && x[i]! - x[i]! !== 0) i = warmUp(x, n, i, len, out);
  }
  return out;
}

/** EMA with ratio 2/(n+1), seeded with the mean of its first n inputs (TTR's EMA). */
export function ema(x: Float64Array, n: number, into?: Float64Array): Float64Array {
  checkPeriod(n, 'ema.n');
  return emaKernel(x, n, 2 / (n + 1), outputArray(into, x.length, 'ema.out', x));
}

function emaKernel(x: Float64Array, n: number, a: number, out: Float64Array): Float64Array {
  const len = x.length;
  const b = 1 - a;
  let i = 0;
  while (i < len) {
    // Warm-up: seed with the mean of the next n finite values (a non-finite one restarts it).
    let seed = 0;
    let run = 0;
    for (; i < len && run < n; i++) {
      const v = x[i]!;
      if (v - v !== 0) {
        seed = 0;
        run = 0;
        out[i] = NaN;
        continue;
      }
      seed += v / n;
      out[i] = ++run < n ? NaN : seed;
    }
    if (run < n) break;
    // Steady state, kept tight: it is most of the series. A non-finite value goes back to warm-up.
    let prev = seed;
    for (; i < len; i++) {
      const v = x[i]!;
      if (v - v !== 0) break;
      prev = v * a + prev * b;
      out[i] = prev;
    }
  }
  return out;
}

/**
 * Wilder's RSI: average gain and loss of close-to-close changes, each seeded with the mean
 * of the first n changes and smoothed with alpha 1/n. First defined at index n.
 * 100 when there were no losses, 0 when there were no gains, NaN when neither (TTR).
 */
export function rsi(close: Float64Array, n = 14, into?: Float64Array): Float64Array {
  checkPeriod(n, 'rsi.n');
  const len = close.length;
  const out = outputArray(into, len, 'rsi.out', close);
  const a = 1 / n;
  const b = 1 - a;
  let hasPrev = false;
  let prevClose = 0;
  let run = 0;
  let up = 0;
  let dn = 0;
  for (let i = 0; i < len; i++) {
    const c = close[i]!;
    if (c - c !== 0) {
      hasPrev = false;
      run = 0;
      up = 0;
      dn = 0;
      out[i] = NaN;
      continue;
    }
    if (!hasPrev) {
      hasPrev = true;
      prevClose = c;
      out[i] = NaN;
      continue;
    }
    const d = c - prevClose;
    prevClose = c;
    const gain = d < 0 ? 0 : d;
    const loss = d < 0 ? -d : 0;
    if (run < n) {
      up += gain / n;
      dn += loss / n;
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
    } else {
      up = gain * a + up * b;
      dn = loss * a + dn * b;
    }
    out[i] = (100 * up) / (up + dn);
  }
  return out;
}

/**
 * Wilder's ATR: true range max(high, prevClose) - min(low, prevClose), seeded with the mean
 * of the first n true ranges and smoothed with alpha 1/n. The first bar has no previous
 * close, so ATR(n) is first defined at index n.
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, n = 14, into?: Float64Array): Float64Array {
  checkPeriod(n, 'atr.n');
  const len = checkSameLength('atr', high, low, close);
  const out = outputArray(into, len, 'atr.out', high, low, close);
  const a = 1 / n;
  const b = 1 - a;
  let hasPrev = false;
  let prevClose = 0;
  let run = 0;
  let avg = 0;
  for (let i = 0; i < len; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    if (h - h + (l - l) + (c - c) !== 0) {
      hasPrev = false;
      run = 0;
      avg = 0;
      out[i] = NaN;
      continue;
    }
    if (!hasPrev) {
      hasPrev = true;
      prevClose = c;
      out[i] = NaN;
      continue;
    }
    const tr = (h > prevClose ? h : prevClose) - (l < prevClose ? l : prevClose);
    prevClose = c;
    if (run < n) {
      avg += tr / n;
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
    } else {
      avg = tr * a + avg * b;
    }
    out[i] = avg;
  }
  return out;
}

/**
 * MACD in price units: EMA(fast) - EMA(slow), both SMA-seeded; signal is the EMA(signal)
 * of the MACD line seeded with the mean of its first `signal` values; histogram is
 * macd - signal. With 12/26/9, macd is first defined at 25 and signal at 33.
 */
export function macd(close: Float64Array, fast = 12, slow = 26, signal = 9, into?: MacdOutput): MacdOutput {
  checkMacdPeriods(fast, slow, signal, 'macd');
  const len = close.length;
  const line = outputArray(into?.macd, len, 'macd.out.macd', close);
  const sig = outputArray(into?.signal, len, 'macd.out.signal', close, line);
  const histogram = outputArray(into?.histogram, len, 'macd.out.histogram', close, line, sig);
  const f = emaKernel(close, fast, 2 / (fast + 1), histogram); // the histogram's space holds the fast EMA until the end
  emaKernel(close, slow, 2 / (slow + 1), line);
  for (let i = 0; i < len; i++) line[i] = f[i]! - line[i]!;
  emaKernel(line, signal, 2 / (signal + 1), sig);
  for (let i = 0; i < len; i++) histogram[i] = line[i]! - sig[i]!;
  return { macd: line, signal: sig, histogram };
}

/**
 * Bollinger Bands: middle = SMA(n) (bitwise the same as sma()), bands = middle ± k·sd with
 * the POPULATION standard deviation of the window (divisor n), as TTR's BBands.
 */
export function bollinger(close: Float64Array, n = 20, k = 2, into?: BollingerOutput): BollingerOutput {
  checkPeriod(n, 'bollinger.n');
  checkFinite(k, 'bollinger.k');
  const len = close.length;
  const lower = outputArray(into?.lower, len, 'bollinger.out.lower', close);
  const middle = outputArray(into?.middle, len, 'bollinger.out.middle', close, lower);
  const upper = outputArray(into?.upper, len, 'bollinger.out.upper', close, lower, middle);
  const every = resumEvery(n);
  let i = warmUp(close, n, 0, len, lower, middle, upper);
  while (i < len) {
    const shift = close[i]!;
    let s1 = 0;
    let s2 = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const d = close[j]! - shift;
      s1 += d;
      s2 += d * d;
    }
    const stop = i + every < len ? i + every : len;
    for (;;) {
      const mid = shift + s1 / n;
      const m2 = s2 - (s1 * s1) / n;
      const width = k * Math.sqrt(m2 > 0 ? m2 / n : 0);
      middle[i] = mid;
      lower[i] = mid - width;
      upper[i] = mid + width;
      if (++i >= stop) break;
      const v = close[i]!;
      if (v - v !== 0) break;
      const dIn = v - shift;
      const dOut = close[i - n]! - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    if (i < len && close[i]! - close[i]! !== 0) i = warmUp(close, n, i, len, lower, middle, upper);
  }
  return { lower, middle, upper };
}

/**
 * Donchian channel over the last n bars INCLUDING the current one (TTR's
 * DonchianChannel(include.lag = FALSE)): upper = max high, lower = min low,
 * middle = (upper + lower) / 2. Extremes are exact, so any algorithm gives the same
 * numbers; this one (van Herk / Gil-Werman) costs a few predictable comparisons per bar,
 * where StreamingDonchian's monotonic deque branches on the data.
 */
export function donchian(high: Float64Array, low: Float64Array, n = 20, into?: DonchianOutput): DonchianOutput {
  checkPeriod(n, 'donchian.n');
  const len = checkSameLength('donchian', high, low);
  const upper = outputArray(into?.upper, len, 'donchian.out.upper', high, low);
  const lower = outputArray(into?.lower, len, 'donchian.out.lower', high, low, upper);
  const middle = outputArray(into?.middle, len, 'donchian.out.middle', high, low, upper, lower);
  // Suffix extremes of the previous block; slot n is the empty suffix.
  const sufHi = new Float64Array(n + 1);
  const sufLo = new Float64Array(n + 1);
  let i = 0;
  while (i < len) {
    const h = high[i]!;
    const l = low[i]!;
    if (h - h + (l - l) !== 0) {
      upper[i] = lower[i] = middle[i] = NaN;
      i++;
      continue;
    }
    let end = i + 1;
    while (end < len && high[end]! - high[end]! + (low[end]! - low[end]!) === 0) end++;
    donchianRun(high, low, n, i, end, upper, lower, middle, sufHi, sufLo);
    i = end;
  }
  return { upper, lower, middle };
}

/** Donchian over bars [from, to), all finite, in blocks of n counted from `from`. */
function donchianRun(
  high: Float64Array,
  low: Float64Array,
  n: number,
  from: number,
  to: number,
  upper: Float64Array,
  lower: Float64Array,
  middle: Float64Array,
  sufHi: Float64Array,
  sufLo: Float64Array,
): void {
  const firstFull = from + n - 1;
  sufHi[n] = -Infinity;
  sufLo[n] = Infinity;
  for (let s = from; s < to; s += n) {
    const e = s + n < to ? s + n : to;
    let preHi = -Infinity;
    let preLo = Infinity;
    for (let i = s; i < e; i++) {
      const h = high[i]!;
      const l = low[i]!;
      preHi = Math.max(h, preHi);
      preLo = Math.min(l, preLo);
      if (i < firstFull) {
        upper[i] = lower[i] = middle[i] = NaN;
        continue;
      }
      // The window [i-n+1, i] is the suffix of the previous block from i-n+1, plus this block's prefix.
      const k = i - s + 1;
      const up = Math.max(sufHi[k]!, preHi);
      const lo = Math.min(sufLo[k]!, preLo);
      upper[i] = up;
      lower[i] = lo;
      middle[i] = (up + lo) / 2;
    }
    let mh = -Infinity;
    let ml = Infinity;
    for (let j = e - 1; j >= s; j--) {
      const h = high[j]!;
      const l = low[j]!;
      mh = Math.max(h, mh);
      ml = Math.min(l, ml);
      sufHi[j - s] = mh;
      sufLo[j - s] = ml;
    }
  }
}

/**
 * Rolling z-score: (x - SMA(n)) / sd(n) with the POPULATION sd (divisor n), the same sd as
 * Bollinger, so z = ±k exactly on the bands. NaN when the window is flat (0/0).
 */
export function zscore(x: Float64Array, n = 20, into?: Float64Array): Float64Array {
  checkPeriod(n, 'zscore.n', 2);
  const len = x.length;
  const out = outputArray(into, len, 'zscore.out', x);
  const every = resumEvery(n);
  let i = warmUp(x, n, 0, len, out);
  while (i < len) {
    const shift = x[i]!;
    let s1 = 0;
    let s2 = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const d = x[j]! - shift;
      s1 += d;
      s2 += d * d;
    }
    const stop = i + every < len ? i + every : len;
    let v = shift;
    for (;;) {
      const m2 = s2 - (s1 * s1) / n;
      out[i] = (v - (shift + s1 / n)) / Math.sqrt(m2 > 0 ? m2 / n : 0);
      if (++i >= stop) break;
      v = x[i]!;
      if (v - v !== 0) break;
      const dIn = v - shift;
      const dOut = x[i - n]! - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    if (i < len && x[i]! - x[i]! !== 0) i = warmUp(x, n, i, len, out);
  }
  return out;
}

/**
 * Rolling volatility: SAMPLE standard deviation (divisor n-1) of the last n log returns,
 * NOT annualised (see annualise()). First defined at index n (returns start at index 1).
 * The returns live in a ring of n, exactly as in StreamingVolatility.
 */
export function rollingVolatility(close: Float64Array, n = 20, into?: Float64Array): Float64Array {
  checkPeriod(n, 'rollingVolatility.n', 2);
  const len = close.length;
  const out = outputArray(into, len, 'rollingVolatility.out', close);
  const ring = new Float64Array(n);
  const every = resumEvery(n);
  let pos = 0;
  let run = 0;
  let since = 0;
  let shift = 0;
  let s1 = 0;
  let s2 = 0;
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const c = close[i]!;
    const r = logReturn(prev, c);
    prev = c;
    if (r - r !== 0) {
      run = 0;
      out[i] = NaN;
      continue;
    }
    const old = ring[pos]!;
    ring[pos] = r;
    pos = pos + 1 === n ? 0 : pos + 1;
    if (run < n) {
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
      since = every;
    }
    if (since >= every) {
      shift = r;
      s1 = 0;
      s2 = 0;
      for (let j = pos; j < n; j++) {
        const d = ring[j]! - shift;
        s1 += d;
        s2 += d * d;
      }
      for (let j = 0; j < pos; j++) {
        const d = ring[j]! - shift;
        s1 += d;
        s2 += d * d;
      }
      since = 0;
    } else {
      const dIn = r - shift;
      const dOut = old - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    since++;
    const m2 = s2 - (s1 * s1) / n;
    out[i] = Math.sqrt(m2 > 0 ? m2 / (n - 1) : 0);
  }
  return out;
}

/** ln(c[t] / c[t-1]); NaN at index 0 and wherever either close is not a positive finite number. */
export function logReturns(close: Float64Array, into?: Float64Array): Float64Array {
  const len = close.length;
  const out = outputArray(into, len, 'logReturns.out', close);
  if (len > 0) out[0] = NaN;
  for (let i = 1; i < len; i++) out[i] = logReturn(close[i - 1]!, close[i]!);
  return out;
}

export function logReturn(prev: number, c: number): number {
  return prev > 0 && c > 0 && prev !== Infinity && c !== Infinity ? Math.log(c / prev) : NaN;
}

/** Scale a per-bar volatility to `periodsPerYear` bars (sqrt-of-time rule). */
export function annualise(vol: number, periodsPerYear: number): number {
  return vol * Math.sqrt(checkFinite(periodsPerYear, 'annualise.periodsPerYear'));
}

/** The same over a column, into a new array. */
export function annualiseSeries(vol: Float64Array, periodsPerYear: number): Float64Array {
  const f = Math.sqrt(checkFinite(periodsPerYear, 'annualiseSeries.periodsPerYear'));
  const out = new Float64Array(vol.length);
  for (let i = 0; i < vol.length; i++) out[i] = vol[i]! * f;
  return out;
}

/** Bars in a year of `barMs`-long bars, for a market open `daysPerYear` days (365 for crypto, ~252 for equities' daily bars). */
export function periodsPerYear(barMs: number, daysPerYear = 365): number {
  return (daysPerYear * 86_400_000) / barMs;
}
