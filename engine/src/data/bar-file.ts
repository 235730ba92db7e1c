import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KeelError } from '../core/errors';
import { timeframeMs, type Timeframe } from '../core/timeframe';
import { inlineBatcher, type BarBatchConsumer } from './bar-batches';
import type { BarChecks } from './bar-checker';
import { parseBarCsv } from './bar-csv';
import { CsvWorkerUnavailable, parseBarCsvOnWorker } from './bar-csv-threaded';
import { parseBarParquet } from './bar-parquet';
import type { ImportReport } from './import-report';
import { resolveSymbol, resolveTimeframe } from './infer';
import { countMisaligned, findGaps } from './quality';

export interface BarFileOptions {
  symbol?: string;
  timeframe?: Timeframe;
  /** Refuse the whole file if any row is rejected. */
  strict?: boolean;
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
): Promise<ParsedBars> {
  const batcher = inlineBatcher(consume);
  if (isParquet(path)) {
    const p = await parseBarParquet(await con(), path, batcher);
    batcher.flush();
    return { description: p.description, notes: p.notes, checks: p.checker.checks(), rejected: p.rejects.toReport(), sha256: p.sha256, position: 'row' };
  }
  if (csvParseThread(path, thread) === 'worker') {
    try {
      return { ...(await parseBarCsvOnWorker(path, consume, onProgress)), position: 'line' };
    } catch (e) {
      // The worker only makes an import faster: unless it was asked for, a worker that cannot start is not a reason to fail.
      if (thread === 'worker' || !(e instanceof CsvWorkerUnavailable)) throw e;
      process.emitWarning(`${e.message}; parsing ${path} on the engine thread`, 'KeelParseWorker');
    }
  }
  const p = await parseBarCsv(path, batcher, onProgress);
  batcher.flush();
  return { description: p.layout.description, notes: [...p.layout.notes], checks: p.checker.checks(), rejected: p.rejects.toReport(), sha256: p.sha256, position: 'line' };
}

/** Where a CSV will be parsed. A file that cannot be stat'ed parses inline, which then says what is wrong with it. */
export function csvParseThread(path: string, thread: ParseThread): 'worker' | 'inline' {
  if (thread !== 'auto') return thread;
  let bytes = 0;
  try {
    bytes = statSync(path).size;
  } catch {
    // left to the parse
  }
  return bytes >= WORKER_FROM_BYTES ? 'worker' : 'inline';
}

/**
 * Turns a parse into the report: symbol and timeframe (given or inferred), gaps at that
 * timeframe, and the file-level decisions. Refuses files with no usable row, and with any
 * bad row under --strict, so nothing half-right is stored or backtested.
 */
export function summariseBars(path: string, parsed: ParsedBars, opts: BarFileOptions): { report: ImportReport; ascendingTs: Float64Array } {
  const { checks, rejected } = parsed;
  const where = (line: number) => `${path}:${parsed.position === 'row' ? 'row ' : ''}${line}`;
  const first = rejected.rows[0];
  if (opts.strict && first) {
    throw new KeelError('BAD_FILE', `refused (--strict): ${rejected.count} bad row${rejected.count === 1 ? '' : 's'}; first: ${first.reason}: ${first.message}`, {
      where: where(first.line),
      details: { rejected },
    });
  }
  if (checks.ts.length === 0) {
    throw new KeelError('BAD_FILE', `no usable rows (${checks.rowsRead} read, ${rejected.count} rejected${first ? `; first: ${first.reason}: ${first.message}` : ''})`, {
      where: first ? where(first.line) : path,
      details: { rejected },
    });
  }
  const { symbol, source: symbolSource } = resolveSymbol(path, opts.symbol);
  const fileTs = checks.ts;
  const { timeframe, source: timeframeSource } = resolveTimeframe(fileTs, opts.timeframe, path);
  const notes = [...parsed.notes];
  const ascendingTs = checks.direction < 0 ? fileTs.slice().reverse() : fileTs.slice();
  if (checks.direction < 0) notes.push('the file runs backward in time; its bars were put in ascending order');
  const barMs = timeframeMs(timeframe);
  const misaligned = countMisaligned(ascendingTs, barMs);
  if (misaligned > 0) notes.push(`${misaligned} bars do not open on a ${timeframe} boundary (UTC); resampling puts each in the bucket of its open time`);
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
  return { report, ascendingTs };
}
