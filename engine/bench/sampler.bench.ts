// Why TPE: the measured comparison behind `--method tpe`. For each shipped strategy, a search
// space small enough to run whole as a grid (the ground truth) over a reference bar file;
// then random search and TPE with the same budget of trials, five seeds each. Reported: the
// best Sharpe each found, as the share of the grid's points it beats (1.000 = the grid's
// best), averaged over the seeds, and how often each reached the grid's top 1%.
// `npm run bench -- sampler` (a few minutes on 2 cores; KEEL_BENCH_SAMPLER_BUDGET, _SEEDS).
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPeriodsPerYear } from '../src/backtest/metrics';
import { loadBarFile } from '../src/data/load-bar-file';
import { ResearchPool, sharedSeries } from '../src/research/pool';
import { buildSpace } from '../src/research/space';
import { LocalExecutor, runSweep, type Method, type SweepSpec } from '../src/research/sweep';
import type { RawParams } from '../src/strategy/params';
import type { StrategyModule } from '../sdk';
import breakout from '../../strategies/breakout';
import meanReversion from '../../strategies/mean-reversion';
import smaCross from '../../strategies/sma-cross';
import trend from '../../strategies/trend';

const BUDGET = Number(process.env.KEEL_BENCH_SAMPLER_BUDGET ?? 40);
const SEEDS = Number(process.env.KEEL_BENCH_SAMPLER_SEEDS ?? 5);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

const CASES: { strategy: StrategyModule; ranges: string[]; fixed: RawParams }[] = [
  { strategy: smaCross, ranges: ['fast=2:60:2', 'slow=20:300:10'], fixed: {} },
  { strategy: trend, ranges: ['fast=5:50:5', 'slow=60:300:30', 'atrStop=1:4:0.5'], fixed: { atrPeriod: 14, minAtrPct: 0.0005 } },
  { strategy: meanReversion, ranges: ['period=5:60:5', 'entryZ=1:3:0.25', 'exitZ=-1:1:0.5'], fixed: { maxBars: 12 } },
  { strategy: breakout, ranges: ['channel=5:100:5', 'exitChannel=5:100:5'], fixed: {} },
];

export async function run(): Promise<void> {
  const file = join(ROOT, 'engine/test/fixtures/data/btc-usdt-5m-2023-01.csv');
  const { series, report } = await loadBarFile(file);
  const shared = sharedSeries(series);
  const pool = new ResearchPool();
  const exec = new LocalExecutor(pool);
  console.log(`budget ${BUDGET} trials, ${SEEDS} seeds, on ${series.symbol} ${series.timeframe} (${series.length} bars); objective Sharpe, costs 0.1% + 0.05%`);
  for (const c of CASES) {
    const spec = (method: Method, seed: number): SweepSpec => ({
      data: { series: shared, id: `${report.sha256}:0:${series.length}`, sha256: report.sha256, path: file, from: 0, to: series.length },
      strategy: c.strategy,
      ref: c.strategy.id,
      strategySha256: '',
      space: buildSpace(c.strategy, c.ranges, c.fixed),
      method,
      trials: BUDGET,
      seed,
      objective: 'sharpe',
      minTrades: 5,
      settings: { capital: 10_000, fee: 0.001, slippage: 0.0005, periodsPerYear: defaultPeriodsPerYear(series.ts, series.length), pboBlocks: 0 },
    });
    const grid = await runSweep(spec('grid', 1), exec);
    const scores = grid.trials.map((t) => t.score ?? -Infinity).sort((a, b) => a - b);
    const share = (v: number | undefined) => (v === undefined ? 0 : scores.filter((s) => s < v).length / Math.max(1, scores.length - 1));
    const top1 = scores[Math.floor(0.99 * (scores.length - 1))]!;
    const line = [`${c.strategy.id.padEnd(14)} grid ${String(grid.trials.length).padStart(4)} points, best ${grid.best?.score?.toFixed(3)}`];
    for (const method of ['random', 'tpe'] as const) {
      let sum = 0;
      let hits = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = await runSweep(spec(method, seed), exec);
        sum += share(r.best?.score);
        if ((r.best?.score ?? -Infinity) >= top1) hits++;
      }
      line.push(`${method} beats ${(sum / SEEDS).toFixed(3)} of the grid, top 1% in ${hits}/${SEEDS}`);
    }
    console.log(`${line.join('; ')} (load average ${loadavg()[0]!.toFixed(1)})`);
  }
  await pool.close();
}
