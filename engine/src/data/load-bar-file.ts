import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BarSeries } from '../model/bar';
import { parseBarFile, snapMsOf, summariseBars, type BarFileOptions, type ParseThread } from './bar-file';
import { GrowableF64 } from './growable';
import type { ImportReport } from './import-report';

/**
 * Reads a bar file (any layout docs/data.md lists, CSV or Parquet) with the same parser and
 * checks as `keel import`, without a store: for `keel backtest --data` and friends.
 * Rejected rows are left out and listed in the report; a file that cannot be read as bars
 * throws KeelError('BAD_FILE') with `where` = file:line.
 */
export async function loadBarFile(path: string, opts: BarFileOptions & { parseThread?: ParseThread } = {}): Promise<{ series: BarSeries; report: ImportReport }> {
  // open, high, low, close, volume: batch columns 1..5 (the times come with the checks).
  const kept = [1, 2, 3, 4, 5].map(() => new GrowableF64());
  let instance: DuckDBInstance | undefined;
  const connect = async (): Promise<DuckDBConnection> => {
    instance = await DuckDBInstance.create(':memory:');
    return instance.connect();
  };
  try {
    const parsed = await parseBarFile(path, (cols, rows) => kept.forEach((g, i) => g.pushAll(cols[i + 1]!.subarray(0, rows))), connect, undefined, opts.parseThread, snapMsOf(opts));
    const { report, ascendingTs, keep } = summariseBars(path, parsed, opts);
    // Bars off the grid were rejected after parsing: drop them from the columns too (file order, as `keep`).
    const cols = kept.map((g) => (keep ? g.toArray().filter((_, i) => keep[i] === 1) : g.toArray()));
    if (parsed.checks.direction < 0) cols.forEach((c) => c.reverse());
    const [open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const series: BarSeries = { symbol: report.symbol, timeframe: report.timeframe!, length: ascendingTs.length, ts: ascendingTs, open, high, low, close, volume };
    return { series, report };
  } finally {
    instance?.closeSync();
  }
}
