/**
 * Seeded synthetic bars: a geometric random walk with consistent OHLC. For benchmarks,
 * tests and demos, where the same seed must give the same bars everywhere.
 */
import { badInput } from '../core/errors';
import { timeframeMs, type Timeframe } from '../core/timeframe';
import { emptySeries, type BarSeries } from '../model/bar';
import { Rng } from '../risk/analytics/random';

export interface RandomWalkOptions {
  seed: number;
  symbol?: string;
  timeframe?: Timeframe;
  /** Open time of the first bar, ms. */
  start?: number;
  startPrice?: number;
  /** Standard deviation of the per-bar log return. */
  volatility?: number;
  /**
   * Decimals of prices and volumes, as an exchange quotes them (a tick of 0.01 is 2); the
   * default keeps every bit of the walk. A bar file written from quoted bars has the short
   * numbers a real exchange file has.
   */
  decimals?: { price: number; volume: number };
}

export function randomWalkSeries(length: number, opts: RandomWalkOptions): BarSeries {
  if (!Number.isInteger(length) || length < 0) throw badInput(`length must be a whole number >= 0, got ${length}`, 'randomWalkSeries');
  const tf = opts.timeframe ?? '1m';
  const step = timeframeMs(tf);
  const sigma = opts.volatility ?? 0.001;
  const rng = new Rng(opts.seed);
  const s = emptySeries(opts.symbol ?? 'SYN/USD', tf, length);
  let t = opts.start ?? Date.UTC(2020, 0, 1);
  // Rounding is monotone, so quoted bars keep low <= open, close <= high.
  const quote = (x: number, decimals: number | undefined) => (decimals === undefined ? x : Math.round(x * 10 ** decimals) / 10 ** decimals);
  const pd = opts.decimals?.price;
  const vd = opts.decimals?.volume;
  let prev = quote(opts.startPrice ?? 100, pd);
  for (let i = 0; i < length; i++) {
    const open = prev;
    const close = quote(open * Math.exp(sigma * rng.nextNormal()), pd);
    const wick = sigma * 0.5;
    s.ts[i] = t;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = quote(Math.max(open, close) * (1 + wick * rng.nextFloat()), pd);
    s.low[i] = quote(Math.min(open, close) * (1 - wick * rng.nextFloat()), pd);
    s.volume[i] = quote(1 + rng.nextFloat(), vd);
    prev = close;
    t += step;
  }
  return s;
}
