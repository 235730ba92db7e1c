// Test helpers for the research lab: a sweep spec over bars in memory.
import { defaultPeriodsPerYear } from '../../src/backtest/metrics';
import type { BarSeries } from '../../src/model/bar';
import { sharedSeries } from '../../src/research/pool';
import { seriesSha256 } from '../../src/research/run-record';
import { buildSpace } from '../../src/research/space';
import type { Method, SweepSpec } from '../../src/research/sweep';
import type { RawParams } from '../../src/strategy/params';
import type { StrategyModule } from '../../sdk';

export const COSTS = { capital: 10_000, fee: 0.001, slippage: 0.0005 };

export function sweepSpec(series: BarSeries, strategy: StrategyModule, ranges: string[], o: { method?: Method; trials?: number; seed?: number; fixed?: RawParams; pboBlocks?: number; minTrades?: number } = {}): SweepSpec {
  const shared = sharedSeries(series);
  const sha = seriesSha256(series);
  return {
    data: { series: shared, id: `${sha}:0:${series.length}`, sha256: sha, from: 0, to: series.length },
    strategy,
    ref: strategy.id,
    strategySha256: 'test',
    space: buildSpace(strategy, ranges, o.fixed ?? {}),
    method: o.method ?? 'grid',
    trials: o.trials ?? 20,
    seed: o.seed ?? 1,
    objective: 'sharpe',
    minTrades: o.minTrades ?? 1,
    settings: { ...COSTS, periodsPerYear: defaultPeriodsPerYear(series.ts, series.length), pboBlocks: o.pboBlocks ?? 4 },
  };
}
