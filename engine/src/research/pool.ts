/**
 * A pool of worker threads for research runs: every core runs trials. The bars go to each
 * thread once, in SharedArrayBuffers; before a batch of trials the pool makes sure the
 * indicators the batch needs are computed (each missing one once, the work split between
 * the threads) and shared with every thread; then the trials are dealt out, two in flight per
 * thread so none waits for the next. Results come back in any order; callers key them by
 * trial. Closing the pool ends the threads at once (a cancel does not wait for a trial).
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { KeelError } from '../core/errors';
import type { BarSeries } from '../model/bar';
import { fromWire } from '../data/bar-csv-messages';
import { startModuleWorker, threadEntry } from '../threads/module-worker';
import type { StrategyModule } from '../../sdk';
import type { FromResearchWorker, StrategyRef, ToResearchWorker } from './pool-messages';
import { missingKeys, SharedIndicators } from './shared-indicators';
import type { Params } from './space';
import type { TrialOutcome, TrialSettings } from './trial';

/** The bars in SharedArrayBuffers (a copy, once), so threads and slices share one memory. */
export function sharedSeries(s: BarSeries): BarSeries {
  const copy = (a: Float64Array): Float64Array => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const out = new Float64Array(new SharedArrayBuffer(a.length * Float64Array.BYTES_PER_ELEMENT));
    out.set(a);
    return out;
  };
  return { ...s, ts: copy(s.ts), open: copy(s.open), high: copy(s.high), low: copy(s.low), close: copy(s.close), volume: copy(s.volume) };
}

/** Bars [from, to) of a series, sharing its memory. */
export function seriesView(s: BarSeries, from: number, to: number): BarSeries {
  const v = (a: Float64Array) => a.subarray(from, to);
  return { symbol: s.symbol, timeframe: s.timeframe, length: to - from, ts: v(s.ts), open: v(s.open), high: v(s.high), low: v(s.low), close: v(s.close), volume: v(s.volume) };
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

interface Pending {
  resolve(m: FromResearchWorker): void;
  reject(e: Error): void;
  thread: Thread;
}

interface Thread {
  worker: Worker;
  busy: number;
}

export class ResearchPool {
  private readonly threads: Thread[];
  private readonly pending = new Map<number, Pending>();
  private readonly series = new Map<string, BarSeries>();
  /** The shared indicators each thread already holds, by series and strategy. */
  private readonly shared = new Map<string, SharedIndicators>();
  private readonly waiting: (() => void)[] = [];
  private readonly preparing = new Map<string, Promise<number>>();
  private seq = 0;
  private closed: Error | undefined;

  constructor(readonly size: number = defaultThreads()) {
    if (!(Number.isInteger(size) && size >= 1)) throw new KeelError('BAD_INPUT', `must be a whole number >= 1, got ${size}`, { where: '--workers' });
    this.threads = Array.from({ length: size }, () => {
      const t: Thread = { worker: startModuleWorker(threadEntry('research-worker')), busy: 0 };
      t.worker.on('message', (m: FromResearchWorker) => this.settle(m));
      t.worker.on('error', (e) => this.fail(new KeelError('INTERNAL', `a research thread failed: ${e.message}`, { cause: e })));
      t.worker.on('exit', (code) => {
        if (!this.closed) this.fail(new KeelError('INTERNAL', `a research thread exited (code ${code})`));
      });
      return t;
    });
  }

  private settle(m: FromResearchWorker): void {
    const p = this.pending.get(m.req);
    if (!p) return;
    this.pending.delete(m.req);
    p.thread.busy--;
    this.waiting.shift()?.();
    if (m.type === 'failed') p.reject(fromWire(m.error));
    else p.resolve(m);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const w of this.waiting.splice(0)) w();
    void this.close();
  }

  private broadcast(m: ToResearchWorker): void {
    for (const t of this.threads) t.worker.postMessage(m);
  }

  private ask(thread: Thread, m: Extract<ToResearchWorker, { req: number }>): Promise<FromResearchWorker> {
    if (this.closed) return Promise.reject(this.closed);
    thread.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(m.req, { resolve, reject, thread });
      thread.worker.postMessage(m);
    });
  }

  /** Resolves once every thread has started and answers. */
  async ready(): Promise<void> {
    await Promise.all(this.threads.map((t) => this.ask(t, { type: 'ping', req: ++this.seq })));
  }

  /** Makes `series` (SharedArrayBuffer-backed: see sharedSeries) known to every thread as `id`. */
  addSeries(id: string, series: BarSeries): void {
    if (!(series.ts.buffer instanceof SharedArrayBuffer)) throw new Error('pool series must live in SharedArrayBuffers (sharedSeries)');
    this.series.set(id, series);
    this.broadcast({ type: 'series', id, series });
  }

  dropSeries(id: string): void {
    this.series.delete(id);
    for (const k of [...this.shared.keys()]) if (k.startsWith(`${id}\n`)) this.shared.delete(k);
    for (const k of [...this.preparing.keys()]) if (k.startsWith(`${id}\n`)) this.preparing.delete(k);
    this.broadcast({ type: 'drop', id });
  }

  /**
   * Computes the indicators `trials` need that the threads do not hold yet, each once, split
   * between the threads, and shares them with all. Returns how many were computed.
   */
  prepare(seriesId: string, strategy: StrategyModule, ref: StrategyRef, trials: readonly Params[]): Promise<number> {
    // One at a time per series and strategy: two batches arriving together must not both
    // compute the indicators they share.
    const key = `${seriesId}\n${ref}`;
    const run = (this.preparing.get(key) ?? Promise.resolve(0)).catch(() => 0).then(() => this.prepareNow(seriesId, strategy, ref, trials));
    this.preparing.set(key, run);
    return run;
  }

  private async prepareNow(seriesId: string, strategy: StrategyModule, ref: StrategyRef, trials: readonly Params[]): Promise<number> {
    const series = this.series.get(seriesId);
    if (!series) throw new Error(`pool: no series ${seriesId}`);
    const key = `${seriesId}\n${ref}`;
    let have = this.shared.get(key);
    if (!have) this.shared.set(key, (have = new SharedIndicators(series)));
    const h = have;
    const missing = missingKeys(series, strategy, trials, (k) => h.has(k));
    if (missing.length === 0) return 0;
    const parts = this.threads.map((_, i) => missing.filter((__, j) => j % this.threads.length === i)).filter((p) => p.length > 0);
    const answers = await Promise.all(parts.map((keys, i) => this.ask(this.threads[i]!, { type: 'compute', req: ++this.seq, seriesId, strategy: ref, trials: [...trials], keys })));
    const outputs = answers.flatMap((a) => (a.type === 'computed' ? a.outputs : []));
    h.add(outputs);
    this.broadcast({ type: 'share', seriesId, strategy: ref, outputs });
    return missing.length;
  }

  /** Runs one trial on the least busy thread, waiting while every thread has two in flight. */
  async trial(seriesId: string, ref: StrategyRef, params: Params, settings: TrialSettings): Promise<TrialOutcome> {
    for (;;) {
      if (this.closed) throw this.closed;
      const free = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (free.busy < 2) {
        const m = await this.ask(free, { type: 'trial', req: ++this.seq, seriesId, strategy: ref, params, settings });
        return (m as Extract<FromResearchWorker, { type: 'trial' }>).outcome;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  async close(): Promise<void> {
    this.closed ??= new KeelError('CANCELLED', 'the research pool was closed');
    for (const p of this.pending.values()) p.reject(this.closed);
    this.pending.clear();
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
