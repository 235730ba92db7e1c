import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { BarSeries } from '../model/bar';
import { fileSizeOr0, parseBarFile, snapMsOf, summariseBars, type BarFileOptions, type ParseThread } from './bar-file';
import { GrowableF64 } from './growable';
import type { ImportReport } from './import-report';

const MIN_ROW_BYTES = 12;
/** Beyond this (a 1.6 GB CSV) the columns grow as they fill instead. */
const MAX_PRESIZED_ROWS = 1 << 27;

/**
 * Reads a bar file (any layout docs/data.md lists, CSV or Parquet) with the same parser and
 * checks as `keel import`, without a store: for `keel backtest --data` and friends.
 * Rejected rows are left out and listed in the report; a file that cannot be read as bars
 * throws KeelError('BAD_FILE') with `where` = file:line.
 */
export async function loadBarFile(path: string, opts: BarFileOptions & { parseThread?: ParseThread } = {}): Promise<{ series: BarSeries; report: ImportReport }> {
  // open, high, low, close, volume: batch columns 1..5 (the times come with the checks).
  // Sized for the most rows the file can hold (a CSV row takes at least 12 bytes), so the
  // columns fill in place with no regrowth and no final copy.
  const capacity = Math.min(MAX_PRESIZED_ROWS, Math.ceil(fileSizeOr0(path) / MIN_ROW_BYTES) + 1);
  const kept = [1, 2, 3, 4, 5].map(() => new GrowableF64(capacity));
  let instance: DuckDBInstance | undefined;
  const connect = async (): Promise<DuckDBConnection> => {
    // Only a Parquet file needs DuckDB (bar-file.ts).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    return instance.connect();
  };
  try {
    const parsed = await parseBarFile(path, (cols, rows) => kept.forEach((g, i) => g.pushAll(cols[i + 1]!.subarray(0, rows))), connect, undefined, opts.parseThread, snapMsOf(opts));
    const { report, ascendingTs, keep } = summariseBars(path, parsed, opts);
    // Bars off the grid were rejected after parsing: drop them from the columns too (file order, as `keep`).
    const cols = kept.map((g) => (keep ? g.view().filter((_, i) => keep[i] === 1) : g.view()));
    if (parsed.checks.direction < 0) cols.forEach((c) => c.reverse());
    const [open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const series: BarSeries = { symbol: report.symbol, timeframe: report.timeframe!, length: ascendingTs.length, ts: ascendingTs, open, high, low, close, volume };
    return { series, report };
  } finally {
    instance?.closeSync();
  }
}
