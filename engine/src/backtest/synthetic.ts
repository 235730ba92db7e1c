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
}

export function randomWalkSeries(length: number, opts: RandomWalkOptions): BarSeries {
  if (!Number.isInteger(length) || length < 0) throw badInput(`length must be a whole number >= 0, got ${length}`, 'randomWalkSeries');
  const tf = opts.timeframe ?? '1m';
  const step = timeframeMs(tf);
  const sigma = opts.volatility ?? 0.001;
  const rng = new Rng(opts.seed);
  const s = emptySeries(opts.symbol ?? 'SYN/USD', tf, length);
  let t = opts.start ?? Date.UTC(2020, 0, 1);
  let prev = opts.startPrice ?? 100;
  for (let i = 0; i < length; i++) {
    const open = prev;
    const close = open * Math.exp(sigma * rng.nextNormal());
    const wick = sigma * 0.5;
    s.ts[i] = t;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(open, close) * (1 + wick * rng.nextFloat());
    s.low[i] = Math.min(open, close) * (1 - wick * rng.nextFloat());
    s.volume[i] = 1 + rng.nextFloat();
    prev = close;
    t += step;
  }
  return s;
}
