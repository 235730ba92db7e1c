/**
 * A parameter sweep: the points of the search space (grid, seeded random, or TPE batches)
 * run as trials on an executor (this machine's threads, or workers on a BullMQ queue), the
 * results kept in trial order, the best picked by the objective, and the overfitting guards
 * computed. The best trial is run once more here, as a plain backtest, for its files and
 * its returns; that run must equal its trial to the last bit, and the sweep fails loudly
 * if it does not.
 */
import { runBacktest, type BacktestResult } from '../backtest/engine';
import type { Metrics } from '../backtest/metrics';
import { KeelError } from '../core/errors';
import type { BarSeries } from '../model/bar';
import type { StrategyModule } from '../../sdk';
import { deflatedSharpe, probabilityOfOverfitting, returnShape, sharpeSpread, type PboResult } from './overfitting';
import type { StrategyRef } from './pool-messages';
import { gridPoints, paramsKey, randomPoints, Skipped, type ParamSpace, type Params } from './space';
import { proposeTpe, TPE_BATCH, type Observation } from './tpe';
import { objectiveValue, type Objective, type TrialOutcome, type TrialSettings } from './trial';

export const METHODS = ['grid', 'random', 'tpe'] as const;
export type Method = (typeof METHODS)[number];

/** The data a sweep runs on: bars, their identity (content hash and range) and where they came from. */
export interface SweepData {
  series: BarSeries;
  /** Identifies these exact bars to every executor (content hash and bar range). */
  id: string;
  sha256: string;
  /** The file the bars were read from, for workers on other machines. */
  path?: string;
  /** The bars' place in the file: [from, to) bar indices. */
  from: number;
  to: number;
}

export interface SweepSpec {
  data: SweepData;
  strategy: StrategyModule;
  ref: StrategyRef;
  /** Hash of the strategy's source, checked by remote workers. */
  strategySha256: string;
  space: ParamSpace;
  method: Method;
  /** Trials for random and TPE (a grid runs every point). */
  trials: number;
  seed: number;
  objective: Objective;
  minTrades: number;
  settings: TrialSettings;
}

export interface TrialJob {
  index: number;
  params: Params;
}

/** Where trials run: this machine's thread pool, or a BullMQ queue (queue.ts). */
export interface TrialExecutor {
  /** Runs a batch of a sweep's trials, reporting each as it completes. */
  run(spec: SweepSpec, batch: readonly TrialJob[], onResult: (index: number, outcome: TrialOutcome) => void): Promise<void>;
  /** The sweep over this data is over: its bars and shared indicators may go. */
  release?(spec: SweepSpec): Promise<void> | void;
  close(): Promise<void>;
}

export interface TrialRecord extends TrialOutcome {
  index: number;
  /** The objective, where the trial qualifies (enough trades, objective defined). */
  score?: number;
}

export interface SweepProgress {
  done: number;
  total: number;
  best?: TrialRecord;
}

export interface SweepResult {
  trials: TrialRecord[];
  best: TrialRecord | undefined;
  skipped: Skipped;
}

function cancelled(done: number, total: number): KeelError {
  return new KeelError('CANCELLED', `cancelled after ${done} of ${total} trials`, { where: 'sweep' });
}

/**
 * Runs the sweep. Trials are numbered in the order the method proposes them, so the
 * result is the same whatever the executor and however many workers it has.
 */
export async function runSweep(spec: SweepSpec, exec: TrialExecutor, opts: { onProgress?: (p: SweepProgress) => void; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const skipped = new Skipped();
  const records: TrialRecord[] = [];
  let best: TrialRecord | undefined;
  const seen = new Set<string>();
  const batches: Params[][] = [];
  let total: number;
  if (spec.method === 'grid') {
    batches.push(gridPoints(spec.space, skipped));
    total = batches[0]!.length;
  } else if (spec.method === 'random') {
    batches.push(randomPoints(spec.space, spec.trials, spec.seed, skipped, seen));
    total = batches[0]!.length;
  } else {
    total = spec.trials;
  }
  if (spec.method !== 'tpe' && total === 0) throw new KeelError('BAD_INPUT', `no parameter set in the space is valid for ${spec.strategy.id}${skipped.first ? ` (${skipped.first})` : ''}`, { where: '--param-range' });

  const runBatch = async (points: Params[]): Promise<void> => {
    const jobs = points.map((params, i) => ({ index: records.length + i, params }));
    const slot = records.length;
    records.length += jobs.length;
    const done = () => records.filter(Boolean).length;
    // A cancel closes the executor: its threads end (or its queued jobs go) at once.
    const onAbort = () => void exec.close();
    if (opts.signal?.aborted) throw cancelled(done(), total);
    opts.signal?.addEventListener('abort', onAbort);
    try {
      await exec.run(spec, jobs, (index, outcome) => {
        const r: TrialRecord = { ...outcome, index, score: objectiveValue(outcome.metrics, spec.objective, spec.minTrades) };
        records[index] = r;
        if (r.score !== undefined && (!best || r.score > best.score! || (r.score === best.score && index < best.index))) best = r;
        opts.onProgress?.({ done: done(), total, best });
      });
    } catch (e) {
      throw opts.signal?.aborted ? cancelled(done(), total) : e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (opts.signal?.aborted) throw cancelled(done(), total);
    if (records.length !== slot + jobs.length || records.slice(slot).some((r) => !r)) throw new KeelError('INTERNAL', 'a trial of the batch never reported', { where: 'sweep' });
  };

  opts.onProgress?.({ done: 0, total });
  if (spec.method === 'tpe') {
    for (let b = 0; records.length < spec.trials; b++) {
      const history: Observation[] = records.map((r) => ({ params: r.params, score: r.score }));
      const points = proposeTpe(spec.space, history, Math.min(TPE_BATCH, spec.trials - records.length), spec.seed, b, skipped, seen);
      if (points.length === 0) break; // the space is exhausted
      await runBatch(points);
    }
    if (records.length === 0) throw new KeelError('BAD_INPUT', `no parameter set in the space is valid for ${spec.strategy.id}${skipped.first ? ` (${skipped.first})` : ''}`, { where: '--param-range' });
  } else {
    await runBatch(batches[0]!);
  }
  // The best is re-derived in trial order so it cannot depend on arrival order.
  best = undefined;
  for (const r of records) if (r.score !== undefined && (!best || r.score > best.score!)) best = r;
  return { trials: records, best, skipped };
}

export interface SweepAnalysis {
  /** The best trial's plain backtest (for best/ and its returns). */
  bestRun: BacktestResult | undefined;
  deflatedSharpe: number | null;
  sr0: number | null;
  pbo: PboResult | undefined;
}

/** Metrics equal, key for key and bit for bit (null where null). */
export function sameMetrics(a: Metrics, b: Metrics): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]));
}

/** Runs the best trial as a plain backtest and computes the deflated Sharpe ratio and PBO. */
export async function analyseSweep(spec: SweepSpec, result: SweepResult): Promise<SweepAnalysis> {
  const s = spec.settings;
  let bestRun: BacktestResult | undefined;
  if (result.best) {
    bestRun = await runBacktest({ series: spec.data.series, strategy: spec.strategy, params: result.best.params, capital: s.capital, fee: s.fee, slippage: s.slippage, periodsPerYear: s.periodsPerYear });
    if (!sameMetrics(bestRun.metrics, result.best.metrics!)) {
      throw new KeelError('INTERNAL', `trial ${result.best.index} (${paramsKey(spec.strategy, result.best.params)}) gave other numbers than a plain backtest with its parameters`, { where: 'sweep' });
    }
  }
  const sharpes = result.trials.map((t) => t.metrics?.sharpe).filter((x): x is number => typeof x === 'number');
  const { n, v } = sharpeSpread(sharpes, s.periodsPerYear);
  const shape = bestRun ? returnShape(bestRun.equity) : undefined;
  const { dsr, sr0 } = shape ? deflatedSharpe({ ...shape, n, v }) : { dsr: null, sr0: null };
  const withBlocks = result.trials.filter((t) => t.blocks);
  const pbo = s.pboBlocks > 0 && withBlocks.length >= 2 ? probabilityOfOverfitting(withBlocks.map((t) => t.blocks!), s.pboBlocks) : undefined;
  return { bestRun, deflatedSharpe: dsr, sr0, pbo };
}

/** This machine's threads as a sweep executor. */
export class LocalExecutor implements TrialExecutor {
  private readonly added = new Set<string>();

  constructor(private readonly pool: import('./pool').ResearchPool) {}

  async run(spec: SweepSpec, batch: readonly TrialJob[], onResult: (index: number, outcome: TrialOutcome) => void): Promise<void> {
    if (!this.added.has(spec.data.id)) {
      this.pool.addSeries(spec.data.id, spec.data.series);
      this.added.add(spec.data.id);
    }
    await this.pool.prepare(spec.data.id, spec.strategy, spec.ref, batch.map((j) => j.params));
    await Promise.all(batch.map(async (j) => onResult(j.index, await this.pool.trial(spec.data.id, spec.ref, j.params, spec.settings))));
  }

  release(spec: SweepSpec): void {
    if (this.added.delete(spec.data.id)) this.pool.dropSeries(spec.data.id);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
