import { basename } from 'node:path';
import { KeelError, badInput } from '../core/errors';
import { timeframeFromMs, timeframeMs, type Timeframe } from '../core/timeframe';

const NOISE_WORDS = new Set(['trades', 'trade', 'raw', 'bars', 'ohlc', 'ohlcv', 'candles', 'klines', 'data']);

/**
 * A symbol from a file name: the words left after dropping timeframes (5m, 1d), dates
 * (2023, 01, 20230102) and words like "trades", upper-cased and joined with '-'.
 * btc-usdt-5m-2023-01.csv -> BTC-USDT, orcl-1d-1995-2014.csv -> ORCL.
 */
export function inferSymbol(path: string): string | undefined {
  const stem = basename(path).replace(/(\.(csv|txt|parquet|gz))+$/i, '');
  const words = stem
    .split(/[-_ .]+/)
    .filter((w) => w !== '' && !/^\d+[smhdw]$/i.test(w) && !/^\d+$/.test(w) && !NOISE_WORDS.has(w.toLowerCase()));
  return words.length > 0 ? words.join('-').toUpperCase() : undefined;
}

export function resolveSymbol(path: string, given: string | undefined): { symbol: string; source: 'option' | 'file name' } {
  if (given !== undefined) {
    if (given.trim() === '') throw badInput('symbol is empty', '--symbol');
    return { symbol: given.trim(), source: 'option' };
  }
  const symbol = inferSymbol(path);
  if (!symbol) throw badInput('cannot tell the symbol from the file name; pass --symbol', path);
  return { symbol, source: 'file name' };
}

/**
 * The bar length of a series: the median spacing of neighbouring bars. A median ignores
 * gaps and session breaks as long as most bars are contiguous, which every bar file is.
 */
export function medianSpacing(ts: ArrayLike<number>): number {
  const n = ts.length - 1;
  if (n < 1) return NaN;
  const sample = Math.min(n, 100_001);
  const steps = new Float64Array(sample);
  for (let k = 0; k < sample; k++) {
    const i = 1 + Math.floor((k * n) / sample);
    steps[k] = Math.abs(ts[i]! - ts[i - 1]!);
  }
  steps.sort();
  // The lower median: with few rows and a hole, the shorter step is the bar length.
  return steps[(sample - 1) >> 1]!;
}

/**
 * The timeframe to store a bar file under. A given timeframe finer than the file's spacing is
 * accepted (gaps); one coarser than the spacing would label e.g. 1-minute bars as hourly,
 * so it is refused.
 */
export function resolveTimeframe(ts: ArrayLike<number>, given: Timeframe | undefined, where: string): { timeframe: Timeframe; source: 'option' | 'median spacing'; spacing: number } {
  const spacing = medianSpacing(ts);
  if (given !== undefined) {
    const ms = timeframeMs(given);
    if (Number.isFinite(spacing) && spacing > 0 && spacing < ms) {
      throw new KeelError('BAD_INPUT', `the bars are ${describeMs(spacing)} apart (median) but --timeframe is ${given}: ` +
        `that would store finer bars as ${given} bars. Import at the file's timeframe and resample.`, { where });
    }
    return { timeframe: given, source: 'option', spacing };
  }
  if (!Number.isFinite(spacing)) throw new KeelError('BAD_INPUT', 'too few rows to tell the timeframe; pass --timeframe', { where });
  if (spacing <= 0) throw new KeelError('BAD_INPUT', 'cannot tell the timeframe: most rows share a timestamp; pass --timeframe', { where });
  try {
    return { timeframe: timeframeFromMs(spacing), source: 'median spacing', spacing };
  } catch {
    throw new KeelError('BAD_INPUT', `median bar spacing of ${spacing} ms is not a timeframe; pass --timeframe`, { where });
  }
}

function describeMs(ms: number): string {
  try {
    return timeframeFromMs(ms);
  } catch {
    return `${ms} ms`;
  }
}

export type EpochUnit = 's' | 'ms' | 'us';

/** Which unit an epoch number is in, from its size: seconds until year 5138, then ms, then µs. */
export function epochUnitOf(value: number): EpochUnit | undefined {
  const v = Math.abs(value);
  if (v < 1e11) return 's';
  if (v < 1e14) return 'ms';
  if (v < 1e17) return 'us';
  return undefined;
}

export const EPOCH_UNIT_TO_MS: Record<EpochUnit, number> = { s: 1000, ms: 1, us: 0.001 };

/**
 * An epoch number in ms, not rounded, so a time below the millisecond stays visible.
 * Microseconds are divided (exact for a whole ms) rather than multiplied by 0.001 (not exact);
 * seconds are multiplied by 1000, and a product within 1e-3 of a whole ms is that ms: the
 * decimal 1672707900.123 has no exact double, so its product misses 1672707900123 by ~1e-4.
 */
export function epochToMs(v: number, unit: EpochUnit): number {
  if (unit === 'us') return v / 1000;
  if (unit === 'ms') return v;
  const ms = v * 1000;
  const whole = Math.round(ms);
  return Math.abs(ms - whole) < 1e-3 ? whole : ms;
}
export const EPOCH_UNIT_NAME: Record<EpochUnit, string> = { s: 'epoch seconds', ms: 'epoch milliseconds', us: 'epoch microseconds' };
