import { badInput } from '../core/errors';
import { bucketStart, timeframeMs, type Timeframe } from '../core/timeframe';
import { emptySeries, type BarSeries } from '../model/bar';
import type { TradeSeries } from '../model/trade';

export interface Resampled {
  series: BarSeries;
  /**
   * The last bar's bucket reaches past the end of the source data, so it may be incomplete
   * (a bar still forming, or data that stops mid-bucket). It is kept; callers that need
   * only closed bars drop it. Sessions that close before the bucket ends look the same.
   */
  lastPartial: boolean;
}

/** Refuses a target that is not a whole multiple of the source (7m from 5m would mix bars). */
export function checkResample(from: Timeframe, to: Timeframe): { fromMs: number; toMs: number } {
  const fromMs = timeframeMs(from);
  const toMs = timeframeMs(to);
  if (toMs < fromMs || toMs % fromMs !== 0) {
    throw badInput(`cannot make ${to} bars from ${from} bars: ${to} is not a whole multiple of ${from}`, 'timeframe');
  }
  return { fromMs, toMs };
}

/**
 * Bars of a higher timeframe: open of the first bar, highest high, lowest low, close of the
 * last, summed volume, per UTC epoch-aligned bucket (weeks start Monday). Buckets with no
 * source bar produce no bar. Source bars must be ascending.
 */
export function resampleBars(src: BarSeries, target: Timeframe): Resampled {
  const { fromMs, toMs } = checkResample(src.timeframe, target);
  const n = src.length;
  const { ts } = src;
  let buckets = 0;
  let last = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketStart(ts[i]!, toMs);
    if (b !== last) {
      buckets++;
      last = b;
    }
  }
  const out = emptySeries(src.symbol, target, buckets);
  const { open, high, low, close, volume } = src;
  let k = -1;
  last = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketStart(ts[i]!, toMs);
    if (b !== last) {
      k++;
      last = b;
      out.ts[k] = b;
      out.open[k] = open[i]!;
      out.high[k] = high[i]!;
      out.low[k] = low[i]!;
      out.volume[k] = 0;
    } else {
      if (high[i]! > out.high[k]!) out.high[k] = high[i]!;
      if (low[i]! < out.low[k]!) out.low[k] = low[i]!;
    }
    out.close[k] = close[i]!;
    out.volume[k] += volume[i]!;
  }
  const lastPartial = n > 0 && ts[n - 1]! + fromMs < out.ts[buckets - 1]! + toMs;
  return { series: out, lastPartial };
}

/**
 * Bars of any timeframe from trades: first, highest, lowest and last price and the summed
 * amount per UTC epoch-aligned bucket. A bucket without trades produces no bar (no
 * invented flat bars). Trades must be ascending in time.
 */
export function barsFromTrades(trades: TradeSeries, timeframe: Timeframe): BarSeries {
  const ms = timeframeMs(timeframe);
  const { ts, price, amount } = trades;
  const n = trades.length;
  let buckets = 0;
  let last = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketStart(ts[i]!, ms);
    if (b !== last) {
      buckets++;
      last = b;
    }
  }
  const out = emptySeries(trades.symbol, timeframe, buckets);
  let k = -1;
  last = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketStart(ts[i]!, ms);
    const p = price[i]!;
    if (b !== last) {
      k++;
      last = b;
      out.ts[k] = b;
      out.open[k] = p;
      out.high[k] = p;
      out.low[k] = p;
      out.volume[k] = 0;
    } else {
      if (p > out.high[k]!) out.high[k] = p;
      if (p < out.low[k]!) out.low[k] = p;
    }
    out.close[k] = p;
    out.volume[k] += amount[i]!;
  }
  return out;
}
