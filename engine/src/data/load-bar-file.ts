import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BarSeries } from '../model/bar';
import { ColumnSink } from './bar-checker';
import { parseBarFile, summariseBars, type BarFileOptions } from './bar-file';
import type { ImportReport } from './import-report';

/**
 * Reads a bar file (any layout docs/data.md lists, CSV or Parquet) with the same parser and
 * checks as `keel import`, without a store: for `keel backtest --data` and friends.
 * Rejected rows are left out and listed in the report; a file that cannot be read as bars
 * throws KeelError('BAD_FILE') with `where` = file:line.
 */
export async function loadBarFile(path: string, opts: BarFileOptions = {}): Promise<{ series: BarSeries; report: ImportReport }> {
  const sink = new ColumnSink();
  let instance: DuckDBInstance | undefined;
  const connect = async (): Promise<DuckDBConnection> => {
    instance = await DuckDBInstance.create(':memory:');
    return instance.connect();
  };
  try {
    const parsed = await parseBarFile(path, sink, connect);
    const { report, ascendingTs } = summariseBars(path, parsed, opts);
    const cols = [sink.open, sink.high, sink.low, sink.close, sink.volume].map((g) => g.toArray());
    if (parsed.checker.direction < 0) cols.forEach((c) => c.reverse());
    const [open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const series: BarSeries = { symbol: report.symbol, timeframe: report.timeframe!, length: ascendingTs.length, ts: ascendingTs, open, high, low, close, volume };
    return { series, report };
  } finally {
    instance?.closeSync();
  }
}
