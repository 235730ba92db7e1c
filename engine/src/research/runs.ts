/**
 * The three research runs from their parsed inputs to their recorded files: what
 * `keel optimize`, `keel walkforward` and `keel montecarlo` do, and what the UI's research jobs
 * do, so the files and the run record are the same whichever started the run.
 */
import type { BacktestResult } from '../backtest/engine';
import { writeBacktestReport } from '../backtest/report';
import type { BarSeries } from '../model/bar';
import type { StrategyModule } from '../../sdk';
import { lookAheadCheck, warmupCheck, type CheckResult, type LookAheadRun, type WarmupRun } from './checks';
import { writeMonteCarloFiles, writeSweepFiles, writeWalkForwardFiles } from './files';
import { monteCarlo, readRunTrades, type McMethod, type McMethodResult, type McTrades } from './montecarlo';
import { redactUrl } from './redact';
import { absoluteRef, dataInput, hashOutputs, recordRun, strategySha256, type RunManifest } from './run-record';
import { analyseSweep, runSweep, type SweepAnalysis, type SweepProgress, type SweepResult, type SweepSpec, type TrialExecutor } from './sweep';
import { runWalkForward, validateOnReserve, type WalkForwardResult, type WalkForwardSpec } from './walkforward';

/** What a sweep run needs besides its spec: the record's arguments and inputs (see cli/sweep-args.ts). */
export interface RunSetup {
  spec: SweepSpec;
  /** The command's flags for `keel rerun` (no --out, no --queue: a re-run runs here). */
  args: string[];
  inputs: RunManifest['inputs'];
  workers: number;
  queue: string | undefined;
}

export interface RunControl {
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  env: Record<string, string | undefined>;
  /** The run's id (planRun) and where its files go. */
  id: string;
  out: string;
}

const runFacts = (setup: RunSetup, t0: number) => ({ elapsed_ms: Date.now() - t0, workers: setup.queue ? null : setup.workers, queue: setup.queue ? redactUrl(setup.queue) : null });

export interface OptimizeOutcome {
  result: SweepResult;
  analysis: SweepAnalysis;
  warmup: CheckResult<WarmupRun> | undefined;
  lookahead: CheckResult<LookAheadRun> | undefined;
  files: string[];
  manifest: RunManifest;
}

/** The sweep, its analysis and checks, trials.csv, best/ and summary.json, and the run record. */
export async function optimizeRun(setup: RunSetup, exec: TrialExecutor, c: RunControl): Promise<OptimizeOutcome> {
  const t0 = Date.now();
  const { spec } = setup;
  const result = await runSweep(spec, exec, { signal: c.signal, onProgress: c.onProgress });
  const analysis = await analyseSweep(spec, result);
  // The best trial's signals must not hang on where the data begins, nor on bars after them.
  const warmup = result.best ? await warmupCheck(spec.data.series, spec.strategy, result.best.params, spec.settings) : undefined;
  const lookahead = result.best ? await lookAheadCheck(spec.data.series, spec.strategy, result.best.params, spec.settings) : undefined;
  const files = writeSweepFiles(c.out, spec, result, analysis, { warmup: warmup ?? null, lookahead: lookahead ?? null });
  const manifest = recordRun({ id: c.id, command: 'optimize', args: setup.args, inputs: setup.inputs, dir: c.out, files, env: c.env, run: runFacts(setup, t0) });
  return { result, analysis, warmup, lookahead, files, manifest };
}

export interface WalkForwardOptions {
  train: number;
  test: number;
  anchored: boolean;
  reserve: number;
  validate: boolean;
}

export interface WalkForwardOutcome {
  wf: WalkForwardSpec;
  result: WalkForwardResult;
  validation: BacktestResult | undefined;
  files: string[];
  manifest: RunManifest;
}

export async function walkforwardRun(setup: RunSetup, o: WalkForwardOptions, exec: TrialExecutor, c: RunControl): Promise<WalkForwardOutcome> {
  const t0 = Date.now();
  const wf: WalkForwardSpec = { sweep: setup.spec, train: o.train, test: o.test, anchored: o.anchored, reserve: o.reserve };
  const result = await runWalkForward(wf, exec, { signal: c.signal, onProgress: c.onProgress, concurrency: Math.max(2, setup.workers) });
  const validation = o.validate ? await validateOnReserve(wf, result) : undefined;
  const files = writeWalkForwardFiles(c.out, wf, result, validation);
  const args = [...setup.args, '--train', String(o.train), '--test', String(o.test), '--reserve', String(o.reserve)];
  if (o.anchored) args.push('--anchored');
  if (o.validate) args.push('--validate');
  const manifest = recordRun({
    id: c.id,
    command: 'walkforward',
    args,
    inputs: { ...setup.inputs, train: o.train, test: o.test, anchored: o.anchored, reserve: o.reserve, validate: o.validate },
    dir: c.out,
    files,
    env: c.env,
    run: runFacts(setup, t0),
  });
  return { wf, result, validation, files, manifest };
}

export interface MonteCarloOptions {
  runs: number;
  seed: number;
  method: McMethod | 'both';
  confidence: number;
  drawdown: number;
}

export interface MonteCarloOutcome {
  trades: McTrades;
  results: McMethodResult[];
  files: string[];
  manifest: RunManifest;
}

/** Monte Carlo of the trades in `runDir` (trades.csv and equity.csv): paths.csv, fan.csv, summary.json and the record. */
export function montecarloRun(runDir: string, o: MonteCarloOptions, c: Pick<RunControl, 'env' | 'id' | 'out'>): MonteCarloOutcome {
  const methods: McMethod[] = o.method === 'both' ? ['shuffle', 'bootstrap'] : [o.method];
  const trades = readRunTrades(runDir);
  const results = monteCarlo(trades, { runs: o.runs, seed: o.seed, methods });
  const files = writeMonteCarloFiles(c.out, trades, results, o);
  const manifest = recordRun({
    id: c.id,
    command: 'montecarlo',
    args: ['--run', runDir, '--runs', String(o.runs), '--seed', String(o.seed), '--method', o.method, '--confidence', String(o.confidence), '--drawdown', String(o.drawdown)],
    inputs: { files: hashOutputs(runDir, ['trades.csv', 'equity.csv']), run: runDir, runs: o.runs, seed: o.seed, method: o.method, confidence: o.confidence, drawdown: o.drawdown },
    dir: c.out,
    files,
    env: c.env,
  });
  return { trades, results, files, manifest };
}

export interface BacktestRecord {
  id: string;
  /** Where the files go: --out, or the run's folder. */
  dir: string;
  result: BacktestResult;
  data: { file: string; sha256: string; series: BarSeries };
  strategy: { ref: string; module: StrategyModule };
  /** The parameters as given (k=v), to repeat the run as it was asked for. */
  params: string[];
  costs: { fee: number; slippage: number; capital: number; periodsPerYear: number | undefined };
  /** --symbol and --timeframe, where the file name does not say them. */
  symbol?: string;
  timeframe?: string;
  cwd: string;
  env: Record<string, string | undefined>;
}

/** A backtest's files (as `keel backtest --out` writes them) and its run record. */
export function recordBacktest(b: BacktestRecord): RunManifest {
  const { fee, slippage, capital, periodsPerYear } = b.costs;
  const m = b.result.metrics;
  writeBacktestReport(b.dir, b.result, { data: b.data.file, dataSha256: b.data.sha256, fee, slippage, capital, periodsPerYear: m.periods_per_year ?? null });
  const ref = absoluteRef(b.strategy.ref, b.cwd);
  const args = ['--data', b.data.file, '--strategy', ref, ...b.params.flatMap((p) => ['--param', p]), '--fee', String(fee), '--slippage', String(slippage), '--capital', String(capital)];
  if (periodsPerYear !== undefined) args.push('--periods-per-year', String(periodsPerYear));
  if (b.symbol) args.push('--symbol', b.symbol);
  if (b.timeframe) args.push('--timeframe', b.timeframe);
  return recordRun({
    id: b.id,
    command: 'backtest',
    args,
    inputs: {
      data: dataInput(b.data.file, b.data.sha256, b.data.series),
      strategy: { ref, sha256: strategySha256(b.strategy.ref, b.strategy.module, b.cwd) },
      params: b.result.params,
      costs: { fee, slippage, capital, periods_per_year: m.periods_per_year ?? null },
    },
    dir: b.dir,
    files: ['metrics.json', 'trades.csv', 'equity.csv'],
    env: b.env,
  });
}
