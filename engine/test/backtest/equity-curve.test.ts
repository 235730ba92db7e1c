import { describe, expect, it } from 'vitest';
import { BacktestJobs } from '../../src/app/jobs';
import { LogRing } from '../../src/app/logs';
import type { BacktestArchive } from '../../src/app/services';
import { CURVE_POINTS, drawdowns, equityCurve, thinCurve } from '../../src/backtest/equity-curve';
import type { BacktestRun, EquityCurve } from '../../src/model/backtest-run';

/** A seeded random walk of `n` points with a one-point crash to half at `crashAt`. */
function walk(n: number, crashAt: number, seed = 7): { ts: Float64Array; equity: Float64Array } {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const ts = new Float64Array(n);
  const equity = new Float64Array(n);
  let e = 10_000;
  for (let i = 0; i < n; i++) {
    e *= 1 + (rnd() - 0.5) * 0.01;
    ts[i] = 1_700_000_000_000 + i * 60_000;
    equity[i] = i === crashAt ? e / 2 : e;
  }
  return { ts, equity };
}

function lowest(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) m = Math.min(m, a[i]!);
  return m;
}

/** Checks the rule on `thin` against the full curve it came from. */
function expectWorstOfEachBucket(full: EquityCurve, thin: EquityCurve, max: number): void {
  const n = full.ts.length;
  expect(thin.ts.length).toBeLessThanOrEqual(max);
  expect(thin.ts[0]).toBe(full.ts[0]);
  expect(thin.ts.at(-1)).toBe(full.ts.at(-1));
  const index = new Map(full.ts.map((t, i) => [t, i]));
  const kept = thin.ts.map((t) => index.get(t)!);
  // Every kept point is a real point: its time, equity and drawdown together.
  kept.forEach((i, k) => {
    expect(thin.equity[k]).toBe(full.equity[i]);
    expect(thin.drawdown[k]).toBe(full.drawdown[i]);
  });
  // Each bucket's kept point is its deepest.
  const size = Math.ceil((n - 2) / (max - 2));
  for (let from = 1, b = 1; from < n - 1; from += size, b++) {
    const bucket = full.drawdown.slice(from, Math.min(n - 1, from + size));
    expect(thin.drawdown[b]).toBe(lowest(bucket));
  }
}

describe('equity thinning: one rule, each bucket keeps its deepest drawdown', () => {
  it('passes a short curve through whole, with drawdown from the running peak', () => {
    const c = equityCurve([1, 2, 3, 4], [100, 110, 99, 121]);
    expect(c.ts).toEqual([1, 2, 3, 4]);
    expect(c.equity).toEqual([100, 110, 99, 121]);
    expect(c.drawdown[2]).toBeCloseTo(99 / 110 - 1, 12);
    expect(c.drawdown[3]).toBe(0);
  });

  it('keeps the deepest point of every bucket, the first and the last, and no more than asked', () => {
    const { ts, equity } = walk(123_457, 54_321);
    const dd = drawdowns(equity);
    const full: EquityCurve = { ts: [...ts], equity: [...equity], drawdown: [...dd] };
    for (const max of [3, 100, CURVE_POINTS]) expectWorstOfEachBucket(full, thinCurve(full, max), max);
    const c = equityCurve(ts, equity);
    expect(lowest(c.drawdown)).toBe(lowest(dd));
    expect(c.ts).toContain(ts[54_321]); // the one-bar crash
  });

  it('thinning again (the archive of a thinned run) keeps the same worst moments', () => {
    const { ts, equity } = walk(50_000, 12_345);
    const once = equityCurve(ts, equity, 2_000);
    const twice = thinCurve(once, 500);
    expectWorstOfEachBucket(once, twice, 500);
    expect(lowest(twice.drawdown)).toBe(lowest(once.drawdown));
  });

  it('refuses to thin below a first, a last and one bucket', () => {
    expect(() => thinCurve({ ts: [1, 2, 3, 4], equity: [1, 1, 1, 1], drawdown: [0, 0, 0, 0] }, 2)).toThrow(/at least 3 points/);
  });

  it('the archive of backtest runs thins with the same rule', async () => {
    const { ts, equity } = walk(20_000, 4_321);
    const full: EquityCurve = { ts: [...ts], equity: [...equity], drawdown: [...drawdowns(equity)] };
    const saved: BacktestRun[] = [];
    const archive: BacktestArchive = { save: (r) => saved.push(r), list: () => [], get: () => undefined };
    const jobs = new BacktestJobs(async () => ({ equity: full, trades: [], notes: [], metrics: {} }), () => {}, new LogRing(10).logger('test'), () => 1, () => archive);
    const { done } = jobs.start({ strategy: 's', params: {}, symbol: 'X', timeframe: '1m', capital: 1, fee: 0, slippage: 0 });
    await done;
    expect(saved).toHaveLength(1);
    expectWorstOfEachBucket(full, saved[0]!.equity, CURVE_POINTS);
    expect(saved[0]!.equity.ts).toContain(ts[4_321]);
  });
});
