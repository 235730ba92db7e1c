import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { randomWalkSeries } from '../../src/backtest/synthetic';
import { loadBarFile } from '../../src/data/load-bar-file';
import { ResearchPool } from '../../src/research/pool';
import { computeIndicators, indicatorKeys, SharedIndicators } from '../../src/research/shared-indicators';
import { blockStats } from '../../src/research/overfitting';
import { LocalExecutor, runSweep, sameMetrics, type SweepSpec } from '../../src/research/sweep';
import { runTrial } from '../../src/research/trial';
import { defineStrategy, int } from '../../sdk';
import breakout from '../../../strategies/breakout';
import smaCross from '../../../strategies/sma-cross';
import trend from '../../../strategies/trend';
import { FIXTURES } from '../backtest/helpers';
import { COSTS, sweepSpec } from './helpers';

// Two pools for the whole file: starting threads from source costs ~0.5 s each.
let one: ResearchPool;
let two: ResearchPool;
beforeAll(() => {
  one = new ResearchPool(1);
  two = new ResearchPool(2);
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
});

async function plain(spec: SweepSpec, params: Record<string, number | string | boolean>) {
  return runBacktest({ series: spec.data.series, strategy: spec.strategy, params, capital: COSTS.capital, fee: COSTS.fee, slippage: COSTS.slippage });
}

describe('a sweep on threads', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.csv'));

  it.each(files)('gives every trial the numbers of a plain backtest, with 1 and 2 workers: %s', async (file) => {
    const { series } = await loadBarFile(join(FIXTURES, file));
    for (const [strategy, ranges, fixed] of [
      [smaCross, ['fast=3:11:4', 'slow=12:40:14'], {}],
      [trend, ['fast=5:15:10', 'slow=30:60:30', 'atrStop=1:3:2'], { atrPeriod: 14, minAtrPct: 0.0005 }],
      [breakout, ['channel=10:30:20', 'exitChannel=5:15:10'], {}],
    ] as const) {
      const spec = sweepSpec(series, strategy, [...ranges], { fixed });
      const a = await runSweep(spec, new LocalExecutor(one));
      const b = await runSweep(spec, new LocalExecutor(two));
      expect(a.trials.length).toBeGreaterThan(3);
      expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
      for (let i = 0; i < a.trials.length; i++) {
        const want = await plain(spec, a.trials[i]!.params);
        expect(a.trials[i]!.error).toBeUndefined();
        expect(sameMetrics(a.trials[i]!.metrics!, want.metrics), `${file} ${strategy.id} ${JSON.stringify(a.trials[i]!.params)} 1 worker`).toBe(true);
        expect(sameMetrics(b.trials[i]!.metrics!, want.metrics), `${file} ${strategy.id} ${JSON.stringify(a.trials[i]!.params)} 2 workers`).toBe(true);
      }
      new LocalExecutor(one).release(spec);
      new LocalExecutor(two).release(spec);
    }
  }, 60_000);

  it('trials in flight together on one thread each keep their own equity curve (their PBO blocks equal a plain run’s)', async () => {
    const series = randomWalkSeries(4000, { seed: 11 });
    const settings = { capital: COSTS.capital, fee: COSTS.fee, slippage: COSTS.slippage, periodsPerYear: 525_600, pboBlocks: 8 };
    const params = [
      { fast: 3, slow: 20 },
      { fast: 8, slow: 50 },
      { fast: 5, slow: 30 },
    ];
    // Twice: the second round runs on arrays the first handed back.
    for (let round = 0; round < 2; round++) {
      const outcomes = await Promise.all(params.map((p) => runTrial(series, smaCross, p, settings)));
      for (let i = 0; i < params.length; i++) {
        const want = await runBacktest({ series, strategy: smaCross, params: params[i], ...settings });
        expect(sameMetrics(outcomes[i]!.metrics!, want.metrics)).toBe(true);
        expect(Array.from(outcomes[i]!.blocks!)).toEqual(Array.from(blockStats(want.equity, 8)));
      }
      expect(outcomes[0]!.metrics!.sharpe).not.toBe(outcomes[1]!.metrics!.sharpe);
    }
  });

  it('computes each shared indicator once per sweep, and a second batch computes none', async () => {
    const series = randomWalkSeries(3000, { seed: 5 });
    const spec = sweepSpec(series, smaCross, ['fast=2:10:2', 'slow=20:40:10']);
    two.addSeries('once', spec.data.series);
    const trials = [2, 4, 6, 8, 10].flatMap((fast) => [20, 30, 40].map((slow) => ({ fast, slow })));
    // 5 fast SMAs and 3 slow ones shared by 15 trials: 8 computed, not 30.
    expect(await two.prepare('once', smaCross, 'sma-cross', trials)).toBe(8);
    expect(await two.prepare('once', smaCross, 'sma-cross', trials)).toBe(0);
    expect(await two.prepare('once', smaCross, 'sma-cross', [{ fast: 3, slow: 20 }])).toBe(1);
    two.dropSeries('once');
  });

  it('runs a trial on the shared outputs without computing its indicators again', async () => {
    let computed = 0;
    const counted = defineStrategy({
      id: 'counted',
      name: 'counted',
      description: '',
      params: { n: int(5, 2, 50) },
      create(ctx, p) {
        const up = ctx.indicators.vector(`up(${p.n})`, (bars) => {
          computed++;
          const out = new Float64Array(bars.length).fill(NaN);
          for (let i = p.n; i < bars.length; i++) out[i] = bars.close[i]! > bars.close[i - p.n]! ? 1 : 0;
          return out;
        });
        return { onBar: () => void (up.ready && (up.value === 1 ? ctx.position().qty === 0 && ctx.buy({ quoteQty: ctx.cash() }) : ctx.closePosition())) };
      },
    });
    const series = randomWalkSeries(2000, { seed: 9 });
    const shared = new SharedIndicators(series);
    const keys = new Set(indicatorKeys(series, counted, { n: 5 })!);
    shared.add(computeIndicators(series, counted, [{ n: 5 }], keys));
    expect(computed).toBe(1);
    const runs = [];
    for (let k = 0; k < 4; k++) runs.push(await runBacktest({ series, strategy: counted, params: { n: 5 }, capital: 1000, indicators: shared }));
    expect(computed).toBe(1); // four trials, one computation
    const alone = await runBacktest({ series, strategy: counted, params: { n: 5 }, capital: 1000 });
    expect(computed).toBe(2);
    for (const r of runs) expect(sameMetrics(r.metrics, alone.metrics)).toBe(true);
    expect(alone.trades.length).toBeGreaterThan(10);
  });

  it('refuses to share a vector column whose key leaves out a parameter it depends on', async () => {
    const sloppy = defineStrategy({
      id: 'sloppy',
      name: 'sloppy',
      description: '',
      params: { n: int(5, 2, 50) },
      create(ctx, p) {
        ctx.indicators.vector('up', (bars) => Float64Array.from({ length: bars.length }, (_, i) => (i >= p.n && bars.close[i]! > bars.close[i - p.n]! ? 1 : 0)));
        return {};
      },
    });
    const series = randomWalkSeries(500, { seed: 2 });
    expect(() => computeIndicators(series, sloppy, [{ n: 5 }, { n: 9 }], new Set(['vector:up']))).toThrow('has different values for different parameters; put those parameters in its key');
  });

  it('proposes the same random and TPE trials under a seed, whatever the worker count', async () => {
    const series = randomWalkSeries(2000, { seed: 4 });
    for (const method of ['random', 'tpe'] as const) {
      const spec = sweepSpec(series, smaCross, ['fast=2:30:1', 'slow=31:120:1'], { method, trials: 20, seed: 11 });
      const a = await runSweep(spec, new LocalExecutor(one));
      const b = await runSweep(spec, new LocalExecutor(two));
      expect(a.trials).toHaveLength(20);
      expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
      expect(b.trials.map((t) => t.metrics)).toEqual(a.trials.map((t) => t.metrics));
      expect(new Set(a.trials.map((t) => JSON.stringify(t.params))).size).toBe(20);
      const other = await runSweep({ ...spec, seed: 12 }, new LocalExecutor(two));
      expect(other.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    }
  });

  it('cancels: the sweep stops with CANCELLED and the pool ends its threads', async () => {
    const pool = new ResearchPool(1);
    const spec = sweepSpec(randomWalkSeries(20_000, { seed: 3 }), smaCross, ['fast=2:20:1', 'slow=30:80:1']);
    const ac = new AbortController();
    const done = runSweep(spec, new LocalExecutor(pool), { signal: ac.signal, onProgress: (p) => p.done >= 3 && ac.abort() });
    await expect(done).rejects.toThrow(/cancelled after \d+ of \d+ trials/);
    await expect(pool.trial('x', 'sma-cross', {}, spec.settings)).rejects.toThrow();
  });
});
