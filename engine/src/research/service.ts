/**
 * The research lab behind the UI's Optimise, Walk-forward and Monte Carlo tabs. A job is the
 * CLI's run over stored bars: the bars are written to the run's folder under
 * $KEEL_HOME/runs (data.csv), the flags are parsed by the same code as `keel optimize` and
 * `keel walkforward`, and the run goes through the same core (runs.ts), so its files and
 * record are those of the command, and `keel rerun <id>` repeats it from a terminal.
 * Jobs push 'job' progress (at most ~100 updates) and stop at once on cancel.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../core/errors';
import type {
  BacktestRequest,
  CurveDto,
  HeatmapDto,
  MonteCarloRequest,
  MonteCarloResultDto,
  OptimizeRequest,
  OptimizeResultDto,
  Publish,
  ResearchKind,
  ResearchResultDto,
  ResearchSource,
  ResearchSummary,
  WalkForwardRequest,
  WalkForwardResultDto,
} from '../../protocol/index';
import { equityCurve } from '../backtest/equity-curve';
import type { BacktestResult as BacktestRun } from '../backtest/engine';
import type { BarSeries } from '../model/bar';
import { getStrategy } from '../strategy/loader';
import type { Logger } from '../app/logs';
import type { MarketService } from '../app/services';
import type { CliIO } from '../cli/types';
import { sweepSetup, type SweepFlags } from '../cli/sweep-args';
import { writeBarsCsv } from './files';
import { heatmap } from './heatmap';
import { FAN_QUANTILES, summariseMc } from './montecarlo';
import { ResearchPool, defaultThreads } from './pool';
import { planRun, RUN_FILE, runsDir, sha256File, type RunManifest } from './run-record';
import { montecarloRun, optimizeRun, recordBacktest, walkforwardRun } from './runs';
import { LocalExecutor, type SweepProgress } from './sweep';
import { barTime } from './walkforward';

interface Job {
  summary: ResearchSummary;
  result: ResearchResultDto | undefined;
  abort: AbortController;
}

const KEEP = 20;

function curve(ts: Float64Array, equity: Float64Array): CurveDto {
  return equityCurve(ts, equity);
}

export class ResearchService {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;

  constructor(
    private readonly home: string,
    private readonly market: () => Promise<MarketService>,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly threads = defaultThreads(),
    private readonly now: () => number = Date.now,
  ) {}

  private get env(): Record<string, string | undefined> {
    return { KEEL_HOME: this.home };
  }

  private io(): CliIO {
    return { out: () => undefined, err: (l) => this.log.info(l), cwd: this.home, env: this.env };
  }

  private start(kind: ResearchKind, label: string, work: (job: Job, onProgress: (p: SweepProgress) => void) => Promise<ResearchResultDto>): { jobId: string } {
    const jobId = `${kind}-${this.now().toString(36)}-${++this.seq}`;
    const job: Job = { summary: { jobId, kind, label, startedAt: this.now(), status: 'running' }, result: undefined, abort: new AbortController() };
    this.jobs.set(jobId, job);
    this.prune();
    let shown = -1;
    const onProgress = (p: SweepProgress) => {
      const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
      if (pct === shown) return;
      shown = pct;
      this.publish('job', { jobId, kind, done: p.done, total: p.total, status: 'running' });
    };
    this.publish('job', { jobId, kind, done: 0, total: 0, status: 'running', message: label });
    void (async () => {
      await new Promise((r) => setImmediate(r)); // answer the request first
      try {
        job.result = await work(job, onProgress);
        job.summary.status = 'done';
        job.summary.runId = job.result.runId;
        this.log.info(`${kind} ${jobId} done (run ${job.result.runId})`);
      } catch (e) {
        if (job.abort.signal.aborted) job.summary.status = 'cancelled';
        else {
          job.summary.status = 'failed';
          job.summary.error = e instanceof KeelError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
          this.log.warn(`${kind} ${jobId} failed: ${job.summary.error}`);
        }
      }
      const s = job.summary;
      this.publish('job', { jobId, kind, done: s.status === 'done' ? 1 : 0, total: 1, status: s.status, ...(s.error ? { message: s.error } : {}) });
    })();
    return { jobId };
  }

  /** The flags of `keel optimize` for a request over stored bars written to `data`. */
  private flags(req: OptimizeRequest, data: string, out: string): SweepFlags {
    const f: SweepFlags = {
      data,
      strategy: req.strategy,
      symbol: req.symbol,
      timeframe: req.timeframe,
      'param-range': Object.entries(req.ranges).map(([k, r]) => `${k}=${r.lo}:${r.hi}${r.step !== undefined ? `:${r.step}` : ''}`),
      param: Object.entries(req.fixed ?? {}).map(([k, v]) => `${k}=${v}`),
      method: req.method,
      objective: req.objective,
      'min-trades': String(req.minTrades ?? 1),
      seed: String(req.seed ?? 1),
      fee: String(req.fee),
      slippage: String(req.slippage),
      capital: String(req.capital),
      workers: String(this.threads),
      out,
    };
    if (req.method !== 'grid') f.trials = String(req.trials ?? 100);
    return f;
  }

  /** Writes the requested stored bars to the run's folder and parses the request as the CLI would. */
  private async setup(req: OptimizeRequest, id: string, folder: string) {
    const market = await this.market();
    const { series } = await market.bars({ symbol: req.symbol, timeframe: req.timeframe, from: req.from, to: req.to });
    if (series.length === 0) throw new KeelError('NOT_FOUND', `no ${req.timeframe} bars for ${req.symbol} in the requested range`, { where: 'symbol' });
    const data = join(folder, 'data.csv');
    writeBarsCsv(data, series);
    return { setup: await sweepSetup(this.io(), this.flags(req, data, folder)), id, folder };
  }

  optimize(req: OptimizeRequest): { jobId: string } {
    return this.start('optimize', `${req.strategy} on ${req.symbol} ${req.timeframe}, ${req.method}`, async (job, onProgress) => {
      const { id, folder } = planRun('optimize', this.env);
      const { setup } = await this.setup(req, id, folder);
      const exec = new LocalExecutor(new ResearchPool(this.threads));
      try {
        const o = await optimizeRun(setup, exec, { signal: job.abort.signal, onProgress, env: this.env, id, out: folder });
        const spec = setup.spec;
        const dto: OptimizeResultDto = {
          ...job.summary,
          kind: 'optimize',
          runId: o.manifest.run_id,
          params: Object.keys(spec.strategy.params),
          searched: spec.space.dims.map((d) => d.name),
          objective: spec.objective,
          trials: o.result.trials.map((t) => ({ params: t.params, score: t.score ?? null, metrics: t.metrics ?? {} })),
          best: o.result.best ? { index: o.result.best.index, params: o.result.best.params, metrics: o.result.best.metrics! } : null,
          bestEquity: o.analysis.bestRun ? curve(o.analysis.bestRun.ts, o.analysis.bestRun.equity) : null,
          deflatedSharpe: o.analysis.deflatedSharpe,
          pbo: o.analysis.pbo?.pbo ?? null,
          skipped: o.result.skipped.count,
          warmup: o.warmup ? { ok: o.warmup.ok, summary: o.warmup.summary } : null,
          lookahead: o.lookahead ? { ok: o.lookahead.ok, summary: o.lookahead.summary } : null,
        };
        return dto;
      } finally {
        await exec.close();
      }
    });
  }

  walkforward(req: WalkForwardRequest): { jobId: string } {
    return this.start('walkforward', `${req.strategy} on ${req.symbol} ${req.timeframe}, train ${req.train} / test ${req.test}`, async (job, onProgress) => {
      const { id, folder } = planRun('walkforward', this.env);
      const { setup } = await this.setup(req, id, folder);
      const exec = new LocalExecutor(new ResearchPool(this.threads));
      try {
        const o = await walkforwardRun(setup, { train: req.train, test: req.test, anchored: req.anchored ?? false, reserve: req.reserve ?? 0.2, validate: req.validate ?? false }, exec, {
          signal: job.abort.signal,
          onProgress,
          env: this.env,
          id,
          out: folder,
        });
        const series = setup.spec.data.series;
        const dto: WalkForwardResultDto = {
          ...job.summary,
          kind: 'walkforward',
          runId: o.manifest.run_id,
          params: Object.keys(setup.spec.strategy.params),
          windows: o.result.windows.map((w) => ({
            trainFrom: barTime(series, w.trainFrom),
            trainTo: barTime(series, w.trainTo),
            testFrom: barTime(series, w.testFrom),
            testTo: barTime(series, w.testTo),
            params: w.params ?? null,
            metrics: w.test?.metrics ?? null,
          })),
          oos: curve(o.result.oos.ts, o.result.oos.equity),
          oosMetrics: o.result.oos.metrics,
          efficiency: o.result.efficiency,
          reserve: { bars: o.result.reserve.bars, from: o.result.reserve.bars > 0 ? barTime(series, o.result.reserve.from) : null },
          validation: o.validation?.metrics ?? null,
        };
        return dto;
      } finally {
        await exec.close();
      }
    });
  }

  montecarlo(req: MonteCarloRequest): { jobId: string } {
    const source = this.sources().find((s) => s.id === req.source);
    if (!source) throw new KeelError('NOT_FOUND', `no recorded run "${req.source}" with trades (research.sources lists them)`, { where: 'source' });
    return this.start('montecarlo', `${source.label}: ${req.runs} paths, seed ${req.seed}`, async (job, onProgress) => {
      const { id, folder } = planRun('montecarlo', this.env);
      const confidence = req.confidence ?? 0.95;
      const drawdown = req.drawdown ?? 0.2;
      onProgress({ done: 0, total: 1 });
      job.abort.signal.throwIfAborted();
      const o = montecarloRun(this.sourceDir(req.source), { runs: req.runs, seed: req.seed, method: req.method, confidence, drawdown }, { env: this.env, id, out: folder });
      const dto: MonteCarloResultDto = {
        ...job.summary,
        kind: 'montecarlo',
        runId: o.manifest.run_id,
        trades: o.trades.returns.length,
        original: { finalReturn: o.trades.final, maxDrawdown: o.trades.maxDrawdown },
        confidence,
        drawdown,
        methods: o.results.map((r) => {
          const s = summariseMc(r, confidence, drawdown);
          const q = (k: number) => Array.from(r.fan[FAN_QUANTILES.indexOf(k as (typeof FAN_QUANTILES)[number])]!);
          return {
            method: r.method,
            steps: Array.from(r.steps),
            p5: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            finalReturn: { lower: s.final_return.lower, median: s.final_return.median, upper: s.final_return.upper },
            maxDrawdown: { lower: s.max_drawdown.lower, median: s.max_drawdown.median, upper: s.max_drawdown.upper },
            probDrawdown: s.prob_drawdown,
          };
        }),
      };
      return dto;
    });
  }

  /** A backtest the UI ran, recorded as `keel backtest` would record it (its bars in data.csv). */
  recordBacktest(req: BacktestRequest, series: BarSeries, run: BacktestRun): RunManifest {
    const { id, folder } = planRun('backtest', this.env);
    const data = join(folder, 'data.csv');
    writeBarsCsv(data, series);
    return recordBacktest({
      id,
      dir: folder,
      result: run,
      data: { file: data, sha256: sha256File(data), series },
      strategy: { ref: req.strategy, module: getStrategy(req.strategy) },
      params: Object.entries(req.params).map(([k, v]) => `${k}=${v}`),
      costs: { fee: req.fee, slippage: req.slippage, capital: req.capital, periodsPerYear: undefined },
      symbol: series.symbol,
      timeframe: series.timeframe,
      cwd: this.home,
      env: this.env,
    });
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.summary.status !== 'running') return false;
    job.abort.abort(new KeelError('CANCELLED', `${job.summary.kind} ${jobId} was cancelled`));
    return true;
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  list(): ResearchSummary[] {
    return [...this.jobs.values()].map((j) => ({ ...j.summary })).reverse();
  }

  get(jobId: string): ResearchResultDto {
    const job = this.jobs.get(jobId);
    if (!job) throw new KeelError('NOT_FOUND', `no research job "${jobId}"`, { where: 'jobId' });
    if (!job.result) throw new KeelError('CONFLICT', `${job.summary.kind} ${jobId} is ${job.summary.status}${job.summary.error ? `: ${job.summary.error}` : ''}`, { where: 'jobId' });
    return job.result;
  }

  heatmap(jobId: string, x: string, y: string): HeatmapDto {
    const r = this.get(jobId);
    if (r.kind !== 'optimize') throw new KeelError('BAD_INPUT', `${jobId} is a ${r.kind} job, not a sweep`, { where: 'jobId' });
    for (const [p, w] of [[x, 'x'], [y, 'y']] as const) if (!r.params.includes(p)) throw new KeelError('BAD_INPUT', `no parameter "${p}" (have: ${r.params.join(', ')})`, { where: w });
    return heatmap(
      r.trials.map((t) => ({ params: t.params, score: t.score ?? undefined })),
      x,
      y,
    );
  }

  /** Recorded runs with trades to resample, newest first: backtests, sweeps' best/, walk-forwards' oos/. */
  sources(): ResearchSource[] {
    const root = runsDir(this.env);
    if (!existsSync(root)) return [];
    const out: (ResearchSource & { dir: string })[] = [];
    for (const id of readdirSync(root)) {
      const file = join(root, id, RUN_FILE);
      if (!existsSync(file)) continue;
      let m: RunManifest;
      try {
        m = JSON.parse(readFileSync(file, 'utf8')) as RunManifest;
      } catch {
        continue;
      }
      const base = m.out && existsSync(m.out) ? m.out : join(root, id);
      const sub = m.command === 'optimize' ? 'best' : m.command === 'walkforward' ? 'oos' : m.command === 'backtest' ? '' : undefined;
      if (sub === undefined || !existsSync(join(base, sub, 'trades.csv'))) continue;
      const what = `${m.inputs.strategy?.ref ?? ''}${m.inputs.data ? ` on ${m.inputs.data.symbol} ${m.inputs.data.timeframe}` : ''}`;
      const label = m.command === 'optimize' ? `best of a sweep of ${what}` : m.command === 'walkforward' ? `walk-forward out-of-sample of ${what}` : `backtest of ${what}`;
      out.push({ id: sub ? `${id}/${sub}` : id, label, created: m.created, dir: join(base, sub) });
    }
    return out.sort((a, b) => b.created.localeCompare(a.created)).slice(0, 100).map(({ id, label, created }) => ({ id, label, created }));
  }

  private sourceDir(id: string): string {
    const [run, sub] = id.split('/');
    const root = runsDir(this.env);
    const m = JSON.parse(readFileSync(join(root, run!, RUN_FILE), 'utf8')) as RunManifest;
    const base = m.out && existsSync(m.out) ? m.out : join(root, run!);
    return sub ? join(base, sub) : base;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.summary.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP))) this.jobs.delete(j.summary.jobId);
  }
}
