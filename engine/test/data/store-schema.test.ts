import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { MarketStore } from '../../src/data/market-store';
import { SCHEMA_VERSION } from '../../src/data/store-schema';
import { msBarLines, tempDir, writeFile } from './helpers';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** A store as schema version 1 left it (bars keyed by symbol and timeframe strings), written without Keel's code. */
async function writeVersion1Store(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  try {
    await con.run(`
      CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL);
      INSERT INTO schema_migrations VALUES (1, 'bars, trades and the import log', now()::TIMESTAMP);
      CREATE TABLE bars (symbol VARCHAR NOT NULL, timeframe VARCHAR NOT NULL, ts BIGINT NOT NULL, open DOUBLE NOT NULL, high DOUBLE NOT NULL,
                         low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE NOT NULL, adj_close DOUBLE);
      CREATE TABLE trades (symbol VARCHAR NOT NULL, ts BIGINT NOT NULL, price DOUBLE NOT NULL, amount DOUBLE NOT NULL, side VARCHAR, id VARCHAR NOT NULL);
      CREATE SEQUENCE imports_id;
      CREATE TABLE imports (id INTEGER PRIMARY KEY DEFAULT nextval('imports_id'), kind VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
                            symbol VARCHAR NOT NULL, timeframe VARCHAR, imported_at TIMESTAMP NOT NULL, rows_new BIGINT NOT NULL, report JSON NOT NULL);
      INSERT INTO bars SELECT 'AAA', '1m', ${T0} + i * ${MINUTE}, 10 + i, 12 + i, 9 + i, 11 + i, i, NULL FROM range(5) t(i);
      INSERT INTO bars SELECT 'AAA', '1h', ${T0} + i * ${60 * MINUTE}, 20 + i, 22 + i, 19 + i, 21 + i, i, NULL FROM range(3) t(i);
      INSERT INTO bars SELECT 'BBB', '1d', ${T0} + i * ${1440 * MINUTE}, 30 + i, 32 + i, 29 + i, 31 + i, i, 30.5 + i FROM range(4) t(i);`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe('market store schema', () => {
  it('moves a version-1 store to bars keyed by series id, every bar kept, and merges into it afterwards', async () => {
    const dir = tempDir();
    const path = join(dir, 'market.duckdb');
    await writeVersion1Store(path);
    const store = await MarketStore.open(path);
    try {
      const sets = (await store.datasets()).map((d) => [d.symbol, d.timeframe, d.from, d.to, d.rows]);
      expect(sets).toEqual([
        ['AAA', '1h', T0, T0 + 2 * 60 * MINUTE, 3],
        ['AAA', '1m', T0, T0 + 4 * MINUTE, 5],
        ['BBB', '1d', T0, T0 + 3 * 1440 * MINUTE, 4],
      ]);
      const m = await store.bars('AAA', '1m');
      expect(Array.from(m.open)).toEqual([10, 11, 12, 13, 14]);
      expect(Array.from(m.volume)).toEqual([0, 1, 2, 3, 4]);
      expect(Array.from((await store.bars('BBB', '1d')).close)).toEqual([31, 32, 33, 34]);
      // A file overlapping the migrated 1m series: 5 stored rows differ from it (replaced), 5 are new.
      const file = writeFile(dir, 'aaa.csv', msBarLines(10, T0, MINUTE, 3));
      const report = await store.importBars(file, { symbol: 'AAA', timeframe: '1m' });
      expect(report.store).toMatchObject({ rowsNew: 5, rowsReplaced: 5, rowsUnchanged: 0 });
      expect((await store.bars('AAA', '1m')).length).toBe(10);
      expect((await store.bars('AAA', '1h')).length).toBe(3);
    } finally {
      store.close();
    }
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    try {
      const versions = (await con.runAndReadAll('SELECT version FROM schema_migrations ORDER BY version')).getColumnsJS()[0];
      expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      const adj = await con.runAndReadAll(`SELECT b.adj_close FROM bars b JOIN bar_series s ON s.id = b.series WHERE s.symbol = 'BBB' ORDER BY b.ts`);
      expect(adj.getColumnsJS()[0]).toEqual([30.5, 31.5, 32.5, 33.5]);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
