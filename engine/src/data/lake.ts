import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { KeelError, badInput } from '../core/errors';
import { barSeriesId, type MarketStore } from './market-store';
import { sqlString } from './sql';

/**
 * The Parquet lake: datasets exported as Parquet files partitioned as
 * `exchange=binance/symbol=BTC-USDT/year=2024/month=1/*.parquet` (Hive style, so DuckDB,
 * Spark or pandas read the partitions back as columns). A symbol's `/` and `:` become `-` in
 * the folder name; the exact store symbol travels inside the files (`venue_symbol`), with the
 * timeframe. Plain symbols from files go under `exchange=local`.
 */
export interface LakeExport {
  dir: string;
  datasets: { symbol: string; timeframe: string; rows: number }[];
  files: number;
}

const LAKE_COLUMNS = `
  CASE WHEN contains(s.symbol, ':') THEN split_part(s.symbol, ':', 1) ELSE 'local' END AS exchange,
  regexp_replace(CASE WHEN contains(s.symbol, ':') THEN s.symbol[strpos(s.symbol, ':') + 1:] ELSE s.symbol END, '[/:]', '-', 'g') AS symbol,
  year(make_timestamp(b.ts * 1000)) AS year,
  month(make_timestamp(b.ts * 1000)) AS month,
  s.symbol AS venue_symbol, s.timeframe AS timeframe, b.ts, b.open, b.high, b.low, b.close, b.volume`;

function parquetFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += parquetFiles(join(dir, e.name));
    else if (e.name.endsWith('.parquet')) n++;
  }
  return n;
}

/**
 * Writes the store's bar datasets (all, or those of `symbols`) to `dir` as a lake. The lake is
 * written beside and swapped in whole: a reader sees the old lake or the new one, never half.
 */
export async function exportLake(store: MarketStore, dir: string, opts: { symbols?: string[] } = {}): Promise<LakeExport> {
  const out = resolve(dir);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const where = opts.symbols?.length ? `WHERE s.symbol IN (${opts.symbols.map(sqlString).join(', ')})` : '';
  const con = await store.connect();
  try {
    const counts = await con.runAndReadAll(`SELECT s.symbol, s.timeframe, count(*)::DOUBLE FROM bars b JOIN bar_series s ON s.id = b.series ${where} GROUP BY ALL ORDER BY ALL`);
    const datasets = (counts.getRowsJS() as [string, string, number][]).map(([symbol, timeframe, rows]) => ({ symbol, timeframe, rows }));
    if (datasets.length === 0) throw new KeelError('NOT_FOUND', opts.symbols?.length ? `the store holds no bars of ${opts.symbols.join(', ')}` : 'the store holds no bars to export', { where: 'symbols' });
    await con.run(
      `COPY (SELECT ${LAKE_COLUMNS} FROM bars b JOIN bar_series s ON s.id = b.series ${where} ORDER BY s.symbol, s.timeframe, b.ts)
       TO ${sqlString(tmp)} (FORMAT parquet, PARTITION_BY (exchange, symbol, year, month))`,
    );
    if (existsSync(out)) {
      const old = `${out}.old-${process.pid}`;
      renameSync(out, old);
      renameSync(tmp, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, out);
    return { dir: out, datasets, files: parquetFiles(out) };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof KeelError) throw e;
    throw new KeelError('BAD_INPUT', `cannot write the lake: ${(e as Error).message}`, { where: out, cause: e });
  } finally {
    con.closeSync();
  }
}

const glob = (dir: string) => sqlString(join(resolve(dir), '**', '*.parquet'));

function checkLake(dir: string): void {
  if (!existsSync(dir)) throw badInput(`no lake at ${dir}`, dir);
  if (parquetFiles(resolve(dir)) === 0) throw badInput(`${dir} holds no .parquet files`, dir);
}

/**
 * Reads a lake back into the store, in one transaction: each dataset's bars merged as imports
 * merge (new times inserted, changed bars replaced, equal ones left alone).
 */
export async function importLake(store: MarketStore, dir: string): Promise<{ symbol: string; timeframe: string; rowsRead: number; rowsNew: number; rowsReplaced: number }[]> {
  checkLake(dir);
  return store.transact(async (con) => {
    try {
      await con.run(`CREATE OR REPLACE TEMP TABLE lake_in AS SELECT venue_symbol, timeframe, ts::BIGINT AS ts, open, high, low, close, volume FROM read_parquet(${glob(dir)}, hive_partitioning = true)`);
    } catch (e) {
      throw new KeelError('BAD_FILE', `cannot read the lake: ${(e as Error).message}`, { where: dir, cause: e });
    }
    const sets = (await con.runAndReadAll('SELECT venue_symbol, timeframe, count(*)::DOUBLE FROM lake_in GROUP BY ALL ORDER BY ALL')).getRowsJS() as [string, string, number][];
    const out = [];
    for (const [symbol, timeframe, rowsRead] of sets) {
      const series = await barSeriesId(con, symbol, timeframe);
      const match = `t.series = ${series} AND t.ts = s.ts`;
      const pick = `FROM lake_in s WHERE s.venue_symbol = $1 AND s.timeframe = $2`;
      const same = ['open', 'high', 'low', 'close', 'volume'].map((c) => `t.${c} = s.${c}`).join(' AND ');
      const counts = (await con.runAndReadAll(`SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM bars t WHERE ${match}))::DOUBLE, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM bars t WHERE ${match} AND NOT (${same})))::DOUBLE ${pick}`, [symbol, timeframe])).getRowsJS()[0] as [number, number];
      await con.run(`UPDATE bars AS t SET open = s.open, high = s.high, low = s.low, close = s.close, volume = s.volume FROM (SELECT * ${pick}) AS s WHERE ${match} AND NOT (${same})`, [symbol, timeframe]);
      await con.run(`INSERT INTO bars SELECT ${series}, s.ts, s.open, s.high, s.low, s.close, s.volume, NULL ${pick} AND NOT EXISTS (SELECT 1 FROM bars t WHERE ${match})`, [symbol, timeframe]);
      out.push({ symbol, timeframe, rowsRead, rowsNew: counts[0], rowsReplaced: counts[1] });
    }
    await con.run('DROP TABLE lake_in');
    return out;
  });
}

/** Runs SQL over a lake through DuckDB: the lake is the view `lake` (partitions as columns). */
export async function queryLake(dir: string, sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  checkLake(dir);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run(`CREATE VIEW lake AS SELECT * FROM read_parquet(${glob(dir)}, hive_partitioning = true)`);
    let r;
    try {
      r = await con.runAndReadAll(sql);
    } catch (e) {
      throw badInput(`the query failed: ${(e as Error).message}`, 'sql');
    }
    const rows = (r.getRowsJS() as unknown[][]).map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    return { columns: r.columnNames(), rows };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
