import type { DuckDBConnection } from '@duckdb/node-api';
import { KeelError } from '../core/errors';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The market store's schema, one numbered step at a time. bars and trades have no primary
 * key on purpose: the key (series, ts) and (symbol, id) is kept unique by the
 * store's merge (see market-store.ts), which bulk-loads about twice as fast without an index. Steps are only ever appended:
 * a released step never changes, because stores in the field already ran it.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'bars, trades and the import log',
    sql: `
      CREATE TABLE bars (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        ts BIGINT NOT NULL,          -- bar open time, ms since epoch UTC
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        volume DOUBLE NOT NULL,
        adj_close DOUBLE             -- Yahoo's Adj Close when the source had one; never used for OHLC
      );
      CREATE TABLE trades (
        symbol VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        price DOUBLE NOT NULL,
        amount DOUBLE NOT NULL,
        side VARCHAR,                -- 'buy' | 'sell' | NULL when the source does not say
        id VARCHAR NOT NULL          -- the venue's trade id, or one made from time, price, amount and rank
      );
      CREATE SEQUENCE imports_id;
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY DEFAULT nextval('imports_id'),
        kind VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR,
        imported_at TIMESTAMP NOT NULL,
        rows_new BIGINT NOT NULL,
        report JSON NOT NULL
      );`,
  },
  {
    // Two constant VARCHAR columns on every bar cost DuckDB ~0.4 µs per inserted row (string
    // compression), about as much as the six numbers; an INTEGER series id costs next to nothing.
    version: 2,
    name: 'bars keyed by an integer series id',
    sql: `
      CREATE SEQUENCE bar_series_id;
      CREATE TABLE bar_series (
        id INTEGER PRIMARY KEY DEFAULT nextval('bar_series_id'),
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        UNIQUE (symbol, timeframe)
      );
      INSERT INTO bar_series (symbol, timeframe) SELECT DISTINCT symbol, timeframe FROM bars ORDER BY symbol, timeframe;
      CREATE TABLE bars_by_series (
        series INTEGER NOT NULL,     -- bar_series.id: the symbol and timeframe
        ts BIGINT NOT NULL,          -- bar open time, ms since epoch UTC
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        volume DOUBLE NOT NULL,
        adj_close DOUBLE             -- Yahoo's Adj Close when the source had one; never used for OHLC
      );
      INSERT INTO bars_by_series
        SELECT s.id, b.ts, b.open, b.high, b.low, b.close, b.volume, b.adj_close
        FROM bars b JOIN bar_series s ON s.symbol = b.symbol AND s.timeframe = b.timeframe;
      DROP TABLE bars;
      ALTER TABLE bars_by_series RENAME TO bars;`,
  },
  {
    // Downloads resume from these: what was fetched (appended per commit, never rewritten, so a
    // page costs an INSERT), what the exchange has no bars for, and each run.
    version: 3,
    name: 'download coverage, gaps and log',
    sql: `
      CREATE TABLE download_spans (
        series INTEGER NOT NULL,     -- bar_series.id
        run INTEGER NOT NULL,        -- downloads.id
        from_ts BIGINT NOT NULL,     -- [from_ts, to_ts): every bar open time in it was asked for and answered
        to_ts BIGINT NOT NULL,
        bars BIGINT NOT NULL,        -- bars the exchange sent for it (after the checks)
        duplicates BIGINT NOT NULL,  -- rows repeating a time, merged
        out_of_order BIGINT NOT NULL,
        rejected BIGINT NOT NULL     -- rows refused (bad number, OHLC out of order, off the bar grid)
      );
      CREATE TABLE download_gaps (
        series INTEGER NOT NULL,
        from_ts BIGINT NOT NULL,     -- first missing bar open time
        to_ts BIGINT NOT NULL,       -- last missing bar open time + one bar
        missing BIGINT NOT NULL      -- bars the exchange does not have there
      );
      CREATE TABLE trade_coverage (
        symbol VARCHAR NOT NULL,
        from_ts BIGINT NOT NULL,     -- [from_ts, to_ts): every trade in it is stored
        to_ts BIGINT NOT NULL
      );
      CREATE SEQUENCE downloads_id;
      CREATE TABLE downloads (
        id INTEGER PRIMARY KEY DEFAULT nextval('downloads_id'),
        kind VARCHAR NOT NULL,       -- 'bars' | 'trades'
        symbol VARCHAR NOT NULL,     -- binance:BTC/USDT
        timeframe VARCHAR NOT NULL,
        api_url VARCHAR,
        requested_from BIGINT NOT NULL,
        requested_to BIGINT NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL,     -- 'running' | 'done' | 'failed' | 'cancelled' (a killed run stays 'running')
        rows_new BIGINT,             -- set when the run ends
        error VARCHAR
      );`,
  },
  {
    // An import stages its rows and writes this marker in one commit, then merges; opening the
    // store settles a marker a crash left (market-store.ts). No keys or indexes: WAL replay of
    // an indexed table is where DuckDB has had the most trouble, and these tables are small.
    version: 4,
    name: 'pending imports and their staged rows',
    sql: `
      CREATE TABLE pending_imports (
        id INTEGER NOT NULL,         -- the id the import gets in the import log
        kind VARCHAR NOT NULL,       -- 'bars' | 'trades'
        mode VARCHAR NOT NULL,       -- 'append': bars under a series not registered yet; 'merge': rows in a stage table
        series INTEGER,              -- bars: bar_series.id (reserved for a new series)
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR,
        rows BIGINT NOT NULL,        -- rows staged or appended: fewer at open means the import was never committed
        report JSON NOT NULL         -- the report as the import log gets it
      );
      CREATE TABLE import_stage_bars (
        import_id DOUBLE NOT NULL,   -- pending_imports.id (DOUBLE: filled by the same column appender as bars)
        ts DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, adj_close DOUBLE
      );
      CREATE TABLE import_stage_trades (
        import_id INTEGER NOT NULL,
        ts DOUBLE, price DOUBLE, amount DOUBLE, side VARCHAR, id VARCHAR
      );`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings a store up to SCHEMA_VERSION, each step in its own transaction. */
export async function migrate(con: DuckDBConnection, where: string): Promise<void> {
  await con.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
  const applied = new Set((await con.runAndReadAll('SELECT version FROM schema_migrations')).getColumnsJS()[0] as number[] | undefined);
  const newest = Math.max(0, ...applied);
  if (newest > SCHEMA_VERSION) {
    throw new KeelError('UNAVAILABLE', `the market store has schema version ${newest}, newer than this Keel understands (${SCHEMA_VERSION}); update Keel`, { where });
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await con.run('BEGIN TRANSACTION');
    try {
      await con.run(m.sql);
      await con.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [m.version, m.name]);
      await con.run('COMMIT');
    } catch (e) {
      await con.run('ROLLBACK');
      throw e;
    }
  }
}
