import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KeelError } from '../core/errors';
import { timeframeMs, type Timeframe } from '../core/timeframe';
import type { BarChecker, BarSink } from './bar-checker';
import { parseBarCsv } from './bar-csv';
import { parseBarParquet } from './bar-parquet';
import type { ImportReport, RejectLog } from './import-report';
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
  checker: BarChecker;
  rejects: RejectLog;
  sha256: string;
  position: 'line' | 'row';
}

export function isParquet(path: string): boolean {
  return /\.parquet$/i.test(path);
}

/** Parses a CSV or Parquet bar file into `sink`. Parquet needs a DuckDB connection to read with. */
export async function parseBarFile(path: string, sink: BarSink, con: () => Promise<DuckDBConnection>, onProgress?: (rowsRead: number) => void): Promise<ParsedBars> {
  if (isParquet(path)) {
    const p = await parseBarParquet(await con(), path, sink);
    return { ...p, position: 'row' };
  }
  const p = await parseBarCsv(path, sink, onProgress);
  return { description: p.layout.description, notes: [...p.layout.notes], checker: p.checker, rejects: p.rejects, sha256: p.sha256, position: 'line' };
}

/**
 * Turns a parse into the report: symbol and timeframe (given or inferred), gaps at that
 * timeframe, and the file-level decisions. Refuses files with no usable row, and with any
 * bad row under --strict, so nothing half-right is stored or backtested.
 */
export function summariseBars(path: string, parsed: ParsedBars, opts: BarFileOptions): { report: ImportReport; ascendingTs: Float64Array } {
  const { checker, rejects } = parsed;
  const where = (line: number) => `${path}:${parsed.position === 'row' ? 'row ' : ''}${line}`;
  const first = rejects.rows[0];
  if (opts.strict && first) {
    throw new KeelError('BAD_FILE', `refused (--strict): ${rejects.count} bad row${rejects.count === 1 ? '' : 's'}; first: ${first.reason}: ${first.message}`, {
      where: where(first.line),
      details: { rejected: rejects.toReport() },
    });
  }
  if (checker.ts.length === 0) {
    throw new KeelError('BAD_FILE', `no usable rows (${checker.rowsRead} read, ${rejects.count} rejected${first ? `; first: ${first.reason}: ${first.message}` : ''})`, {
      where: first ? where(first.line) : path,
      details: { rejected: rejects.toReport() },
    });
  }
  const { symbol, source: symbolSource } = resolveSymbol(path, opts.symbol);
  const fileTs = checker.ts.view();
  const { timeframe, source: timeframeSource } = resolveTimeframe(fileTs, opts.timeframe, path);
  const notes = [...parsed.notes];
  const ascendingTs = checker.direction < 0 ? fileTs.slice().reverse() : fileTs.slice();
  if (checker.direction < 0) notes.push('the file runs backward in time; its bars were put in ascending order');
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
    rowsRead: checker.rowsRead,
    rowsAccepted: ascendingTs.length,
    duplicatesInFile: checker.duplicatesInFile,
    rejected: rejects.toReport(),
    from: ascendingTs[0]!,
    to: ascendingTs[ascendingTs.length - 1]!,
    gaps: findGaps(ascendingTs, barMs),
    store: null,
  };
  return { report, ascendingTs };
}
