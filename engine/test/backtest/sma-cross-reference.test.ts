// The backtester against a plain straight-line loop for sma-cross, written here from the
// spec alone: naive SMAs by summing the window, the spec's cash/qty/fee arithmetic, and
// every metric recomputed by its textbook formula. Equity at every bar, every trade and
// every metric must agree to 1e-9 relative.
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult } from '../../src/backtest/engine';
import { randomWalkSeries } from '../../src/backtest/synthetic';
import type { BarSeries } from '../../src/model/bar';
import smaCross from '../../../strategies/sma-cross';
import { DATA_FIXTURES, barsFromCloses, barsToSeries, near, readBarsCsv, referenceBarFiles } from './helpers';

interface RefTrade {
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  qty: number;
  pnl: number;
}

interface Ref {
  equity: number[];
  trades: RefTrade[];
  fees: number;
  barsInMarket: number;
}

/**
 * sign(SMA_fast − SMA_slow) at bar t. For prices written as decimals (the fixture files, at
 * most 8 places) it is decided exactly, on integers: summing the doubles can turn a true tie
 * into a 1-ulp "cross" (it does once in alt-btc-1m). Elsewhere the naive float sums decide.
 */
function smaSign(s: BarSeries, t: number, fast: number, slow: number, exactDecimals: boolean): number {
  if (exactDecimals) {
    const sum = (n: number): bigint => {
      let x = 0n;
      for (let i = t - n + 1; i <= t; i++) x += BigInt(Math.round(s.close[i]! * 1e8));
      return x;
    };
    const d = sum(fast) * BigInt(slow) - sum(slow) * BigInt(fast);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  }
  const sma = (n: number): number => {
    let x = 0;
    for (let i = t - n + 1; i <= t; i++) x += s.close[i]!;
    return x / n;
  };
  return Math.sign(sma(fast) - sma(slow));
}

function referenceLoop(s: BarSeries, fast: number, slow: number, fee: number, slip: number, capital: number, exactDecimals: boolean): Ref {
  let cash = capital;
  let qty = 0;
  let long = false;
  let pending: 'buy' | 'sell' | undefined;
  let fees = 0;
  let barsInMarket = 0;
  let entry = { time: 0, price: 0, cashSpent: 0 };
  const equity: number[] = [];
  const trades: RefTrade[] = [];
  for (let t = 0; t < s.length; t++) {
    if (pending === 'buy') {
      const price = s.open[t]! * (1 + slip);
      const q = cash / (price * (1 + fee));
      const f = q * price * fee;
      entry = { time: s.ts[t]!, price, cashSpent: cash };
      cash = cash - q * price - f;
      fees += f;
      qty = q;
    } else if (pending === 'sell') {
      const price = s.open[t]! * (1 - slip);
      const proceeds = qty * price * (1 - fee);
      fees += qty * price * fee;
      trades.push({ entryTime: entry.time, entryPrice: entry.price, exitTime: s.ts[t]!, exitPrice: price, qty, pnl: proceeds - entry.cashSpent });
      cash += proceeds;
      qty = 0;
    }
    pending = undefined;
    if (t >= slow - 1) {
      const sign = smaSign(s, t, fast, slow, exactDecimals);
      if (sign > 0 && !long) {
        long = true;
        pending = 'buy';
      } else if (sign < 0 && long) {
        long = false;
        pending = 'sell';
      }
    }
    equity.push(cash + qty * s.close[t]!);
    if (qty !== 0) barsInMarket++;
  }
  return { equity, trades, fees, barsInMarket };
}

/** Every metric by its formula, on plain arrays. */
function referenceMetrics(s: BarSeries, ref: Ref, capital: number): Record<string, number | null> {
  const e = ref.equity;
  const n = e.length;
  const diffs: number[] = [];
  for (let i = 1; i < n; i++) diffs.push(s.ts[i]! - s.ts[i - 1]!);
  diffs.sort((a, b) => a - b);
  const median = diffs.length === 0 ? NaN : diffs.length % 2 ? diffs[(diffs.length - 1) / 2]! : (diffs[diffs.length / 2 - 1]! + diffs[diffs.length / 2]!) / 2;
  const P = (365 * 86400000) / median;
  const r: number[] = [];
  for (let i = 1; i < n; i++) r.push(e[i]! / e[i - 1]! - 1);
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (r.length - 1));
  const dd = Math.sqrt(r.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / r.length);
  let peak = -Infinity;
  let mdd = 0;
  for (const v of e) {
    peak = Math.max(peak, v);
    mdd = Math.max(mdd, 1 - v / peak);
  }
  // Longest drawdown: from a peak bar to the first bar back at or above it (or the end).
  let longestBars = 0;
  let longestMs = 0;
  let maxBefore = -Infinity;
  for (let i = 0; i < n; i++) {
    const isPeak = e[i]! >= maxBefore && i + 1 < n && e[i + 1]! < e[i]!;
    maxBefore = Math.max(maxBefore, e[i]!);
    if (!isPeak) continue;
    let j = i + 1;
    while (j < n && e[j]! < e[i]!) j++;
    const end = Math.min(j, n - 1);
    longestBars = Math.max(longestBars, end - i);
    longestMs = Math.max(longestMs, s.ts[end]! - s.ts[i]!);
  }
  const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const years = (s.ts[n - 1]! - s.ts[0]!) / (365 * 86400000);
  const cagr = years > 0 ? num((e[n - 1]! / e[0]!) ** (1 / years) - 1) : null;
  const pnls = ref.trades.map((t) => t.pnl);
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const k = pnls.length;
  // Buy and hold from the first close: the benchmark beside every run.
  const c = Array.from(s.close.subarray(0, n));
  let bPeak = -Infinity;
  let bMdd = 0;
  for (const v of c) {
    bPeak = Math.max(bPeak, v);
    bMdd = Math.max(bMdd, 1 - v / bPeak);
  }
  const bench = n > 0 ? c[n - 1]! / c[0]! - 1 : NaN;
  return {
    total_return: e[n - 1]! / e[0]! - 1,
    benchmark_return: num(bench),
    excess_return: num(e[n - 1]! / e[0]! - 1 - bench),
    benchmark_max_drawdown: bMdd,
    final_equity: e[n - 1]!,
    initial_capital: capital,
    cagr,
    max_drawdown: mdd,
    sharpe: sd > 0 ? num((mean / sd) * Math.sqrt(P)) : null,
    sortino: dd > 0 ? num((mean / dd) * Math.sqrt(P)) : null,
    calmar: mdd > 0 && cagr !== null ? cagr / mdd : null,
    trades: k,
    win_rate: k ? wins.length / k : null,
    profit_factor: losses.length ? sum(wins) / -sum(losses) : null,
    expectancy: k ? sum(ref.trades.map((t) => t.pnl / (t.qty * t.entryPrice))) / k : null,
    avg_trade: k ? sum(pnls) / k : null,
    avg_win: wins.length ? sum(wins) / wins.length : null,
    avg_loss: losses.length ? sum(losses) / losses.length : null,
    best_trade: k ? Math.max(...pnls) : null,
    worst_trade: k ? Math.min(...pnls) : null,
    exposure: ref.barsInMarket / n,
    fees_paid: ref.fees,
    longest_drawdown_bars: longestBars,
    longest_drawdown_ms: longestMs,
    bars: n,
    periods_per_year: num(P),
    start: s.ts[0]!,
    end: s.ts[n - 1]!,
  };
}

async function compare(s: BarSeries, fast: number, slow: number, fee: number, slip: number, capital = 10_000, exactDecimals = false): Promise<BacktestResult> {
  const res = await runBacktest({ series: s, strategy: smaCross, params: { fast, slow }, capital, fee, slippage: slip });
  const ref = referenceLoop(s, fast, slow, fee, slip, capital, exactDecimals);
  for (let t = 0; t < s.length; t++) {
    if (!near(res.equity[t]!, ref.equity[t]!)) throw new Error(`equity differs at bar ${t}: ${res.equity[t]} vs reference ${ref.equity[t]}`);
  }
  expect(res.trades.length).toBe(ref.trades.length);
  res.trades.forEach((got, i) => {
    const want = ref.trades[i]!;
    expect(got.entryTime).toBe(want.entryTime);
    expect(got.exitTime).toBe(want.exitTime);
    expect(near(got.entryPrice, want.entryPrice)).toBe(true);
    expect(near(got.exitPrice, want.exitPrice)).toBe(true);
    expect(near(got.qty, want.qty)).toBe(true);
    // pnl can be near zero: compare relative to the trade's size.
    expect(Math.abs(got.pnl - want.pnl)).toBeLessThanOrEqual(1e-9 * want.qty * want.entryPrice);
  });
  const want = referenceMetrics(s, ref, capital);
  expect(Object.keys(res.metrics).sort()).toEqual(Object.keys(want).sort());
  for (const [key, w] of Object.entries(want)) {
    const g = res.metrics[key];
    if (w === null || g === null) {
      expect({ key, value: g }).toEqual({ key, value: w });
    } else if (key === 'expectancy' || key === 'avg_trade' || key === 'avg_loss' || key === 'avg_win' || key === 'best_trade' || key === 'worst_trade') {
      // Sums of per-trade values: errors scale with the trades' size, not the result.
      expect(Math.abs(g - w), key).toBeLessThanOrEqual(1e-9 * (key === 'expectancy' ? 1 : capital));
    } else {
      expect(near(g, w, 1e-9, 1e-12), `${key}: ${g} vs ${w}`).toBe(true);
    }
  }
  return res;
}

describe('sma-cross: backtester = straight-line reference loop', () => {
  const files = referenceBarFiles();

  it('covers every reference bar file', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual([
      'alt-btc-1m-2017-11.csv',
      'btc-usdt-5m-2023-01.csv',
      'index-5m-2006.csv',
      'index-future-1m-2006-01-02.csv',
      'nvda-1d-1999-2014.csv',
      'orcl-1d-1995-2014.csv',
      'xrp-usdt-perp-1h-2021-11.csv',
      'yhoo-1d-1996-2015.csv',
    ]);
  });

  for (const f of files) {
    it(`${basename(f)}: equity, trades and metrics agree (fee 0.1%, slippage 5 bp)`, async () => {
      const res = await compare(readBarsCsv(f), 10, 30, 0.001, 0.0005, 10_000, true);
      expect(res.trades.length).toBeGreaterThan(0);
    });
  }

  it('agrees with other periods, no costs, and other capital', async () => {
    const s = readBarsCsv(join(DATA_FIXTURES, 'btc-usdt-5m-2023-01.csv'));
    await compare(s, 5, 50, 0, 0, 10_000, true);
    await compare(s, 20, 21, 0.0025, 0.001, 123.45, true);
  });

  it('flat prices: no trades, constant equity, undefined ratios are null', async () => {
    const res = await compare(barsToSeries(barsFromCloses(Array(200).fill(100))), 3, 10, 0.001, 0.0005);
    expect(res.trades).toEqual([]);
    expect(res.metrics.sharpe).toBeNull();
    expect(res.metrics.sortino).toBeNull();
    expect(res.metrics.win_rate).toBeNull();
    expect(res.metrics.profit_factor).toBeNull();
    expect(res.metrics.max_drawdown).toBe(0);
    expect(res.metrics.total_return).toBe(0);
  });

  it('equal SMAs leave the target unchanged', async () => {
    // Flat (SMA(2) = SMA(4): stay flat), rising (fast > slow: buy at bar 5's open), then
    // 4,5,4,5… where SMA(2) = SMA(4) = 4.5 exactly: hold to the end.
    const closes = [1, 1, 1, 1, 1, 2, 3, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5];
    const res = await compare(barsToSeries(barsFromCloses(closes)), 2, 4, 0.001, 0);
    expect(res.trades).toEqual([]);
    expect(res.equity[4]).toBe(10_000);
    expect(res.metrics.exposure).toBe((closes.length - 6) / closes.length);
  });

  it('a single bar', async () => {
    const res = await compare(barsToSeries(barsFromCloses([100])), 2, 3, 0.001, 0.0005);
    expect(res.equity[0]).toBe(10_000);
    expect(res.metrics.sharpe).toBeNull();
    expect(res.metrics.periods_per_year).toBeNull();
  });

  it('fewer bars than the slow period', async () => {
    const res = await compare(barsToSeries(barsFromCloses([1, 2, 3, 4, 5, 6, 7, 8, 9])), 3, 10, 0.001, 0.0005);
    expect(res.trades).toEqual([]);
    expect([...res.equity].every((e) => e === 10_000)).toBe(true);
  });

  it('a long seeded random walk', async () => {
    const res = await compare(randomWalkSeries(50_000, { seed: 42, volatility: 0.002 }), 7, 25, 0.0005, 0.0002);
    expect(res.trades.length).toBeGreaterThan(100);
  });

  it('agrees for any periods, costs and seed (property, 25 random walks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        fc.double({ min: 0, max: 0.005, noNaN: true }),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (fast, extra, fee, slip, seed) => {
          await compare(randomWalkSeries(1500, { seed, volatility: 0.003 }), fast, fast + extra, fee, slip);
        },
      ),
      { numRuns: 25, seed: 20261122 },
    );
  });

  it('a target change on the very last bar places an order that never fills', async () => {
    const closes = [10, 10, 10, 10, 10, 10, 10, 10, 11];
    const res = await compare(barsToSeries(barsFromCloses(closes)), 2, 5, 0.001, 0.0005);
    expect(res.trades).toEqual([]);
    expect(res.equity[closes.length - 1]).toBe(10_000);
    expect(res.metrics.exposure).toBe(0);
    expect(res.notes.join(' ')).toMatch(/1 orders were still working at the end/);
  });

  it('a position open at the end is marked at the last close and is not a trade', async () => {
    const closes = [10, 10, 10, 10, 10, 11, 12, 13, 14];
    const res = await compare(barsToSeries(barsFromCloses(closes)), 2, 4, 0.001, 0);
    expect(res.trades).toEqual([]);
    expect(res.metrics.exposure).toBeGreaterThan(0);
    expect(res.notes.join(' ')).toMatch(/still open at the end/);
  });
});
