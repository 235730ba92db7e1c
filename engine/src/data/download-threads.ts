/**
 * Download threads: worker threads that fetch a bar download's pages, each with its own
 * ExchangeClient made from the download client's ClientSpec, so ccxt's HTTP body decode,
 * JSON parse and OHLCV parse run beside the engine's thread, which keeps storing. A thread
 * runs the same page logic as the engine's thread (fetchBarsPage) and sends the page back
 * with its columns transferred, not copied.
 *
 * Only for a client whose rate limiter is off (download.ts decides): N ccxt instances on N
 * threads would each keep their own limiter budget and together break the exchange's limit.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { KeelError } from '../core/errors';
import type { ClientSpec } from '../exchange/client';
import type { RetryPolicy } from '../exchange/retry';
import { startModuleWorker, workerEntry } from '../threads/module-worker';
import { fromWire, type WireError } from './bar-csv-messages';
import type { FetchedPage, PageJob } from './download-page';

export type ToDownloadWorker = { type: 'init'; spec: ClientSpec; retry?: RetryPolicy } | { type: 'page'; id: number; job: PageJob; retry?: RetryPolicy };

export type FromDownloadWorker =
  | { type: 'ready' }
  | { type: 'unavailable'; error: WireError }
  | { type: 'retry'; id: number }
  | { type: 'page'; id: number; page: FetchedPage }
  | { type: 'failed'; id: number; error: WireError };

/**
 * Threads for a download: none on 2 cores or fewer, else one per core beyond two, at most
 * three. The engine's thread keeps a core (it stores every page and takes every message), and
 * the server behind the API URL (a simulator or a proxy, as a rule on this machine) needs
 * about one at the same rate: on 2 cores a thread only moves ccxt's work between threads that
 * share the same cores and adds its start-up (exchange bench, docs/exchanges.md: the rate
 * halved). Three threads at ~200k bars/s each feed the engine's thread about as fast as it
 * stores.
 */
export function defaultDownloadThreads(): number {
  return Math.min(3, Math.max(0, availableParallelism() - 2));
}

/** A parked set of threads goes after this long unused. */
const IDLE_STOP_MS = 30_000;

let live = 0;
/** Download threads of this process that have not exited yet. */
export function liveDownloadThreads(): number {
  return live;
}

interface Thread {
  id: number;
  worker: Worker;
  state: 'starting' | 'ready' | 'gone';
  busy: number;
}

interface Pending {
  thread: Thread;
  resolve(r: ThreadPage): void;
  reject(e: unknown): void;
  onRetry?: () => void;
  /** Where the page goes when its thread dies under it: the engine's thread fetches it. */
  fallback(): Promise<FetchedPage>;
}

export interface ThreadPage {
  page: FetchedPage;
  /** Which thread fetched it (0-based), or -1 when the engine's thread took it over. */
  thread: number;
}

/**
 * Threads that fetch pages for one download at a time. Pull model: a page goes to a ready
 * thread with a free slot, if any (`fetch` answers undefined otherwise and the caller fetches
 * it itself). Threads start at once and load ccxt (~0.75 s each); `onReady` is told as each
 * becomes ready. A thread that cannot start is dropped (its reason is kept in `problems`);
 * one that dies mid-download hands its pages to `fallback`. `close` ends every thread at once
 * and fails the pages in flight with CANCELLED.
 */
export class DownloadThreads {
  private readonly threads: Thread[];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly startWaiters: (() => void)[] = [];
  /** Why threads could not start or died, for the report's notes. */
  readonly problems: string[] = [];
  onReady: (() => void) | undefined;

  constructor(
    readonly spec: ClientSpec,
    readonly size: number,
    /** How the threads' markets load is retried (default READ_RETRY). */
    retry?: RetryPolicy,
    entry: URL = workerEntry(import.meta.url, 'download-worker'),
  ) {
    this.threads = Array.from({ length: size }, (_, id) => {
      const t: Thread = { id, worker: startModuleWorker(entry, { preload: ['ccxt'] }), state: 'starting', busy: 0 };
      live++;
      t.worker.once('exit', () => live--);
      t.worker.on('message', (m: FromDownloadWorker) => this.heard(t, m));
      t.worker.on('error', (e) => this.lost(t, `failed: ${e.message}`));
      t.worker.on('exit', (code) => this.lost(t, `exited (code ${code})`));
      const init: ToDownloadWorker = { type: 'init', spec, retry };
      t.worker.postMessage(init);
      return t;
    });
  }

  get readyCount(): number {
    return this.threads.filter((t) => t.state === 'ready').length;
  }

  /** Resolves once every thread is ready or gone, with how many are ready. */
  whenStarted(): Promise<number> {
    return new Promise((resolve) => {
      this.startWaiters.push(() => resolve(this.readyCount));
      this.started();
    });
  }

  private started(): void {
    if (this.closed || this.threads.every((t) => t.state !== 'starting')) for (const w of this.startWaiters.splice(0)) w();
  }

  /**
   * Sends `job` to the ready thread with the fewest pages in flight, if one has fewer than
   * `perThread`; undefined when none can take it now.
   */
  fetch(job: PageJob, perThread: number, opts: { retry?: RetryPolicy; onRetry?: () => void }, fallback: () => Promise<FetchedPage>): Promise<ThreadPage> | undefined {
    if (this.closed) return undefined;
    let best: Thread | undefined;
    for (const t of this.threads) if (t.state === 'ready' && t.busy < perThread && (!best || t.busy < best.busy)) best = t;
    if (!best) return undefined;
    const thread = best;
    const id = ++this.seq;
    thread.busy++;
    return new Promise<ThreadPage>((resolve, reject) => {
      this.pending.set(id, { thread, resolve, reject, onRetry: opts.onRetry, fallback });
      const msg: ToDownloadWorker = { type: 'page', id, job, retry: opts.retry };
      thread.worker.postMessage(msg);
    });
  }

  private heard(t: Thread, m: FromDownloadWorker): void {
    if (m.type === 'ready') {
      t.state = 'ready';
      this.started();
      this.onReady?.();
      return;
    }
    if (m.type === 'unavailable') {
      this.problems.push(`a download thread could not start (${fromWire(m.error).message}); the other threads or the engine's thread fetched its share`);
      t.state = 'gone';
      void t.worker.terminate();
      this.started();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'retry') {
      p.onRetry?.();
      return;
    }
    this.pending.delete(m.id);
    t.busy--;
    if (m.type === 'page') p.resolve({ page: m.page, thread: t.id });
    else p.reject(fromWire(m.error));
    this.onReady?.(); // a slot is free
  }

  private lost(t: Thread, why: string): void {
    if (t.state === 'gone' || this.closed) return;
    const wasReady = t.state === 'ready';
    t.state = 'gone';
    this.problems.push(`a download thread ${why}; the engine's thread fetched its pages in flight`);
    for (const [id, p] of this.pending) {
      if (p.thread !== t) continue;
      this.pending.delete(id);
      p.fallback().then((page) => p.resolve({ page, thread: -1 }), p.reject);
    }
    t.busy = 0;
    this.started();
    if (wasReady) this.onReady?.(); // the caller's own slots count again when no thread is ready
  }

  /** In use by a download: the threads keep the process alive while they work. */
  hold(): void {
    clearTimeout(this.idleTimer);
    this.problems.length = 0;
    for (const t of this.threads) if (t.state !== 'gone') t.worker.ref();
  }

  /** Unused: they must not keep the process alive, and go after a while. */
  park(onStop: () => void): void {
    this.onReady = undefined;
    for (const t of this.threads) if (t.state !== 'gone') t.worker.unref();
    this.idleTimer = setTimeout(() => {
      onStop();
      this.close();
    }, IDLE_STOP_MS);
    this.idleTimer.unref();
  }

  get usable(): boolean {
    return !this.closed && this.threads.some((t) => t.state !== 'gone');
  }

  /** Ends every thread now; pages in flight fail with CANCELLED (the caller drops them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onReady = undefined;
    clearTimeout(this.idleTimer);
    const stopped = new KeelError('CANCELLED', "the download's threads were stopped", { where: 'download' });
    for (const p of this.pending.values()) p.reject(stopped);
    this.pending.clear();
    for (const t of this.threads) {
      t.state = 'gone';
      void t.worker.terminate();
    }
    this.started();
  }
}

/**
 * Threads parked after a download that ended well, by client spec and size: a series of
 * downloads from the same exchange (the Data screen's, a script's) pays ccxt's start-up once.
 * A download takes them for itself (two downloads never share threads) and parks them again.
 */
const parked = new Map<string, DownloadThreads>();
const keyOf = (spec: ClientSpec, size: number) => JSON.stringify([spec, size]);

/** Threads for one download: parked ones for this spec and size, else new ones. */
export function takeDownloadThreads(spec: ClientSpec, size: number, retry?: RetryPolicy): DownloadThreads {
  const key = keyOf(spec, size);
  const p = parked.get(key);
  parked.delete(key);
  const threads = p?.usable ? p : new DownloadThreads(spec, size, retry);
  threads.hold();
  return threads;
}

/** Back to the park after a download that ended well; one set per spec and size is kept. */
export function parkDownloadThreads(threads: DownloadThreads): void {
  const key = keyOf(threads.spec, threads.size);
  if (!threads.usable || parked.has(key)) return threads.close();
  parked.set(key, threads);
  threads.park(() => {
    if (parked.get(key) === threads) parked.delete(key);
  });
}

/**
 * Starts download threads for `spec` ahead of a download and parks them, resolving once they
 * are ready, with how many are: the next download with this spec and size fetches on them
 * from its first page.
 */
export async function warmDownloadThreads(spec: ClientSpec, size = defaultDownloadThreads(), retry?: RetryPolicy): Promise<number> {
  const threads = takeDownloadThreads(spec, size, retry);
  const ready = await threads.whenStarted();
  parkDownloadThreads(threads);
  return ready;
}

/** Ends every parked download thread now (an engine shutting down, a test cleaning up). */
export function stopParkedDownloadThreads(): void {
  for (const threads of parked.values()) threads.close();
  parked.clear();
}
