import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { computeMetrics, defaultPeriodsPerYear, medianSpacing } from '../../src/backtest/metrics';
import { randomWalkSeries } from '../../src/backtest/synthetic';
import type { Bar } from '../../src/model/bar';
import { defineStrategy } from '../../sdk';
import smaCross from '../../../strategies/sma-cross';
import { barsToSeries } from './helpers';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const bar = (i: number, o: number, h: number, l: number, c: number): Bar => ({ ts: T0 + i * MIN, open: o, high: h, low: l, close: c, volume: 1 });

describe('backtest engine', () => {
  it('bar timing: an order placed at bar t’s close fills at t+1’s open; equity is cash + qty × close', async () => {
    const bars = [bar(0, 10, 10, 10, 10), bar(1, 11, 12, 10, 11.5), bar(2, 13, 14, 12, 12.5), bar(3, 12, 13, 11, 12)];
    const seen: number[] = [];
    const m = defineStrategy({
      id: 'once',
      name: 'once',
      description: '',
      params: {},
      create: (ctx) => ({
        onBar(b) {
          seen.push(ctx.position().qty);
          if (b.index === 0) ctx.buy({ qty: 10 });
          if (b.index === 2) ctx.sell({ qty: 10 });
        },
      }),
    });
    const res = await runBacktest({ series: barsToSeries(bars), strategy: m, capital: 1000, slippage: 0.01, fee: 0.001 });
    expect(seen).toEqual([0, 10, 10, 0]); // the strategy sees its fill from the next bar on
    const buy = 11 * 1.01;
    const cashAfterBuy = 1000 - 10 * buy * 1.001;
    expect(res.equity[0]).toBe(1000);
    expect(res.equity[1]).toBeCloseTo(cashAfterBuy + 10 * 11.5, 10);
    expect(res.equity[2]).toBeCloseTo(cashAfterBuy + 10 * 12.5, 10);
    const sell = 12 * 0.99;
    expect(res.equity[3]).toBeCloseTo(cashAfterBuy + 10 * sell * 0.999, 10);
    expect(res.trades).toMatchObject([{ entryTime: bars[1]!.ts, exitTime: bars[3]!.ts, qty: 10 }]);
    expect(res.trades[0]!.pnl).toBeCloseTo(10 * sell * 0.999 - 10 * buy * 1.001, 10);
    expect(res.metrics.fees_paid).toBeCloseTo(10 * buy * 0.001 + 10 * sell * 0.001, 12);
    expect(res.metrics.exposure).toBe(0.5);
  });

  it('notes bars where a stop and a target were both reachable (resolved as stop first)', async () => {
    const bars = [bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100), bar(2, 100, 101, 99, 100), bar(3, 100, 120, 80, 100), bar(4, 100, 100, 100, 100)];
    const m = defineStrategy({
      id: 'bracket',
      name: 'bracket',
      description: '',
      params: {},
      create: (ctx) => ({
        onBar(b) {
          if (b.index === 0) ctx.buy({ qty: 1 });
          if (b.index === 1) {
            ctx.place({ side: 'sell', type: 'stop', qty: 1, stopPrice: 90, reduceOnly: true, tag: 'stop' });
            ctx.place({ side: 'sell', type: 'limit', qty: 1, price: 110, reduceOnly: true, tag: 'target' });
          }
        },
      }),
    });
    const res = await runBacktest({ series: barsToSeries(bars), strategy: m, capital: 1000 });
    expect(res.notes).toContain('1 bars had both stop and target reachable; resolved as stop first');
    expect(res.trades).toMatchObject([{ exitPrice: 90, exitReason: 'stop', exitTime: bars[3]!.ts }]);
  });

  it('runs every order through the risk hook and the journal, as live trading does', async () => {
    const bars = Array.from({ length: 8 }, (_, i) => bar(i, 10, 10, 10, 10));
    const denied: string[] = [];
    const journaled: string[] = [];
    const m = defineStrategy({
      id: 'asker',
      name: 'asker',
      description: '',
      params: {},
      create: (ctx) => ({
        onBar(b) {
          if (b.index === 1) ctx.buy({ qty: 1 });
          if (b.index === 3) ctx.buy({ qty: 500 });
        },
        onOrderEvent: (e) => void (e.kind === 'denied' && denied.push(e.reason)),
      }),
    });
    const res = await runBacktest({
      series: barsToSeries(bars),
      strategy: m,
      capital: 1000,
      risk: { check: (r, view) => ((r.qty ?? 0) * view.referencePrice(r.symbol)!.price > 100 ? { ok: false, check: 'max-notional', reason: 'over 100' } : { ok: true, request: r }) },
      journal: { orderChanged: (o) => journaled.push(`${o.id} ${o.status}`), fillAdded: (f) => journaled.push(`${f.orderId} fill ${f.qty}`) },
    });
    expect(denied).toEqual(['over 100']);
    expect(journaled).toEqual(['order-1 submitted', 'order-1 accepted', 'order-1 fill 1', 'order-1 filled']);
    expect(res.fills).toBe(1);
  });

  it('reports progress and stops when cancelled', async () => {
    const s = randomWalkSeries(10_000, { seed: 1 });
    const progress: number[] = [];
    await runBacktest({ series: s, strategy: smaCross, capital: 1000, progressEvery: 2500, onProgress: (done, total) => progress.push(done / total) });
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    const ac = new AbortController();
    const run = runBacktest({ series: s, strategy: smaCross, capital: 1000, progressEvery: 1000, signal: ac.signal, onProgress: (done) => done >= 3000 && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/cancelled after 3000 of 10000 bars/) });
  });

  it('writes its equity into an array it is handed, every bar overwritten, with the numbers of a fresh run', async () => {
    const s = randomWalkSeries(5_000, { seed: 3 });
    const cfg = { series: s, strategy: smaCross, params: { fast: 5, slow: 20 }, capital: 1000, fee: 0.001 };
    const fresh = await runBacktest(cfg);
    const into = new Float64Array(s.length).fill(-1);
    const reused = await runBacktest({ ...cfg, equityInto: into });
    expect(reused.equity).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(fresh.equity));
    expect(reused.metrics).toEqual(fresh.metrics);
    await expect(runBacktest({ ...cfg, equityInto: new Float64Array(10) })).rejects.toThrow('backtest equityInto: the equity array has 10 places for 5000 bars');
  });

  it('refuses data it cannot replay honestly, and bad settings, naming them', async () => {
    const run = (bars: Bar[], extra: object = {}) => runBacktest({ series: barsToSeries(bars, 'X/USD', '1m'), strategy: smaCross, capital: 1000, ...extra });
    await expect(run([])).rejects.toThrow('backtest data X/USD: the bar series is empty');
    await expect(run([bar(1, 1, 1, 1, 1), bar(0, 1, 1, 1, 1)])).rejects.toThrow(/timestamps must increase: bar 1/);
    await expect(run([bar(0, 1, 1, 1, 1), bar(1, 1, 2, 1, -1)])).rejects.toThrow(/bar 1 has a price that is not a positive number/);
    await expect(run([bar(0, 1, 1, 1, 1), bar(1, 1, 2, 1.5, 1)])).rejects.toThrow(/bar 1 has open\/close outside \[low, high\]/);
    await expect(run([bar(0, 1, 1, 1, 1)], { capital: 0 })).rejects.toThrow(/backtest capital: capital must be a positive number/);
    await expect(run([bar(0, 1, 1, 1, 1)], { fee: 1.5 })).rejects.toThrow(/backtest fee: must be a fraction/);
  });
});

describe('metrics', () => {
  it('median spacing counts every gap (odd and even counts, a gappy file)', () => {
    expect(medianSpacing(Float64Array.from([0, 1, 3, 6]), 4)).toBe(2);
    expect(medianSpacing(Float64Array.from([0, 1, 2, 4, 7]), 5)).toBe(1.5);
    expect(medianSpacing(Float64Array.from([0, 60, 120, 600, 660]), 5)).toBe(60);
    expect(defaultPeriodsPerYear(Float64Array.from([0, 86_400_000, 2 * 86_400_000]), 3)).toBe(365);
  });

  it('honours a periods-per-year override and keeps undefined values null', () => {
    const ts = Float64Array.from([0, 1, 2, 3]);
    const equity = Float64Array.from([100, 110, 99, 120]);
    const base = { ts, equity, length: 4, trades: [], feesPaid: 0, barsInMarket: 2, initialCapital: 100 };
    const a = computeMetrics({ ...base, periodsPerYear: 252 });
    const b = computeMetrics({ ...base, periodsPerYear: 1 });
    expect(a.sharpe! / b.sharpe!).toBeCloseTo(Math.sqrt(252), 12);
    expect(a.max_drawdown).toBeCloseTo(0.1, 15);
    expect(a.longest_drawdown_bars).toBe(2);
    expect(a).toMatchObject({ trades: 0, win_rate: null, profit_factor: null, avg_trade: null, best_trade: null, exposure: 0.5 });
  });
});
