import { timeframeMs } from '../core/timeframe';
import type { DatasetInfo, WatchQuote } from '../../protocol/index';
import type { MarketService } from './services';

/** The change a watchlist shows is over this long, ending at the symbol's latest bar. */
export const CHANGE_SPAN_MS = 24 * 60 * 60 * 1000;
/** Points in a row's sparkline. */
export const SPARK_POINTS = 48;

/** The finest stored timeframe of `symbol` (what its latest price is read from), or undefined. */
export function finestDataset(datasets: DatasetInfo[], symbol: string): DatasetInfo | undefined {
  let best: DatasetInfo | undefined;
  for (const d of datasets) {
    if (d.symbol !== symbol) continue;
    const ms = timeframeMs(d.timeframe);
    if (!best || ms < timeframeMs(best.timeframe) || (ms === timeframeMs(best.timeframe) && d.to > best.to)) best = d;
  }
  return best;
}

/** Every `step`-th value ending on the last, at most `n` of them: a sparkline keeps the latest price. */
export function thinTail(values: ArrayLike<number>, n: number): number[] {
  const len = values.length;
  if (len <= n) return Array.from(values);
  const step = len / n;
  const out: number[] = [];
  for (let k = n - 1; k >= 0; k--) out.push(values[len - 1 - Math.floor(k * step)]!);
  return out;
}

/**
 * Last price, change over the last CHANGE_SPAN_MS and a sparkline per symbol, from its finest
 * stored bars (a replay or a live stream moves the last price in the page from the bar topic).
 * A symbol the store does not hold comes back with `missing`.
 */
export async function watchQuotes(market: MarketService, symbols: string[]): Promise<WatchQuote[]> {
  const datasets = await market.datasets();
  return Promise.all(
    symbols.map(async (symbol): Promise<WatchQuote> => {
      const d = finestDataset(datasets, symbol);
      if (!d) return { symbol, missing: true };
      const tf = timeframeMs(d.timeframe);
      const { series } = await market.bars({ symbol, timeframe: d.timeframe, from: d.to - CHANGE_SPAN_MS - tf + 1 });
      const n = series.length;
      if (n === 0) return { symbol, missing: true };
      const last = series.close[n - 1]!;
      // The close a span before the last bar: the bar at or before that time, else the first in hand.
      const then = series.ts[n - 1]! - CHANGE_SPAN_MS;
      let i = 0;
      while (i + 1 < n && series.ts[i + 1]! <= then) i++;
      const base = series.close[i]!;
      return {
        symbol,
        timeframe: d.timeframe,
        ts: series.ts[n - 1]!,
        last,
        base,
        change: last - base,
        changePct: base !== 0 ? ((last - base) / base) * 100 : 0,
        spark: thinTail(series.close.subarray(i), SPARK_POINTS),
      };
    }),
  );
}
