/**
 * One trial of a sweep: a plain runBacktest (the engine `keel backtest` runs) with the
 * trial's parameters, the sweep's costs, and the sweep's shared indicators. What comes back
 * is small: the metrics (metrics.json's), the per-block return statistics PBO needs, and
 * the error of a trial that failed.
 */
import { runBacktest } from '../backtest/engine';
import type { Metrics } from '../backtest/metrics';
import { KeelError } from '../core/errors';
import type { BarSeries } from '../model/bar';
import type { IndicatorSource } from '../strategy/indicators';
import type { StrategyModule } from '../../sdk';
import { blockStats } from './overfitting';
import type { Params } from './space';

/** What every trial of a sweep shares besides its data. */
export interface TrialSettings {
  capital: number;
  fee: number;
  slippage: number;
  /** Fixed for the sweep: given, or computed once from the series as runBacktest would. */
  periodsPerYear: number;
  /** Blocks for PBO (CSCV); 0 = none. */
  pboBlocks: number;
}

export interface TrialOutcome {
  params: Params;
  metrics?: Metrics;
  /** Count, mean and M2 of per-bar returns for each PBO block. */
  blocks?: Float64Array;
  error?: string;
}

export const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'total_return', 'profit_factor'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** The trial's objective value, or undefined where it is undefined or the trial made too few trades. */
export function objectiveValue(metrics: Metrics | undefined, objective: Objective, minTrades: number): number | undefined {
  if (!metrics || (metrics.trades ?? 0) < minTrades) return undefined;
  const v = metrics[objective];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Equity arrays handed from trial to trial (one per trial in flight, a few lengths at most):
 * a new curve per trial, 1.6 MB at 200,000 bars, is garbage a thread collects hundreds of
 * times a sweep, and fresh memory each time.
 */
const spareEquity: Float64Array[] = [];
const MAX_SPARE = 4;

function takeEquity(n: number): Float64Array {
  const i = spareEquity.findIndex((a) => a.length === n);
  return i >= 0 ? spareEquity.splice(i, 1)[0]! : new Float64Array(n);
}

function giveEquity(a: Float64Array): void {
  spareEquity.push(a);
  if (spareEquity.length > MAX_SPARE) spareEquity.shift();
}

export async function runTrial(series: BarSeries, strategy: StrategyModule, params: Params, s: TrialSettings, indicators?: IndicatorSource): Promise<TrialOutcome> {
  const equity = takeEquity(series.length);
  try {
    const r = await runBacktest({
      series,
      strategy,
      params,
      capital: s.capital,
      fee: s.fee,
      slippage: s.slippage,
      periodsPerYear: s.periodsPerYear,
      indicators,
      progressEvery: Number.MAX_SAFE_INTEGER,
      equityInto: equity,
    });
    return { params, metrics: r.metrics, blocks: s.pboBlocks > 0 ? blockStats(r.equity, s.pboBlocks) : undefined };
  } catch (e) {
    return { params, error: e instanceof KeelError || e instanceof Error ? e.message : String(e) };
  } finally {
    giveEquity(equity);
  }
}
