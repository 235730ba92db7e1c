import { describe, expect, it } from 'vitest';
import { equityCurve } from '../../src/backtest/equity-curve';
import { benchmarkOf, buyAndHold, computeMetrics, periodReturns } from '../../src/backtest/metrics';

const day = 86_400_000;
const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('buy-and-hold benchmark', () => {
  it('is the capital put in at the first close and valued at every close', () => {
    expect(Array.from(buyAndHold([100, 110, 90, 120], 4, 1000))).toEqual([1000, 1100, 900, 1200]);
  });

  it('the metrics carry its return, its deepest drawdown and the strategy’s excess over it', () => {
    const ts = Float64Array.from([0, 1, 2, 3], (i) => i * day);
    const closes = Float64Array.from([100, 110, 88, 120]);
    const equity = Float64Array.from([1000, 1010, 1020, 1050]);
    const m = computeMetrics({ ts, equity, length: 4, trades: [], feesPaid: 0, barsInMarket: 0, initialCapital: 1000, closes });
    expect(m.benchmark_return).toBeCloseTo(0.2, 12);
    expect(m.excess_return).toBeCloseTo(0.05 - 0.2, 12);
    expect(m.benchmark_max_drawdown).toBeCloseTo(1 - 88 / 110, 12);
    expect(computeMetrics({ ts, equity, length: 4, trades: [], feesPaid: 0, barsInMarket: 0, initialCapital: 1000 }).benchmark_return).toBeNull();
  });

  it('measured without its curve, its return and drawdown equal the curve’s to the last bit', () => {
    let x = 100;
    const closes = Float64Array.from({ length: 5_000 }, (_, i) => (x *= 1 + Math.sin(i * 7.3) * 0.01));
    const curve = buyAndHold(closes, closes.length, 12_345.67);
    let peak = -Infinity;
    let mdd = 0;
    for (const v of curve) {
      if (v > peak) peak = v;
      else mdd = Math.max(mdd, 1 - v / peak);
    }
    const b = benchmarkOf(closes, closes.length, 12_345.67)!;
    expect(mdd).toBeGreaterThan(0.01);
    expect(b.ret).toBe(curve[curve.length - 1]! / curve[0]! - 1);
    expect(b.maxDrawdown).toBe(mdd);
    expect(benchmarkOf(closes, 0, 1000)).toBeUndefined();
  });

  it('rides along the thinned equity curve at the same points', () => {
    const n = 20_000;
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const equity = Float64Array.from({ length: n }, (_, i) => 1000 + Math.sin(i / 50) * 10);
    const bench = Float64Array.from({ length: n }, (_, i) => 1000 + i);
    const c = equityCurve(ts, equity, 500, bench);
    expect(c.benchmark).toHaveLength(c.ts.length);
    c.ts.forEach((t, k) => expect(c.benchmark![k]).toBe(1000 + t / 60_000));
  });
});

describe('monthly and yearly returns', () => {
  it('each period’s last equity against the one before it, the first against the first bar', () => {
    const ts = ['2023-12-30', '2023-12-31', '2024-01-15', '2024-01-31', '2024-02-10', '2025-03-01'].map(utc);
    const equity = [100, 110, 99, 121, 133.1, 66.55];
    const r = periodReturns(ts, equity, ts.length);
    expect(r.monthly.map((p) => p.period)).toEqual(['2023-12', '2024-01', '2024-02', '2025-03']);
    expect(r.monthly.map((p) => p.ret)).toEqual([0.10000000000000009, 0.10000000000000009, 0.09999999999999987, -0.5]);
    expect(r.yearly.map((p) => p.period)).toEqual(['2023', '2024', '2025']);
    expect(r.yearly[0]!.ret).toBeCloseTo(0.1, 12);
    expect(r.yearly[1]!.ret).toBeCloseTo(133.1 / 110 - 1, 12);
    expect(r.yearly[2]!.ret).toBeCloseTo(-0.5, 12);
    expect(periodReturns([], [], 0)).toEqual({ monthly: [], yearly: [] });
  });
});
