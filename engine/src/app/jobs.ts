import { thinCurve } from '../backtest/equity-curve';
import { KeelError } from '../core/errors';
import type { BacktestRequest, BacktestResult, BacktestSummary, Publish } from '../../protocol/index';
import type { BacktestArchive, BacktestOutcome } from './services';
import type { Logger } from './logs';

type Runner = (req: BacktestRequest, opts: { signal: AbortSignal; onProgress(done: number, total: number): void }) => Promise<BacktestOutcome>;

interface Job {
  summary: BacktestSummary;
  result: BacktestOutcome | undefined;
  abort: AbortController;
}

const KEEP_FINISHED = 50;
/**
 * Backtests as jobs: each runs in the background, pushes progress on the 'job' topic
 * (at most ~100 updates per run however many bars), and can be cancelled through its
 * AbortSignal. Finished runs stay in memory for backtest.get, the newest 50 of them, and
 * go to the archive (the state database, equity thinned) so past runs survive a restart.
 */
export class BacktestJobs {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;

  constructor(
    private readonly runner: Runner,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly archive: () => BacktestArchive | undefined = () => undefined,
  ) {}

  start(req: BacktestRequest): { runId: string; done: Promise<void> } {
    this.seq += 1;
    const runId = `bt-${this.now().toString(36)}-${this.seq}`;
    const job: Job = {
      summary: { runId, strategy: req.strategy, params: req.params, symbol: req.symbol, timeframe: req.timeframe, startedAt: this.now(), status: 'running' },
      result: undefined,
      abort: new AbortController(),
    };
    this.jobs.set(runId, job);
    this.prune();
    let lastShown = -1;
    let lastTotal = 0;
    const onProgress = (done: number, total: number): void => {
      lastTotal = total;
      const step = Math.max(1, Math.floor(total / 100));
      if (done !== total && lastShown >= 0 && done - lastShown < step) return;
      lastShown = done;
      this.publish('job', { jobId: runId, kind: 'backtest', done, total, status: 'running' });
    };
    this.publish('job', { jobId: runId, kind: 'backtest', done: 0, total: 0, status: 'running' });
    const done = (async () => {
      // Yield first, so backtest.run answers with the runId before the work starts.
      await new Promise((r) => setImmediate(r));
      try {
        job.abort.signal.throwIfAborted();
        job.result = await this.runner(req, { signal: job.abort.signal, onProgress });
        job.summary.metrics = job.result.metrics;
        job.summary.status = 'done';
        this.log.info(`backtest ${runId} (${req.strategy} on ${req.symbol} ${req.timeframe}) done`);
      } catch (e) {
        if (job.abort.signal.aborted) {
          job.summary.status = 'cancelled';
          this.log.info(`backtest ${runId} cancelled`);
        } else {
          job.summary.status = 'failed';
          job.summary.error = e instanceof KeelError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
          this.log.warn(`backtest ${runId} failed: ${job.summary.error}`);
        }
      }
      this.keep(runId);
      const status = job.summary.status;
      const final = { jobId: runId, kind: 'backtest' as const, done: status === 'done' ? lastTotal : Math.max(0, lastShown), total: lastTotal, status };
      this.publish('job', job.summary.error ? { ...final, message: job.summary.error } : final);
    })();
    return { runId, done };
  }

  cancel(runId: string): boolean {
    const job = this.jobs.get(runId);
    if (!job || job.summary.status !== 'running') return false;
    job.abort.abort(new KeelError('CANCELLED', `backtest ${runId} was cancelled`));
    return true;
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  /** A lost archive write costs the run's history after a restart, not the run: logged, not thrown. */
  private keep(runId: string): void {
    const archive = this.archive();
    if (!archive) return;
    try {
      const run = this.get(runId);
      archive.save({ ...run, equity: thinCurve(run.equity) });
    } catch (e) {
      this.log.warn(`backtest ${runId} not archived: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Runs of this session (running ones included) and archived ones, newest first. */
  list(): BacktestSummary[] {
    const live = [...this.jobs.values()].map((j) => ({ ...j.summary })).reverse();
    const seen = new Set(live.map((s) => s.runId));
    const past = (this.archive()?.list(KEEP_FINISHED) ?? []).filter((s) => !seen.has(s.runId));
    return [...live, ...past].sort((a, b) => b.startedAt - a.startedAt).slice(0, Math.max(KEEP_FINISHED, live.length));
  }

  get(runId: string): BacktestResult {
    const job = this.jobs.get(runId);
    if (!job) {
      const past = this.archive()?.get(runId);
      if (past) return past;
      throw new KeelError('NOT_FOUND', `no backtest run "${runId}"`, { where: 'runId' });
    }
    const r = job.result;
    const run: BacktestResult = {
      ...job.summary,
      equity: r?.equity ?? { ts: [], equity: [], drawdown: [] },
      trades: r?.trades ?? [],
      notes: r?.notes ?? [],
    };
    if (r?.periods) run.periods = r.periods;
    return run;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.summary.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.summary.runId);
  }
}
