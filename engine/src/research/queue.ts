/**
 * Sweeps across machines, through BullMQ on Redis.
 *
 * The submitter (`keel optimize --queue`, `keel walkforward --queue`) adds each batch of
 * trials as one BullMQ flow: a parent job on the gather queue whose children, on the trials
 * queue, each carry a chunk of trials. `keel worker` processes on any machine take the
 * children, run them on their threads (the same pool, the same plain backtests as a local
 * sweep) and return the outcomes; when every child is done BullMQ moves the parent to the
 * gather queue, where the submitter completes it and reads the children's values.
 *
 * - Job ids are derived from everything that decides the results (data hash and range,
 *   strategy source hash, costs, method, seed, space, objective), so a sweep submitted twice
 *   is the same flow: BullMQ keeps one, and the second submitter gathers the same results.
 * - A worker that dies holding a job stops renewing its lock; BullMQ's stalled-job check (run
 *   by the other workers) moves the job back to wait and another worker runs it. A job that
 *   throws is retried (3 attempts); one that still fails fails its parent, and the sweep.
 * - Each job carries the data's content hash (and the submitter's file path as a hint); a
 *   worker whose file differs refuses the job rather than compute on other bars.
 */
import { existsSync } from 'node:fs';
import { FlowProducer, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { KeelError } from '../core/errors';
import { loadBarFile } from '../data/load-bar-file';
import type { BarSeries } from '../model/bar';
import { loadStrategy } from '../strategy/loader';
import { ResearchPool, seriesView, sharedSeries } from './pool';
import { redactUrl } from './redact';
import { sha256Bytes, strategySha256 } from './run-record';
import type { Params } from './space';
import type { SweepSpec, TrialExecutor, TrialJob } from './sweep';
import type { TrialOutcome, TrialSettings } from './trial';

export const TRIALS_QUEUE = 'keel-trials';
export const GATHER_QUEUE = 'keel-gather';
/** Finished jobs (and their results) are kept a day, so a resubmitted sweep gathers them again. */
const KEEP = { age: 24 * 3600 };
const ATTEMPTS = 3;
/** About this many bar-evaluations per job: big enough that queue overhead is noise, small enough to share out. */
const BARS_PER_JOB = 2_000_000;

/** What one job (a chunk of trials) carries. */
export interface TrialChunk {
  data: { sha256: string; path?: string; from: number; to: number; symbol: string; timeframe: string };
  strategy: { ref: string; sha256: string };
  settings: TrialSettings;
  trials: Params[];
}

/** A trial's outcome as JSON (blocks as a plain array). */
type WireOutcome = Omit<TrialOutcome, 'blocks'> & { blocks?: number[] };

const toJson = (o: TrialOutcome): WireOutcome => ({ ...o, blocks: o.blocks ? Array.from(o.blocks) : undefined });
const fromJson = (o: WireOutcome): TrialOutcome => {
  const out: TrialOutcome = { params: o.params };
  if (o.metrics) out.metrics = o.metrics;
  if (o.blocks) out.blocks = Float64Array.from(o.blocks);
  if (o.error !== undefined) out.error = o.error;
  return out;
};

/** A connection BullMQ can use (no retry limit on commands, as its workers require), checked once. */
export async function connectRedis(url: string, what: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 5000, retryStrategy: (n) => Math.min(1000 * n, 5000) });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new KeelError('UNAVAILABLE', `cannot reach Redis at ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`, { where: what });
  }
  return redis;
}

/** The identity of a sweep's results: equal inputs give equal ids, and so one flow. */
export function sweepId(spec: SweepSpec): string {
  const identity = {
    data: spec.data.id,
    strategy: [spec.ref, spec.strategySha256],
    settings: spec.settings,
    method: spec.method,
    trials: spec.trials,
    seed: spec.seed,
    objective: spec.objective,
    minTrades: spec.minTrades,
    space: { dims: spec.space.dims, fixed: spec.space.fixed },
  };
  return sha256Bytes(JSON.stringify(identity)).slice(0, 24);
}

/** Trials per job: about BARS_PER_JOB bar-evaluations, at most 64. */
export function chunkSize(bars: number): number {
  return Math.max(1, Math.min(64, Math.ceil(BARS_PER_JOB / Math.max(1, bars))));
}

/** Submits a sweep's batches as flows and gathers their results. */
export class QueueExecutor implements TrialExecutor {
  private readonly flows: FlowProducer;
  private readonly trialsQueue: Queue;
  private readonly gatherQueue: Queue;
  private readonly gatherer: Worker;
  private readonly gatherConnection: Redis;
  private closed = false;
  private readonly current = new Set<string>();
  /** Trial jobs that ran more than once (a worker died or a job threw and was retried). */
  retried = 0;

  private constructor(
    private readonly redis: Redis,
    private readonly log: (line: string) => void,
    private readonly pollMs: number,
    private readonly trialsPerJob: number | undefined,
  ) {
    const connection = redis;
    this.flows = new FlowProducer({ connection });
    this.trialsQueue = new Queue(TRIALS_QUEUE, { connection });
    this.gatherQueue = new Queue(GATHER_QUEUE, { connection });
    // Completes any sweep's parent once its children are done: the results stay in the children.
    this.gatherConnection = redis.duplicate();
    this.gatherer = new Worker(GATHER_QUEUE, async (job) => ({ children: Object.keys(await job.getChildrenValues()).length }), { connection: this.gatherConnection, concurrency: 4 });
    this.gatherer.on('error', (e) => this.log(`gather worker: ${e.message}`));
  }

  static async connect(url: string, opts: { log?: (line: string) => void; pollMs?: number; trialsPerJob?: number } = {}): Promise<QueueExecutor> {
    return new QueueExecutor(await connectRedis(url, '--queue'), opts.log ?? (() => undefined), opts.pollMs ?? 200, opts.trialsPerJob);
  }

  async run(spec: SweepSpec, batch: readonly TrialJob[], onResult: (index: number, outcome: TrialOutcome) => void): Promise<void> {
    if (batch.length === 0) return;
    const size = this.trialsPerJob ?? chunkSize(spec.data.series.length);
    // The same sweep, batch and chunking: the same flow, which BullMQ adds once.
    const id = `${sweepId(spec)}-${batch[0]!.index}-${size}`;
    const chunks: TrialJob[][] = [];
    for (let i = 0; i < batch.length; i += size) chunks.push(batch.slice(i, i + size));
    const s = spec.data.series;
    const chunkData = (c: TrialJob[]): TrialChunk => ({
      data: { sha256: spec.data.sha256, path: spec.data.path, from: spec.data.from, to: spec.data.to, symbol: s.symbol, timeframe: s.timeframe },
      strategy: { ref: spec.ref, sha256: spec.strategySha256 },
      settings: spec.settings,
      trials: c.map((j) => j.params),
    });
    this.current.add(id);
    await this.flows.add({
      name: 'sweep',
      queueName: GATHER_QUEUE,
      data: { trials: batch.length },
      opts: { jobId: id, removeOnComplete: KEEP, removeOnFail: KEEP },
      children: chunks.map((c, k) => ({
        name: 'trials',
        queueName: TRIALS_QUEUE,
        data: chunkData(c),
        opts: { jobId: `${id}-${k}`, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, failParentOnFailure: true, removeOnComplete: KEEP, removeOnFail: KEEP },
      })),
    });
    const reported = new Set<number>();
    const report = async (parent: Job) => {
      const values = (await parent.getChildrenValues()) as Record<string, WireOutcome[]>;
      for (const [key, outcomes] of Object.entries(values)) {
        const k = Number(key.slice(key.lastIndexOf('-') + 1));
        if (reported.has(k)) continue;
        reported.add(k);
        const chunk = chunks[k]!;
        if (!Array.isArray(outcomes) || outcomes.length !== chunk.length) throw new KeelError('INTERNAL', `job ${key} returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} outcomes for ${chunk.length} trials`, { where: '--queue' });
        chunk.forEach((j, i) => onResult(j.index, fromJson(outcomes[i]!)));
      }
    };
    for (;;) {
      if (this.closed) throw new KeelError('CANCELLED', 'the sweep was cancelled', { where: '--queue' });
      const parent = await Job.fromId(this.gatherQueue, id);
      if (!parent) throw new KeelError('INTERNAL', `the sweep's flow ${id} vanished from the queue`, { where: '--queue' });
      const state = await parent.getState();
      if (state === 'failed') throw new KeelError('INTERNAL', `the sweep failed on a worker: ${parent.failedReason}`, { where: '--queue' });
      await report(parent);
      if (state === 'completed' && reported.size === chunks.length) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    for (let k = 0; k < chunks.length; k++) {
      const child = await Job.fromId(this.trialsQueue, `${id}-${k}`);
      if (child && (child.attemptsMade > 1 || child.stalledCounter > 0)) this.retried++;
    }
    this.current.delete(id);
  }

  /** Cancels the flow under way (jobs not yet taken are removed) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of this.current) {
      try {
        await this.gatherQueue.remove(id, { removeChildren: true });
      } catch (e) {
        this.log(`could not remove the cancelled sweep's jobs (some are running): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await this.gatherer.close();
    await Promise.all([this.flows.close(), this.trialsQueue.close(), this.gatherQueue.close()]);
    this.gatherConnection.disconnect();
    this.redis.disconnect();
  }
}

export interface QueueWorkerOptions {
  threads: number;
  /** Bar files this machine holds, found by content hash. */
  dataFiles: string[];
  /** Lock duration and stalled-check interval (ms): how soon a dead worker's job goes to another. */
  stalledMs: number;
  cwd: string;
  log: (line: string) => void;
}

/**
 * `keel worker`: takes trial chunks from the queue and runs them on this machine's threads
 * until stopped. Returns a handle whose close() finishes the jobs in hand and disconnects.
 */
export async function startQueueWorker(url: string, o: QueueWorkerOptions): Promise<{ close(): Promise<void>; done: number }> {
  const redis = await connectRedis(url, '--queue');
  const pool = new ResearchPool(o.threads);
  const files = new Map<string, Promise<BarSeries>>();
  const byHash = new Map<string, BarSeries>();
  for (const f of o.dataFiles) {
    const { series, report } = await loadBarFile(f);
    if (report.rejected.count > 0) throw new KeelError('BAD_FILE', `${report.rejected.count} rows are not bars; fix the file first`, { where: f });
    byHash.set(report.sha256, sharedSeries(series));
    o.log(`data ${f}: ${series.length} bars, sha256 ${report.sha256}`);
  }
  const series = async (d: TrialChunk['data']): Promise<BarSeries> => {
    const have = byHash.get(d.sha256);
    if (have) return have;
    if (!d.path || !existsSync(d.path)) {
      throw new KeelError('NOT_FOUND', `the data (sha256 ${d.sha256}) is not on this machine; start the worker with --data FILE`, { where: 'keel worker' });
    }
    let p = files.get(d.path);
    if (!p) files.set(d.path, (p = loadBarFile(d.path).then(({ series: s, report }) => {
      if (report.sha256 !== d.sha256) throw new KeelError('BAD_FILE', `has other content than the sweep's data (sha256 ${report.sha256}, the job wants ${d.sha256}); refusing`, { where: d.path });
      const shared = sharedSeries(s);
      byHash.set(report.sha256, shared);
      return shared;
    })));
    try {
      return await p;
    } catch (e) {
      files.delete(d.path);
      throw e;
    }
  };
  const strategyChecked = new Map<string, Promise<void>>();
  const checkStrategy = (s: TrialChunk['strategy']): Promise<void> => {
    const key = `${s.ref}\n${s.sha256}`;
    let p = strategyChecked.get(key);
    if (!p) {
      p = loadStrategy(s.ref, o.cwd).then((m) => {
        const here = strategySha256(s.ref, m, o.cwd);
        if (here !== s.sha256) throw new KeelError('BAD_INPUT', `the strategy's source here (sha256 ${here}) differs from the submitter's (${s.sha256}); refusing`, { where: `strategy ${s.ref}` });
      });
      strategyChecked.set(key, p);
      p.catch(() => strategyChecked.delete(key));
    }
    return p;
  };
  const added = new Set<string>();
  let done = 0;
  const worker = new Worker<TrialChunk, WireOutcome[]>(
    TRIALS_QUEUE,
    async (job) => {
      const c = job.data;
      await checkStrategy(c.strategy);
      const full = await series(c.data);
      const id = `${c.data.sha256}:${c.data.from}:${c.data.to}`;
      if (!added.has(id)) {
        pool.addSeries(id, seriesView(full, c.data.from, c.data.to));
        added.add(id);
      }
      const strategy = await loadStrategy(c.strategy.ref, o.cwd);
      await pool.prepare(id, strategy, c.strategy.ref, c.trials);
      const outcomes = await Promise.all(c.trials.map((p) => pool.trial(id, c.strategy.ref, p, c.settings)));
      done += outcomes.length;
      return outcomes.map(toJson);
    },
    { connection: redis, concurrency: 2 * o.threads, lockDuration: o.stalledMs, stalledInterval: o.stalledMs, maxStalledCount: 2 },
  );
  worker.on('failed', (job, e) => o.log(`job ${job?.id ?? '?'} failed: ${e.message}`));
  worker.on('error', (e) => o.log(`worker: ${e.message}`));
  await worker.waitUntilReady();
  return {
    get done() {
      return done;
    },
    async close() {
      await worker.close();
      await pool.close();
      redis.disconnect();
    },
  };
}
