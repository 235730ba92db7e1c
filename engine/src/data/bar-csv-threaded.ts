import type { Worker } from 'node:worker_threads';
import { KeelError } from '../core/errors';
import { startModuleWorker, workerEntry } from '../threads/module-worker';
import { BAR_BATCH_ROWS, type BarBatchConsumer } from './bar-batches';
import { fromWire, type BarCsvResult, type FromCsvWorker, type ToCsvWorker } from './bar-csv-messages';

/** Batches out at once: enough to keep both threads busy, few enough to bound memory (~14 MB). */
const MAX_IN_FLIGHT = 4;
const IDLE_STOP_MS = 30_000;

/**
 * Parses a bar CSV on a worker thread while this thread consumes the batches, so parsing
 * (about two thirds of an import's CPU) runs beside DuckDB's insert instead of before it. Same parser,
 * same checks, same report as parseBarCsv, and batches arrive in file order. `onProgress`
 * runs after each 4 MB of file; an exception from it or from `consume` stops the parse and
 * rejects with that exception.
 */
export function parseBarCsvOnWorker(path: string, consume: BarBatchConsumer, onProgress?: (rowsRead: number) => void, batchRows = BAR_BATCH_ROWS, snapMs = 0): Promise<BarCsvResult> {
  return shared.parse(path, consume, onProgress, batchRows, snapMs);
}

/**
 * The worker could not be started (it failed or exited before its first message): nothing
 * was parsed or consumed, so the caller may parse on its own thread instead.
 */
export class CsvWorkerUnavailable extends Error {
  override readonly name = 'CsvWorkerUnavailable';
}

/**
 * One worker for the process, started on first use and kept for the next import (starting
 * one costs a few ms from a bundle, ~0.3 s from source where tsx must load), stopped after
 * 30 s idle. It holds the process open only while it parses. Parses run one at a time.
 */
export class CsvParseWorker {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly entry: URL = workerEntry(import.meta.url, 'bar-csv-worker')) {}

  parse(path: string, consume: BarBatchConsumer, onProgress: ((rowsRead: number) => void) | undefined, batchRows: number, snapMs = 0): Promise<BarCsvResult> {
    const run = () => this.run(path, consume, onProgress, batchRows, snapMs);
    const job = this.queue.then(run, run);
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Starts the thread now, parked, so its start overlaps what the caller does before its first parse. */
  prestart(): void {
    if (this.worker) return;
    this.worker = startModuleWorker(this.entry);
    this.parked(this.worker);
  }

  private run(path: string, consume: BarBatchConsumer, onProgress: ((rowsRead: number) => void) | undefined, batchRows: number, snapMs: number): Promise<BarCsvResult> {
    clearTimeout(this.idleTimer);
    const worker = (this.worker ??= startModuleWorker(this.entry));
    worker.ref();
    return new Promise<BarCsvResult>((resolve, reject) => {
      let heard = false;
      const settle = (outcome: { error: unknown; stop: boolean } | { result: BarCsvResult }) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if ('result' in outcome) {
          this.parked(worker);
          resolve(outcome.result);
          return;
        }
        if (outcome.stop) this.stop(worker);
        else this.parked(worker);
        reject(outcome.error);
      };
      const onMessage = (msg: FromCsvWorker) => {
        heard = true;
        try {
          if (msg.type === 'batch') {
            consume(msg.cols, msg.rows);
            const back: ToCsvWorker = { type: 'recycle', cols: msg.cols };
            worker.postMessage(back, msg.cols.map((c) => c.buffer as ArrayBuffer));
          } else if (msg.type === 'progress') {
            onProgress?.(msg.rowsRead);
          } else if (msg.type === 'done') {
            settle({ result: msg.result });
          } else {
            // The file was refused: the worker finished cleanly and can take the next one.
            settle({ error: fromWire(msg.error), stop: false });
          }
        } catch (e) {
          // This side gave up (store error, cancelled): the worker may be mid-file; stop it.
          settle({ error: e, stop: true });
        }
      };
      const failed = (why: string, cause?: unknown) =>
        settle({ error: heard ? new KeelError('INTERNAL', `the CSV parse worker ${why}`, { where: path, cause }) : new CsvWorkerUnavailable(`the CSV parse worker ${why} before it started`, { cause }), stop: true });
      const onError = (e: Error) => failed(`failed: ${e.message}`, e);
      const onExit = (code: number) => failed(`exited (code ${code})`);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const job: ToCsvWorker = { type: 'parse', path, batchRows, maxInFlight: MAX_IN_FLIGHT, snapMs };
      worker.postMessage(job);
    });
  }

  /** Idle between parses: it must not keep the process alive, and goes after a while. */
  private parked(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => this.stop(worker), IDLE_STOP_MS);
    this.idleTimer.unref();
  }

  private stop(worker: Worker): void {
    clearTimeout(this.idleTimer);
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }
}

const shared = new CsvParseWorker();

/**
 * Starts the process's parse thread ahead of its first parse: from source a thread takes
 * ~0.3 s to load its modules, which a command can hide behind loading its own.
 */
export function prestartCsvParseWorker(): void {
  shared.prestart();
}
