/**
 * The flags `keel optimize` and `keel walkforward` share, and what they turn into: the data
 * (in SharedArrayBuffers, for the threads), the strategy and its search space, the method,
 * the objective, the costs, and where trials run (--workers threads here, or --queue).
 */
import { resolve } from 'node:path';
import { badInput, isKeelError } from '../core/errors';
import { defaultPeriodsPerYear } from '../backtest/metrics';
import { loadStrategy } from '../strategy/loader';
import { parseParamArgs } from '../strategy/params';
import { ResearchPool, sharedSeries, defaultThreads } from '../research/pool';
import { absoluteRef, dataInput, strategySha256, type RunManifest } from '../research/run-record';
import { buildSpace } from '../research/space';
import { LocalExecutor, METHODS, type Method, type SweepData, type SweepProgress, type SweepSpec, type TrialExecutor } from '../research/sweep';
import { OBJECTIVES, type Objective } from '../research/trial';
import { intFlag, loadRunData, parseCosts, RUN_OPTIONS } from './args';
import type { CliIO } from './types';

export const SWEEP_OPTIONS = {
  ...RUN_OPTIONS,
  param: { type: 'string', multiple: true },
  'param-range': { type: 'string', multiple: true },
  method: { type: 'string' },
  trials: { type: 'string' },
  objective: { type: 'string' },
  'min-trades': { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  queue: { type: 'string' },
  'trials-per-job': { type: 'string' },
  'pbo-blocks': { type: 'string' },
} as const;

export const SWEEP_USAGE = `  --data FILE              bars (any layout \`keel import\` reads)
  --strategy NAME|FILE     a shipped strategy (\`keel strategies\`) or a .ts file
  --param-range k=lo:hi:step  search k over lo..hi (within its declared range); repeat.
                           Parameters without one are searched over their declared range.
  --param k=v              hold k at v (not searched); repeat
  --method grid|random|tpe grid: every point (default); random: --trials seeded draws;
                           tpe: tree-structured Parzen estimator, --trials in batches of 8
  --trials N               trials for random and tpe (default 100)
  --objective NAME         sharpe (default), sortino, calmar, total_return or profit_factor
  --min-trades N           a trial with fewer trades cannot be best (default 1)
  --workers N              threads (default: every core)
  --seed N                 seed of random and tpe (default 1)
  --queue redis://HOST:PORT  run the trials on \`keel worker\` processes through that Redis
  --trials-per-job N       trials in each queue job (default: about 2M bar-evaluations' worth)
  --fee F --slippage S --capital C [--periods-per-year P]   costs, as \`keel backtest\`
  --pbo-blocks S           blocks of the PBO cross-validation (even, default 16)
  --out DIR                where the files go (required)`;

export type SweepFlags = { -readonly [K in keyof typeof SWEEP_OPTIONS]?: (typeof SWEEP_OPTIONS)[K] extends { multiple: true } ? string[] : string };

export interface SweepSetup {
  spec: SweepSpec;
  workers: number;
  queue: string | undefined;
  trialsPerJob: number | undefined;
  /** The flags for run.json, paths made absolute, without --out. */
  args: string[];
  inputs: RunManifest['inputs'];
}

function pick<T extends string>(name: string, v: string | undefined, all: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(all as readonly string[]).includes(v)) throw badInput(`must be one of ${all.join(', ')}, got "${v}"`, `--${name}`);
  return v as T;
}

/** Parses the shared flags and loads the data and the strategy. `from`/`to` cut the bars a sweep sees. */
export async function sweepSetup(io: CliIO, v: SweepFlags): Promise<SweepSetup> {
  if (!v.strategy) throw badInput('is required (`keel strategies` lists them)', '--strategy');
  if (!v.out) throw badInput('is required (the folder the files go to)', '--out');
  const costs = parseCosts(v);
  const method = pick<Method>('method', v.method, METHODS, 'grid');
  const objective = pick<Objective>('objective', v.objective, OBJECTIVES, 'sharpe');
  const trials = intFlag('trials', v.trials, 100, 1);
  if (method === 'grid' && v.trials !== undefined) throw badInput('applies to --method random or tpe; a grid runs every point', '--trials');
  const minTrades = intFlag('min-trades', v['min-trades'], 1, 0);
  const workers = intFlag('workers', v.workers, defaultThreads(), 1);
  const seed = intFlag('seed', v.seed, 1, 0);
  const pboBlocks = intFlag('pbo-blocks', v['pbo-blocks'], 16, 0);
  if (pboBlocks !== 0 && (pboBlocks % 2 !== 0 || pboBlocks > 24 || pboBlocks < 2)) throw badInput(`must be an even number from 2 to 24 (0 = no PBO), got ${pboBlocks}`, '--pbo-blocks');
  if (v.queue !== undefined && !/^rediss?:\/\//.test(v.queue)) throw badInput(`must be a redis:// URL, got "${v.queue}"`, '--queue');
  if (v['trials-per-job'] !== undefined && v.queue === undefined) throw badInput('applies to --queue runs', '--trials-per-job');
  const trialsPerJob = v['trials-per-job'] === undefined ? undefined : intFlag('trials-per-job', v['trials-per-job'], 1, 1);

  const strategy = await loadStrategy(v.strategy, io.cwd);
  const fixed = parseParamArgs(strategy, v.param ?? []);
  const space = buildSpace(strategy, v['param-range'] ?? [], fixed);
  const { file, series, report } = await loadRunData(io, v);
  const ref = absoluteRef(v.strategy, io.cwd);
  const strategyHash = strategySha256(v.strategy, strategy, io.cwd);
  const shared = sharedSeries(series);
  const data: SweepData = { series: shared, id: `${report.sha256}:0:${series.length}`, sha256: report.sha256, path: file, from: 0, to: series.length };
  const periodsPerYear = costs.periodsPerYear ?? defaultPeriodsPerYear(series.ts, series.length);

  const args = ['--data', file, '--strategy', ref];
  for (const p of v.param ?? []) args.push('--param', p);
  for (const r of v['param-range'] ?? []) args.push('--param-range', r);
  args.push('--method', method, '--objective', objective, '--min-trades', String(minTrades), '--seed', String(seed), '--pbo-blocks', String(pboBlocks));
  if (method !== 'grid') args.push('--trials', String(trials));
  args.push('--fee', String(costs.fee), '--slippage', String(costs.slippage), '--capital', String(costs.capital));
  if (costs.periodsPerYear !== undefined) args.push('--periods-per-year', String(costs.periodsPerYear));
  if (v.symbol) args.push('--symbol', v.symbol);
  if (v.timeframe) args.push('--timeframe', v.timeframe);

  return {
    spec: {
      data,
      strategy,
      ref,
      strategySha256: strategyHash,
      space,
      method,
      trials,
      seed,
      objective,
      minTrades,
      settings: { capital: costs.capital, fee: costs.fee, slippage: costs.slippage, periodsPerYear, pboBlocks },
    },
    workers,
    queue: v.queue,
    trialsPerJob,
    args,
    inputs: {
      data: dataInput(file, report.sha256, series),
      strategy: { ref, sha256: strategyHash },
      fixed,
      ranges: v['param-range'] ?? [],
      method,
      trials: method === 'grid' ? null : trials,
      objective,
      min_trades: minTrades,
      seed,
      costs: { fee: costs.fee, slippage: costs.slippage, capital: costs.capital, periods_per_year: periodsPerYear },
      pbo_blocks: pboBlocks,
    },
  };
}

/** Threads here, or the BullMQ queue. */
export async function sweepExecutor(setup: SweepSetup, io: CliIO): Promise<TrialExecutor> {
  if (setup.queue) {
    const { QueueExecutor } = await import('../research/queue');
    return QueueExecutor.connect(setup.queue, { log: (l) => io.err(l), trialsPerJob: setup.trialsPerJob });
  }
  return new LocalExecutor(new ResearchPool(setup.workers));
}

/** After a queue run: say how many jobs had to run again (a worker died, or a job threw and was retried). */
export function reportRetries(exec: TrialExecutor, io: CliIO): void {
  const retried = (exec as { retried?: number }).retried ?? 0;
  if (retried > 0) io.out(`  ${retried} queue jobs ran more than once (a worker stopped or a job failed and was retried); no trial was lost`);
}

/** Progress on stderr: a line at every tenth of the trials, with the best so far. */
export function progressPrinter(io: CliIO, what: string, describe: (p: SweepProgress) => string): (p: SweepProgress) => void {
  let shown = -1;
  return (p) => {
    const tenth = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 0;
    if (tenth === shown && p.done !== p.total) return;
    shown = tenth;
    io.err(`${what} ${p.done}/${p.total}${p.best ? ` · best ${describe(p)}` : ''}`);
  };
}

/**
 * Runs a sweep on its executor with Ctrl-C as its cancel. The executor is closed whatever
 * happens; its retries are reported after a run that finished, and a cancelled sweep writes
 * nothing and gives undefined.
 */
export async function runInterruptible<T>(exec: TrialExecutor, io: CliIO, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const cancel = cancelOnInterrupt();
  let value: T;
  try {
    value = await work(cancel.signal);
  } catch (e) {
    if (isKeelError(e) && e.code === 'CANCELLED') {
      io.err(`${e.message}; nothing written`);
      return undefined;
    }
    throw e;
  } finally {
    cancel.dispose();
    await exec.close();
  }
  reportRetries(exec, io);
  return value;
}

/** Ctrl-C cancels: the controller aborts and the handler goes away afterwards. */
function cancelOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onSig) };
}

export function resolvedOut(io: CliIO, out: string): string {
  return resolve(io.cwd, out);
}
