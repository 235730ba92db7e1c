import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { KeelError } from '../core/errors';
import { startModuleWorker, workerEntry } from '../threads/module-worker';
import { StateStore } from './store';
import { COMMITTED, FAILED, packOps, type WriteBehindFailure, type WriteBehindOp, type WriteBehindToWorker } from './write-behind-messages';

/**
 * Writes that return nothing, so they can be written later, on another thread. Everything
 * else (reads, writes that hand back a row) runs on this thread's connection, after the
 * writes before it are committed.
 */
const DEFERRABLE = new Set<string>(['recordBatch', 'addStrategySignal', 'saveStrategyInstance', 'addStrategyEvent', 'appendAudit', 'saveLedger', 'addEquityPoints', 'saveOrder']);

/** Transactions posted and not yet committed, at most. */
const MAX_AHEAD = 4;
/** A writer that commits nothing for this long while this thread waits on it is taken for dead. */
const STALL_MS = 60_000;

const writerEntry = (): URL => workerEntry(import.meta.url, 'write-behind-worker');
let spare: Worker | undefined;

/**
 * Starts the next WriteBehindStore's thread now. From source a thread takes a few hundred ms
 * to load its modules: a caller with other work first (`keel paper` loading its bars) hides
 * that behind it. An unused thread does not hold the process open.
 */
export function prestartWriteBehindThread(): void {
  spare ??= startModuleWorker(writerEntry());
  spare.unref();
}

/**
 * A state store whose deferrable writes run on a worker thread with its own connection to the
 * same file, in the same transactions and the same order, once deferWrites() was called:
 * `transaction(fn)` runs `fn` here and commits the writes it made there, while this thread
 * goes on. A replay run as fast as it can go (`keel paper`) spends about as long writing its
 * journal as trading, and this puts the two on two cores. The file on disk always ends at a whole transaction, as with the store
 * itself. A write the worker refuses rolls its transaction back, the worker takes nothing
 * after it, and the refusal is thrown here at the next transaction, read or finish(): a run
 * fails closed, at most one transaction after the write that failed.
 *
 * Not for a live desk: there a change must be durable before the order it records leaves.
 */
export class WriteBehindStore {
  /** Use where a StateStore is wanted. */
  readonly store: StateStore;
  private readonly direct: StateStore;
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private posted = 0;
  private queue: WriteBehindOp[] | undefined;
  private failure: KeelError | undefined;
  private finished = false;
  private deferring = false;

  constructor(file: string, account?: string) {
    this.direct = StateStore.open(file, account);
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = spare ?? startModuleWorker(writerEntry());
    spare = undefined;
    this.worker.ref();
    // A worker that dies before its first commit must not leave the run waiting on it.
    this.worker.on('error', (e) => this.fail(new KeelError('INTERNAL', `the journal writer thread failed: ${e.message}`, { where: file, cause: e })));
    this.worker.on('exit', (code) => {
      if (!this.finished) this.fail(new KeelError('INTERNAL', `the journal writer thread exited (code ${code})`, { where: file }));
    });
    const open: WriteBehindToWorker = { type: 'open', file, account, progress: this.progress, replies: port2 };
    this.worker.postMessage(open, [port2]);
    this.store = new Proxy(this.direct, {
      get: (target, prop, receiver) => {
        if (this.deferring && prop === 'transaction') return <T>(fn: () => T): T => this.transaction(fn);
        if (this.deferring && typeof prop === 'string' && DEFERRABLE.has(prop)) return (...args: unknown[]) => this.defer(prop, args);
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          this.drain();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  /**
   * From now on deferrable writes go to the worker. Before, everything runs here at once, so
   * setting up (which reads what it just wrote) does not wait for the worker to start.
   */
  deferWrites(): void {
    this.deferring = true;
  }

  private defer(method: string, args: unknown[]): void {
    this.check();
    if (this.queue) this.queue.push({ method, args });
    else this.post([{ method, args }]);
  }

  private transaction<T>(fn: () => T): T {
    this.check();
    // Nested: part of the outer transaction, as SQLite's savepoints would make it.
    if (this.queue) return fn();
    this.queue = [];
    try {
      const out = fn();
      this.post(this.queue);
      return out;
    } finally {
      this.queue = undefined;
    }
  }

  private post(ops: WriteBehindOp[]): void {
    if (ops.length === 0) return;
    this.posted++;
    const msg: WriteBehindToWorker = { type: 'batch', packed: packOps(ops) };
    this.worker.postMessage(msg);
    // Bounded memory: this thread waits when the writer falls this far behind.
    if (this.posted - Atomics.load(this.progress, COMMITTED) > MAX_AHEAD) this.drain(this.posted - MAX_AHEAD);
  }

  /** Throws the worker's refusal, if it has sent one. */
  private check(): void {
    if (this.failure) throw this.failure;
    const got = receiveMessageOnPort(this.replies);
    if (got) {
      const f = got.message as WriteBehindFailure;
      this.fail(new KeelError(f.code as KeelError['code'], f.message, { where: f.where }));
    }
    if (this.failure) throw this.failure;
  }

  private fail(e: KeelError): void {
    this.failure ??= e;
    // Wakes a thread waiting in drain().
    Atomics.store(this.progress, FAILED, 1);
    Atomics.notify(this.progress, COMMITTED);
  }

  /**
   * Blocks until `upTo` transactions (all posted so far by default) are committed, or one was
   * refused. A blocked thread hears no event, a dead writer's 'exit' included: a writer that
   * commits nothing for STALL_MS is taken for dead, so a run fails rather than hangs.
   */
  private drain(upTo = this.posted): void {
    let last = Atomics.load(this.progress, COMMITTED);
    let since = Date.now();
    for (;;) {
      this.check();
      const done = Atomics.load(this.progress, COMMITTED);
      if (done >= upTo) return;
      if (done !== last) {
        last = done;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        this.fail(new KeelError('UNAVAILABLE', `the journal writer thread committed nothing for ${STALL_MS / 1000} s`, { where: 'journal' }));
      }
      Atomics.wait(this.progress, COMMITTED, done, 100);
    }
  }

  /** As drain(), without blocking: the writer's exit or error is heard while waiting. */
  private async settle(): Promise<void> {
    for (;;) {
      this.check();
      if (Atomics.load(this.progress, COMMITTED) >= this.posted) return;
      if (this.worker.threadId === -1) this.fail(new KeelError('INTERNAL', 'the journal writer thread stopped before it committed every write', { where: 'journal' }));
      else await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Waits for every write to be committed, closes the worker's connection and this one; throws a refused write. */
  async finish(): Promise<void> {
    let refused: unknown;
    try {
      await this.settle();
    } catch (e) {
      refused = e;
    }
    this.finished = true;
    // The worker goes through what is queued before it (taking nothing after a refusal), then closes its connection.
    if (this.worker.threadId !== -1) {
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      const close: WriteBehindToWorker = { type: 'close' };
      this.worker.postMessage(close);
      await exited;
    }
    if (refused === undefined) {
      try {
        this.check();
      } catch (e) {
        refused = e;
      }
    }
    this.replies.close();
    this.direct.close();
    if (refused !== undefined) throw refused;
  }

  /** Stops the worker without waiting for what it has not written (a run that failed here). */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.replies.close();
    await this.worker.terminate();
    this.direct.close();
  }
}
