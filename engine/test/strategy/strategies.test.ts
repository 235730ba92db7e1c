// Each shipped strategy on data built so its rule must fire at a known bar.
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { atr } from '../../src/features/batch';
import type { Bar } from '../../src/model/bar';
import breakout from '../../../strategies/breakout';
import meanReversion from '../../../strategies/mean-reversion';
import trend from '../../../strategies/trend';
import { barsFromCloses, barsToSeries } from '../backtest/helpers';

const STEP = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const ts = (i: number) => T0 + i * STEP;

/** Closes with a 0.5% wick either side, so ATR is never zero on a moving market. */
function wicked(closes: number[]): Bar[] {
  return barsFromCloses(closes).map((b) => ({ ...b, high: Math.max(b.open, b.close) * 1.005, low: Math.min(b.open, b.close) * 0.995 }));
}

const sma = (xs: number[], t: number, n: number) => xs.slice(t - n + 1, t + 1).reduce((a, b) => a + b, 0) / n;

/** The first bar (from `from`) at which SMA(fast) crosses SMA(slow) in the given direction. */
function crossBar(xs: number[], fast: number, slow: number, dir: 1 | -1, from = slow): number {
  for (let t = Math.max(from, slow); t < xs.length; t++) {
    const now = Math.sign(sma(xs, t, fast) - sma(xs, t, slow));
    const before = Math.sign(sma(xs, t - 1, fast) - sma(xs, t - 1, slow));
    if (now === dir && before !== dir) return t;
  }
  return -1;
}

describe('trend', () => {
  const params = { fast: 3, slow: 8, atrPeriod: 3, atrStop: 2, minAtrPct: 0.001 };
  const up = Array.from({ length: 20 }, (_, i) => 100 + 2 * (i + 1));
  const down = Array.from({ length: 15 }, (_, i) => up.at(-1)! - 2 * (i + 1));

  it('enters on the cross up, exits on the cross down', async () => {
    const closes = [...Array(12).fill(100), ...up, ...down];
    const res = await runBacktest({ series: barsToSeries(wicked(closes)), strategy: trend, params, capital: 10_000, slippage: 0.001 });
    const entry = crossBar(closes, 3, 8, 1);
    const exit = crossBar(closes, 3, 8, -1, entry);
    expect(res.trades).toHaveLength(1);
    const [t] = res.trades;
    expect(t!.entryTime).toBe(ts(entry + 1));
    expect(t!.entryPrice).toBeCloseTo(closes[entry]! * 1.001, 9); // next open = this close
    expect(t!.exitTime).toBe(ts(exit + 1));
    expect(t!.exitReason).toBe('cross');
  });

  it('exits at the 2×ATR stop when the market breaks before the averages cross back', async () => {
    const closes = [...Array(12).fill(100), ...up.slice(0, 8)];
    const bars = wicked(closes);
    const entry = crossBar(closes, 3, 8, 1);
    // A crash bar: opens at the last close, trades far below any 2×ATR stop.
    const last = closes.at(-1)!;
    bars.push({ ts: ts(bars.length), open: last, high: last, low: last * 0.8, close: last * 0.85, volume: 1 });
    bars.push({ ts: ts(bars.length), open: last * 0.85, high: last * 0.86, low: last * 0.84, close: last * 0.85, volume: 1 });
    const s = barsToSeries(bars);
    const res = await runBacktest({ series: s, strategy: trend, params, capital: 10_000, slippage: 0 });
    expect(res.trades).toHaveLength(1);
    const [t] = res.trades;
    expect(t!.exitReason).toBe('stop');
    expect(t!.exitTime).toBe(bars.at(-2)!.ts);
    // Stop = entry fill − 2 × ATR(3) as of the signal bar; the crash bar opens above it, so it fills at the stop.
    const atr3 = atr(s.high, s.low, s.close, 3);
    expect(t!.entryPrice).toBeCloseTo(closes[entry]!, 9);
    expect(t!.exitPrice).toBeCloseTo(closes[entry]! - 2 * atr3[entry]!, 9);
    expect(res.notes.join(' ')).not.toMatch(/still open/);
  });

  it('stays out when ATR% is under the floor', async () => {
    const closes = [...Array(12).fill(100), ...up, ...down];
    const res = await runBacktest({ series: barsToSeries(wicked(closes)), strategy: trend, params: { ...params, minAtrPct: 0.2 }, capital: 10_000 });
    expect(res.trades).toHaveLength(0);
    expect(res.metrics.exposure).toBe(0);
  });
});

describe('mean-reversion', () => {
  const calm = Array.from({ length: 30 }, (_, i) => (i % 2 ? 100.5 : 99.5));

  it('buys a close more than 2 sd under the 20-bar mean and sells after 12 bars when it does not revert', async () => {
    const slide = Array.from({ length: 20 }, (_, i) => 90 - 0.5 * i); // keeps z < 0 all the way
    const closes = [...calm, ...slide];
    const res = await runBacktest({ series: barsToSeries(barsFromCloses(closes)), strategy: meanReversion, capital: 10_000 });
    const first = res.trades[0]!;
    expect(first.entryTime).toBe(ts(calm.length + 1)); // signal at the drop bar, fill at the next open
    expect(first.exitTime).toBe(ts(calm.length + 1 + 12));
    expect(first.exitReason).toBe('time');
  });

  it('sells once the close is back above the mean', async () => {
    const closes = [...calm, 90, 91, 100.5, 101, 101, 101];
    const res = await runBacktest({ series: barsToSeries(barsFromCloses(closes)), strategy: meanReversion, capital: 10_000 });
    expect(res.trades).toHaveLength(1);
    const t = res.trades[0]!;
    expect(t.entryTime).toBe(ts(31));
    expect(t.exitTime).toBe(ts(33)); // z > 0 at the close of bar 32 (100.5 is above the mean)
    expect(t.exitReason).toBe('reverted');
    expect(t.pnl).toBeGreaterThan(0);
  });
});

describe('breakout', () => {
  it('enters on a close above the previous 20 bars’ high and exits at the trailing 20-bar low', async () => {
    // 25 quiet bars (highs ≤ 101), then a close at 103: above the prior 20-bar high.
    const quiet: Bar[] = Array.from({ length: 25 }, (_, i) => ({ ts: ts(i), open: 100, high: 101, low: 99, close: i % 2 ? 100.5 : 99.5, volume: 1 }));
    const bars: Bar[] = [...quiet];
    const push = (o: number, h: number, l: number, c: number) => bars.push({ ts: ts(bars.length), open: o, high: h, low: l, close: c, volume: 1 });
    push(100, 103.5, 99.8, 103); // breakout bar: index 25
    for (let i = 0; i < 25; i++) push(103 + i, 104.5 + i, 102.5 + i, 104 + i); // climbs: the 20-bar low rises
    const lowAtExitSignal = Math.min(...bars.slice(-20).map((b) => b.low));
    push(127, 127, 100, 101); // falls through the trailing low
    push(101, 102, 100, 101);
    const res = await runBacktest({ series: barsToSeries(bars), strategy: breakout, capital: 10_000 });
    expect(res.trades).toHaveLength(1);
    const t = res.trades[0]!;
    expect(t.entryTime).toBe(ts(26));
    expect(t.entryPrice).toBe(103 + 0); // the open of bar 26
    expect(t.exitReason).toBe('trail');
    expect(t.exitTime).toBe(ts(bars.length - 2));
    expect(t.exitPrice).toBe(lowAtExitSignal);
  });

  it('a close that only equals the prior high is not a breakout', async () => {
    const bars: Bar[] = Array.from({ length: 60 }, (_, i) => ({ ts: ts(i), open: 100, high: 101, low: 99, close: i % 3 ? 100 : 101, volume: 1 }));
    const res = await runBacktest({ series: barsToSeries(bars), strategy: breakout, capital: 10_000 });
    expect(res.metrics.exposure).toBe(0);
  });
});
