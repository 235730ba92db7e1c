import { KeelError, type ErrorCode } from '../core/errors';
import type { BarChecks } from './bar-checker';
import type { ImportReport } from './import-report';

/**
 * The messages between the engine and its CSV parse worker (bar-csv-worker.ts). Column
 * buffers are transferred, never copied: each batch goes to the engine and comes back to
 * be filled again.
 */
export type ToCsvWorker =
  | { type: 'parse'; path: string; batchRows: number; maxInFlight: number; snapMs: number }
  | { type: 'recycle'; cols: Float64Array[] };

/** What a parse found beside the bars themselves: plain data, so it can cross threads. */
export interface BarCsvResult {
  description: string;
  notes: string[];
  checks: BarChecks;
  rejected: ImportReport['rejected'];
  sha256: string;
}

export type FromCsvWorker =
  | { type: 'batch'; cols: Float64Array[]; rows: number }
  | { type: 'progress'; rowsRead: number }
  | { type: 'done'; result: BarCsvResult }
  | { type: 'error'; error: WireError };

/** An error as it crosses a thread: a KeelError keeps its code, where and details. */
export interface WireError {
  code: ErrorCode | null;
  message: string;
  where?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export function toWire(e: unknown): WireError {
  if (e instanceof KeelError) {
    const prefix = e.where === undefined ? '' : `${e.where}: `;
    const message = prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return { code: e.code, message, where: e.where, details: e.details, stack: e.stack };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: null, message: err.message, stack: err.stack };
}

export function fromWire(w: WireError): Error {
  const e = w.code === null ? new Error(w.message) : new KeelError(w.code, w.message, { where: w.where, details: w.details });
  if (w.stack) e.stack = w.stack;
  return e;
}
