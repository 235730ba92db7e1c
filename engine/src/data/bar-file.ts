import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KeelError, badInput } from '../core/errors';
import { bucketStart, timeframeMs, type Timeframe } from '../core/timeframe';
import { inlineBatcher, type BarBatchConsumer } from './bar-batches';
import type { BarChecks } from './bar-checker';
import { parseBarCsv } from './bar-csv';
import { CsvWorkerUnavailable, parseBarCsvOnWorker } from './bar-csv-threaded';
import { MAX_LISTED_REJECTIONS, isoTime, type ImportReport, type RejectReason, type Rejection } from './import-report';
import { resolveSymbol, resolveTimeframe } from './infer';
import { findGaps } from './quality';

export interface BarFileOptions {
  symbol?: string;
  timeframe?: Timeframe;
  /** Refuse the whole file if any row is rejected. */
  strict?: boolean;
  /**
   * Move each bar's time down onto the timeframe's grid instead of rejecting a bar that is off
   * it. Needs `timeframe`: the grid to snap to is the trader's to name, not a guess.
   */
  snap?: boolean;
}

/** The bar length to snap to, or 0; refuses snap without a timeframe. */
export function snapMsOf(opts: BarFileOptions): number {
  if (!opts.snap) return 0;
  if (opts.timeframe === undefined) throw badInput('snapping needs the timeframe whose grid to snap to (--timeframe)', 'snap');
  return timeframeMs(opts.timeframe);
}

/** A bar file after every row went through the checks, before it is stored or returned. */
export interface ParsedBars {
  description: string;
  notes: string[];
  checks: BarChecks;
  rejected: ImportReport['rejected'];
  sha256: string;
  position: 'line' | 'row';
}

/**
 * Where a CSV is parsed: on a worker thread beside the consumer, or on this thread. 'auto'
 * takes the worker for files of WORKER_FROM_BYTES and more; below that the parse is over
 * before a worker would have started. The result is the same either way.
 */
export type ParseThread = 'auto' | 'worker' | 'inline';

/** About 150,000 bars: ~0.1 s of parsing. */
export const WORKER_FROM_BYTES = 8 << 20;

export function isParquet(path: string): boolean {
  return /\.parquet$/i.test(path);
}

/**
 * Parses a CSV or Parquet bar file, handing the accepted bars to `consume` in file order.
 * Parquet needs a DuckDB connection to read with. `onProgress` (CSV) runs after each 4 MB.
 */
export async function parseBarFile(
  path: string,
  consume: BarBatchConsumer,
  con: () => Promise<DuckDBConnection>,
  onProgress?: (rowsRead: number) => void,
  thread: ParseThread = 'auto',
  snapMs = 0,
): Promise<ParsedBars> {
  const batcher = inlineBatcher(consume);
  if (isParquet(path)) {
    // Loaded for Parquet only: it loads DuckDB, which costs a CSV run's start about 0.3 s.
    const { parseBarParquet } = await import('./bar-parquet');
    const p = await parseBarParquet(await con(), path, batcher, snapMs);
    batcher.flush();
    return { description: p.description, notes: p.notes, checks: p.checker.checks(), rejected: p.rejects.toReport(), sha256: p.sha256, position: 'row' };
  }
  if (csvParseThread(path, thread) === 'worker') {
    try {
      return { ...(await parseBarCsvOnWorker(path, consume, onProgress, undefined, snapMs)), position: 'line' };
    } catch (e) {
      // The worker only makes an import faster: unless it was asked for, a worker that cannot start is not a reason to fail.
      if (thread === 'worker' || !(e instanceof CsvWorkerUnavailable)) throw e;
      process.emitWarning(`${e.message}; parsing ${path} on the engine thread`, 'KeelParseWorker');
    }
  }
  const p = await parseBarCsv(path, batcher, snapMs, onProgress);
  batcher.flush();
  return { description: p.layout.description, notes: [...p.layout.notes], checks: p.checker.checks(), rejected: p.rejects.toReport(), sha256: p.sha256, position: 'line' };
}

/** Whether parseBarFile parses this file on the parse worker (a large enough CSV). */
export function parsesOnWorker(path: string, thread: ParseThread = 'auto'): boolean {
  return !isParquet(path) && csvParseThread(path, thread) === 'worker';
}

/** Where a CSV will be parsed. A file that cannot be stat'ed parses inline, which then says what is wrong with it. */
export function csvParseThread(path: string, thread: ParseThread): 'worker' | 'inline' {
  if (thread !== 'auto') return thread;
  return fileSizeOr0(path) >= WORKER_FROM_BYTES ? 'worker' : 'inline';
}

/** A file's size, or 0 when it cannot be stat'ed: the parse then says what is wrong with it. */
export function fileSizeOr0(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Turns a parse into the report: symbol and timeframe (given or inferred), bars off the
 * timeframe's grid rejected (the grid is known only now when the timeframe is inferred), gaps,
 * and the file-level decisions. Refuses files with no usable row, and with any bad row under
 * --strict, so nothing half-right is stored or backtested. `keep` marks, in file order, the
 * parsed rows that stay (undefined: all of them); the caller drops the others from what it
 * already holds.
 */
export function summariseBars(path: string, parsed: ParsedBars, opts: BarFileOptions): { report: ImportReport; ascendingTs: Float64Array; keep: Uint8Array | undefined; barMs: number } {
  const { checks } = parsed;
  const where = (line: number) => `${path}:${parsed.position === 'row' ? 'row ' : ''}${line}`;
  const noRows = (rejected: ImportReport['rejected']) => {
    const first = rejected.rows[0];
    return new KeelError('BAD_FILE', `no usable rows (${checks.rowsRead} read, ${rejected.count} rejected${first ? `; first: ${first.reason}: ${first.message}` : ''})`, {
      where: first ? where(first.line) : path,
      details: { rejected },
    });
  };
  const strictly = (rejected: ImportReport['rejected']) => {
    const first = rejected.rows[0];
    if (!opts.strict || !first) return;
    throw new KeelError('BAD_FILE', `refused (--strict): ${rejected.count} bad row${rejected.count === 1 ? '' : 's'}; first: ${first.reason}: ${first.message}`, {
      where: where(first.line),
      details: { rejected },
    });
  };
  strictly(parsed.rejected);
  if (checks.ts.length === 0) throw noRows(parsed.rejected);
  const { symbol, source: symbolSource } = resolveSymbol(path, opts.symbol);
  const fileTs = checks.ts;
  const { timeframe, source: timeframeSource } = resolveTimeframe(fileTs, opts.timeframe, path);
  const barMs = timeframeMs(timeframe);
  const offGrid: Rejection[] = [];
  let keep: Uint8Array | undefined;
  for (let i = 0; i < fileTs.length; i++) {
    const t = fileTs[i]!;
    const on = bucketStart(t, barMs);
    if (on === t) continue;
    keep ??= new Uint8Array(fileTs.length).fill(1);
    keep[i] = 0;
    if (offGrid.length < MAX_LISTED_REJECTIONS) {
      offGrid.push({ line: checks.lines[i]!, reason: 'off-grid', message: `${isoTime(t)} is not on the ${timeframe} grid (bars open at ${isoTime(on)} and ${isoTime(on + barMs)}); ask to snap (--snap) to move such bars onto it` });
    }
  }
  const offCount = keep ? fileTs.length - keep.reduce((n, k) => n + k, 0) : 0;
  const rejected = offCount === 0 ? parsed.rejected : withRejections(parsed.rejected, 'off-grid', offCount, offGrid);
  strictly(rejected);
  const acceptedTs = keep ? fileTs.filter((_, i) => keep![i] === 1) : fileTs;
  if (acceptedTs.length === 0) throw noRows(rejected);
  const notes = [...parsed.notes];
  const ascendingTs = checks.direction < 0 ? acceptedTs.slice().reverse() : acceptedTs.slice();
  if (checks.direction < 0) notes.push('the file runs backward in time; its bars were put in ascending order');
  const snapped = checks.snapped;
  if (snapped.count > 0) {
    const eg = snapped.first.map((s) => `${parsed.position} ${s.line}: ${isoTime(s.from)} -> ${isoTime(s.to)}`).join('; ');
    notes.push(`${snapped.count} bar time${snapped.count === 1 ? ' was' : 's were'} snapped down onto the ${timeframe} grid, as asked (${eg}${snapped.count > snapped.first.length ? '; ...' : ''})`);
  }
  const report: ImportReport = {
    file: basename(path),
    sha256: parsed.sha256,
    kind: 'bars',
    layout: parsed.description,
    symbol,
    symbolSource,
    timeframe,
    timeframeSource,
    notes,
    position: parsed.position,
    rowsRead: checks.rowsRead,
    rowsAccepted: ascendingTs.length,
    duplicatesInFile: checks.duplicatesInFile,
    rejected,
    from: ascendingTs[0]!,
    to: ascendingTs[ascendingTs.length - 1]!,
    gaps: findGaps(ascendingTs, barMs),
    store: null,
  };
  return { report, ascendingTs, keep, barMs };
}

/** `rejected` with `count` more rows of `reason`, the listed ones merged in line order. */
function withRejections(rejected: ImportReport['rejected'], reason: RejectReason, count: number, rows: Rejection[]): ImportReport['rejected'] {
  return {
    count: rejected.count + count,
    byReason: { ...rejected.byReason, [reason]: (rejected.byReason[reason] ?? 0) + count },
    rows: [...rejected.rows, ...rows].sort((a, b) => a.line - b.line).slice(0, MAX_LISTED_REJECTIONS),
  };
}
