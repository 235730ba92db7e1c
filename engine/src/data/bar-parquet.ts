import type { DuckDBConnection } from '@duckdb/node-api';
import { KeelError } from '../core/errors';
import { BarChecker, type BarSink } from './bar-checker';
import { resultColumns } from './duck-columns';
import { RejectLog } from './import-report';
import { quoted } from './csv-fields';
import { EPOCH_UNIT_NAME, epochToMs, epochUnitOf, type EpochUnit } from './infer';
import { sha256File } from './line-reader';
import { sqlString } from './sql';

export interface ParquetBarParse {
  description: string;
  notes: string[];
  checker: BarChecker;
  rejects: RejectLog;
  sha256: string;
}

const TIME_NAMES = ['timestamp', 'ts', 'datetime', 'date', 'time', 'opentime'];
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/**
 * Reads bars from a Parquet file through DuckDB's read_parquet, then puts every row through
 * the same checks as a CSV row (row numbers stand in for line numbers).
 */
export async function parseBarParquet(con: DuckDBConnection, path: string, sink: BarSink, snapMs = 0): Promise<ParquetBarParse> {
  const source = `read_parquet(${sqlString(path)})`;
  let described: { name: string; type: string }[];
  try {
    const d = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    described = d.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (e) {
    throw new KeelError('BAD_FILE', `cannot read as Parquet: ${(e as Error).message}`, { where: path, cause: e });
  }
  const names = described.map((c) => c.name.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const find = (...cands: string[]) => names.findIndex((n) => cands.includes(n));
  const cols = { open: find('open'), high: find('high'), low: find('low'), close: find('close') };
  const missing = Object.entries(cols).filter(([, i]) => i < 0).map(([k]) => k);
  // Column names stay out of the message (see csv-layout headerDetail): the CLI prints them from details.
  const columnsDetail = { fileText: quoted(described.map((c) => c.name).join(','), 200) };
  if (missing.length > 0) throw new KeelError('BAD_FILE', `no ${missing.join(', ')} column among its ${described.length} columns`, { where: path, details: columnsDetail });
  const timeIndex = TIME_NAMES.map((n) => names.indexOf(n)).find((i) => i >= 0);
  if (timeIndex === undefined) throw new KeelError('BAD_FILE', `no time column among its ${described.length} columns`, { where: path, details: columnsDetail });
  const volume = find('volume', 'vol');
  const adjClose = find('adjclose');
  const q = (i: number) => `"${described[i]!.name.replace(/"/g, '""')}"`;
  const timeCol = described[timeIndex]!;
  const notes: string[] = [];
  let timeExpr: string;
  let unit: EpochUnit = 'ms';
  if (/^(TIMESTAMP|DATE)/.test(timeCol.type)) {
    // In µs, so a time below the millisecond is seen (and refused) rather than cut to the ms.
    timeExpr = `epoch_us(${q(timeIndex)}::TIMESTAMP)::DOUBLE`;
    unit = 'us';
    if (!timeCol.type.includes('TIME ZONE')) notes.push(`column "${timeCol.name}" (${timeCol.type}) has no time zone; read as UTC`);
  } else if (NUMERIC.test(timeCol.type)) {
    timeExpr = `${q(timeIndex)}::DOUBLE`;
    const first = await con.runAndReadAll(`SELECT ${timeExpr} FROM ${source} WHERE ${q(timeIndex)} IS NOT NULL LIMIT 1`);
    const sample = Number(first.getRows()[0]?.[0] ?? NaN);
    const found = epochUnitOf(sample);
    if (!found) throw new KeelError('BAD_FILE', `time column "${timeCol.name}" holds ${sample}, not epoch seconds, ms or µs`, { where: path });
    unit = found;
    notes.push(`column "${timeCol.name}" holds ${EPOCH_UNIT_NAME[unit]}, UTC by definition`);
  } else {
    throw new KeelError('BAD_FILE', `time column "${timeCol.name}" has type ${timeCol.type}; expected a timestamp, date or epoch number`, { where: path });
  }
  if (volume < 0) notes.push('no volume column: volume is 0');
  const num = (i: number) => (i < 0 ? 'NULL::DOUBLE' : `${q(i)}::DOUBLE`);
  const result = await con.run(
    `SELECT ${timeExpr}, ${num(cols.open)}, ${num(cols.high)}, ${num(cols.low)}, ${num(cols.close)}, ${volume < 0 ? '0::DOUBLE' : num(volume)}, ${num(adjClose)} FROM ${source}`,
  );
  const [ts, o, h, l, c, v, a] = resultColumns(result) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const rejects = new RejectLog();
  const checker = new BarChecker(rejects, sink, snapMs);
  for (let i = 0; i < ts.length; i++) {
    checker.rowsRead++;
    checker.add(i + 1, epochToMs(ts[i]!, unit), o[i]!, h[i]!, l[i]!, c[i]!, v[i]!, a[i]!);
  }
  const used = [timeIndex, cols.open, cols.high, cols.low, cols.close, volume, adjClose].filter((i) => i >= 0);
  return {
    description: `Parquet: ${used.map((i) => described[i]!.name).join(',')}`,
    notes,
    checker,
    rejects,
    sha256: await sha256File(path),
  };
}
