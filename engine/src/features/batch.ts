/**
 * Batch indicators over whole columns. Each returns new Float64Array(s) as long as its input,
 * NaN where the value is not defined (warm-up, after a non-finite input, 0/0).
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
import { checkFinite, checkMacdPeriods, checkPeriod, checkSameLength, resumEvery } from './params';

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

/** Simple moving average of the last n values, first defined at index n-1. */
export function sma(x: Float64Array, n: number): Float64Array {
  checkPeriod(n, 'sma.n');
  const len = x.length;
  const out = new Float64Array(len);
  const every = resumEvery(n);
  let run = 0;
  let since = 0;
  let k = 0;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      run = 0;
      out[i] = NaN;
      continue;
    }
    if (run < n) {
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
      since = every; // force the first window sum below
    }
    if (since >= every) {
      k = v;
      s = 0;
      for (let j = i - n + 1; j <= i; j++) s += x[j]! - k;
      since = 0;
    } else {
      s += v - k - (x[i - n]! - k);
    }
    since++;
    out[i] = k + s / n;
  }
  return out;
}

/** EMA with ratio 2/(n+1), seeded with the mean of its first n inputs (TTR's EMA). */
export function ema(x: Float64Array, n: number): Float64Array {
  checkPeriod(n, 'ema.n');
  return emaKernel(x, n, 2 / (n + 1));
}

function emaKernel(x: Float64Array, n: number, a: number): Float64Array {
  const len = x.length;
  const out = new Float64Array(len);
  const b = 1 - a;
  let run = 0;
  let seed = 0;
  let prev = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      run = 0;
      seed = 0;
      out[i] = NaN;
      continue;
    }
    if (run < n) {
      seed += v / n;
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
      prev = seed;
    } else {
      prev = v * a + prev * b;
    }
    out[i] = prev;
  }
  return out;
}

/**
 * Wilder's RSI: average gain and loss of close-to-close changes, each seeded with the mean
 * of the first n changes and smoothed with alpha 1/n. First defined at index n.
 * 100 when there were no losses, 0 when there were no gains, NaN when neither (TTR).
 */
export function rsi(close: Float64Array, n = 14): Float64Array {
  checkPeriod(n, 'rsi.n');
  const len = close.length;
  const out = new Float64Array(len);
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
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, n = 14): Float64Array {
  checkPeriod(n, 'atr.n');
  const len = checkSameLength('atr', high, low, close);
  const out = new Float64Array(len);
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
export function macd(close: Float64Array, fast = 12, slow = 26, signal = 9): MacdOutput {
  checkMacdPeriods(fast, slow, signal, 'macd');
  const f = emaKernel(close, fast, 2 / (fast + 1));
  const line = emaKernel(close, slow, 2 / (slow + 1));
  const len = close.length;
  for (let i = 0; i < len; i++) line[i] = f[i]! - line[i]!;
  const sig = emaKernel(line, signal, 2 / (signal + 1));
  const histogram = f; // reuse: the fast EMA is no longer needed
  for (let i = 0; i < len; i++) histogram[i] = line[i]! - sig[i]!;
  return { macd: line, signal: sig, histogram };
}

/**
 * Bollinger Bands: middle = SMA(n) (bitwise the same as sma()), bands = middle ± k·sd with
 * the POPULATION standard deviation of the window (divisor n), as TTR's BBands.
 */
export function bollinger(close: Float64Array, n = 20, k = 2): BollingerOutput {
  checkPeriod(n, 'bollinger.n');
  checkFinite(k, 'bollinger.k');
  const len = close.length;
  const lower = new Float64Array(len);
  const middle = new Float64Array(len);
  const upper = new Float64Array(len);
  const every = resumEvery(n);
  let run = 0;
  let since = 0;
  let shift = 0;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < len; i++) {
    const v = close[i]!;
    if (v - v !== 0) {
      run = 0;
      lower[i] = middle[i] = upper[i] = NaN;
      continue;
    }
    if (run < n) {
      if (++run < n) {
        lower[i] = middle[i] = upper[i] = NaN;
        continue;
      }
      since = every;
    }
    if (since >= every) {
      shift = v;
      s1 = 0;
      s2 = 0;
      for (let j = i - n + 1; j <= i; j++) {
        const d = close[j]! - shift;
        s1 += d;
        s2 += d * d;
      }
      since = 0;
    } else {
      const dIn = v - shift;
      const dOut = close[i - n]! - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    since++;
    const mid = shift + s1 / n;
    const m2 = s2 - (s1 * s1) / n;
    const width = k * Math.sqrt(m2 > 0 ? m2 / n : 0);
    middle[i] = mid;
    lower[i] = mid - width;
    upper[i] = mid + width;
  }
  return { lower, middle, upper };
}

/**
 * Donchian channel over the last n bars INCLUDING the current one (TTR's
 * DonchianChannel(include.lag = FALSE)): upper = max high, lower = min low,
 * middle = (upper + lower) / 2. Monotonic deques: O(1) amortised per bar.
 */
export function donchian(high: Float64Array, low: Float64Array, n = 20): DonchianOutput {
  checkPeriod(n, 'donchian.n');
  const len = checkSameLength('donchian', high, low);
  const upper = new Float64Array(len);
  const lower = new Float64Array(len);
  const middle = new Float64Array(len);
  // The deques hold indices in [i-n, i] just before expiry: n+1 slots.
  let cap = 1;
  while (cap < n + 1) cap <<= 1;
  const mask = cap - 1;
  const qHi = new Int32Array(cap);
  const qLo = new Int32Array(cap);
  let hiHead = 0;
  let hiSize = 0;
  let loHead = 0;
  let loSize = 0;
  let run = 0;
  for (let i = 0; i < len; i++) {
    const h = high[i]!;
    const l = low[i]!;
    if (h - h + (l - l) !== 0) {
      run = hiSize = loSize = 0;
      upper[i] = lower[i] = middle[i] = NaN;
      continue;
    }
    while (hiSize > 0 && high[qHi[(hiHead + hiSize - 1) & mask]!]! <= h) hiSize--;
    qHi[(hiHead + hiSize) & mask] = i;
    hiSize++;
    if (qHi[hiHead]! <= i - n) {
      hiHead = (hiHead + 1) & mask;
      hiSize--;
    }
    while (loSize > 0 && low[qLo[(loHead + loSize - 1) & mask]!]! >= l) loSize--;
    qLo[(loHead + loSize) & mask] = i;
    loSize++;
    if (qLo[loHead]! <= i - n) {
      loHead = (loHead + 1) & mask;
      loSize--;
    }
    if (run < n && ++run < n) {
      upper[i] = lower[i] = middle[i] = NaN;
      continue;
    }
    const up = high[qHi[hiHead]!]!;
    const lo = low[qLo[loHead]!]!;
    upper[i] = up;
    lower[i] = lo;
    middle[i] = (up + lo) / 2;
  }
  return { upper, lower, middle };
}

/**
 * Rolling z-score: (x - SMA(n)) / sd(n) with the POPULATION sd (divisor n), the same sd as
 * Bollinger, so z = ±k exactly on the bands. NaN when the window is flat (0/0).
 */
export function zscore(x: Float64Array, n = 20): Float64Array {
  checkPeriod(n, 'zscore.n', 2);
  return rollingMoments(x, n, n, true);
}

/**
 * Rolling volatility: SAMPLE standard deviation (divisor n-1) of the last n log returns,
 * NOT annualised (see annualise()). First defined at index n (returns start at index 1).
 */
export function rollingVolatility(close: Float64Array, n = 20): Float64Array {
  checkPeriod(n, 'rollingVolatility.n', 2);
  return rollingMoments(logReturns(close), n, n - 1, false);
}

/** ln(c[t] / c[t-1]); NaN at index 0 and wherever either close is not a positive finite number. */
export function logReturns(close: Float64Array): Float64Array {
  const len = close.length;
  const out = new Float64Array(len);
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

/** Shared by z-score (population sd, returns z) and volatility (sample sd, returns sd). */
function rollingMoments(x: Float64Array, n: number, divisor: number, asZ: boolean): Float64Array {
  const len = x.length;
  const out = new Float64Array(len);
  const every = resumEvery(n);
  let run = 0;
  let since = 0;
  let shift = 0;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      run = 0;
      out[i] = NaN;
      continue;
    }
    if (run < n) {
      if (++run < n) {
        out[i] = NaN;
        continue;
      }
      since = every;
    }
    if (since >= every) {
      shift = v;
      s1 = 0;
      s2 = 0;
      for (let j = i - n + 1; j <= i; j++) {
        const d = x[j]! - shift;
        s1 += d;
        s2 += d * d;
      }
      since = 0;
    } else {
      const dIn = v - shift;
      const dOut = x[i - n]! - shift;
      s1 += dIn - dOut;
      s2 += dIn * dIn - dOut * dOut;
    }
    since++;
    const m2 = s2 - (s1 * s1) / n;
    const sd = Math.sqrt(m2 > 0 ? m2 / divisor : 0);
    out[i] = asZ ? (v - (shift + s1 / n)) / sd : sd;
  }
  return out;
}
