import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { KeelError, badInput } from '../core/errors';
import { MARKET_DB_FILE, ensurePrivateDir, keelHome, narrowToOwner } from '../core/paths';
import { bucketStart, gridOffset, timeframeMs, type Timeframe } from '../core/timeframe';
import type { BarSeries } from '../model/bar';
import type { TradeSeries } from '../model/trade';
import type { BarBatchConsumer } from './bar-batches';
import { parseBarFile, snapMsOf, summariseBars, type BarFileOptions, type ParsedBars, type ParseThread } from './bar-file';
import { DoubleChunkAppender, resultColumns } from './duck-columns';
import type { ImportReport, StoreOutcome } from './import-report';
import { resolveSymbol } from './infer';
import { barsFromTrades, resampleBars, type Resampled } from './resample';
import { sqlString } from './sql';
import { migrate } from './store-schema';
import { parseTradeCsv } from './trade-file';

/** Half-open time range [from, to) in ms UTC; either end may be left open. */
export interface TimeRange {
  from?: number;
  to?: number;
  /** Only the latest this many bars of the range (a chart's newest page); a stored series reads no more than those. */
  last?: number;
}

/** How the bars of a query were obtained; a derived series says so. */
export type BarOrigin =
  | { kind: 'stored' }
  | { kind: 'resampled'; from: Timeframe; lastPartial: boolean }
  | { kind: 'trades' };

export type StoredBars = BarSeries & { origin: BarOrigin };

export interface DatasetInfo {
  kind: 'bars' | 'trades';
  symbol: string;
  /** null for trades. */
  timeframe: Timeframe | null;
  /** First and last bar open time (or trade time), ms UTC. */
  from: number;
  to: number;
  rows: number;
  /** Holes at the timeframe (see quality.findGaps); null for trades. */
  gaps: number | null;
}

export interface ImportLogEntry {
  id: number;
  kind: 'bars' | 'trades';
  fileName: string;
  sha256: string;
  symbol: string;
  timeframe: Timeframe | null;
  importedAt: string;
  rowsNew: number;
  report: ImportReport;
}

export type ImportPhase = 'reading' | 'storing' | 'committing' | 'committed' | 'merged';

export interface ImportOptions {
  /**
   * Progress: 'reading' after each 4 MB of file with the rows read so far, 'storing' once the
   * file is checked, 'committing' once its rows are staged and compared with the store, just
   * before the commit that decides the import. Throwing from it up to there cancels the
   * import; the store stays exactly as it was. Then, for information only (a throw is
   * ignored: the import is decided and completes, after a crash too): 'committed' once the
   * staged rows and the pending-import marker are committed, 'merged' once the rows are merged
   * into the stored data and the import is logged, before the checkpoint and the clean-up.
   */
  onProgress?: (phase: ImportPhase, rowsRead: number) => void;
  /** Where a CSV is parsed (see bar-file.ts ParseThread); 'auto' unless a test or benchmark pins it. */
  parseThread?: ParseThread;
}

/** The market store file: <keelHome>/market.duckdb. */
export function marketDbPath(env: Record<string, string | undefined> = process.env): string {
  return join(keelHome(env), MARKET_DB_FILE);
}

const ALL_TIME = { from: -(2 ** 53), to: 2 ** 53 };

/**
 * DuckDB settings for the store, chosen by measurement (docs/data.md, Speed).
 * preserve_insertion_order=false: every read says ORDER BY, and with insertion order kept a
 * bulk INSERT leaves row groups that the next checkpoint rewrites, which cost more CPU than
 * the insert itself (paid later, on close or at the next automatic checkpoint).
 * threads: one core is left to the engine's own threads. An import parses on a worker
 * thread while DuckDB stores; given every core, DuckDB's helper threads take the parser's
 * core, and on 2 cores the append then costs ~1.8x the CPU it needs on one thread.
 */
const STORE_SETTINGS: Record<string, string> = {
  preserve_insertion_order: 'false',
  threads: String(Math.max(1, availableParallelism() - 1)),
};

/**
 * Keel's market data: bars and trades in one DuckDB file, with the log of imported files.
 * Reads run on a shared connection; imports run one at a time, each on a connection of its
 * own, in three steps (docs/data.md, Atomic):
 *  1. decide: the file's rows are staged (a symbol already stored: into import_stage_bars or
 *     import_stage_trades; a new symbol: straight into `bars` under a series id that is not
 *     registered yet, so no reader sees them) and a pending-import marker naming the import,
 *     its row count and its report is written, in one transaction, then checkpointed. A
 *     refusal, failure or cancellation before that commit leaves the store as it was.
 *  2. apply: the staged rows are merged into the stored data (or the new series is
 *     registered) and the import is logged, in one transaction, then checkpointed. Applying
 *     twice gives what applying once gives, so a crash during this step is repaired by
 *     applying again.
 *  3. clean up: the stage rows and the marker are deleted.
 * Opening the store settles a marker a crash left: complete staged rows are applied (the
 * import completes), incomplete ones are deleted (it never happened). So a reopened store
 * holds the state before an import or all of it, whatever DuckDB's WAL replay makes of a
 * transaction that a SIGKILL cut short; readers never see half an import.
 */
export class MarketStore {
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Set when an import is decided but not completed: the next write completes it first. */
  private unsettled = false;
  /** What opening the store (or a later write) repaired after a crash: one sentence each, for the log. */
  recovered: string[] = [];

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<MarketStore> {
    if (path !== ':memory:') ensurePrivateDir(dirname(path));
    // A WAL left beside the file means the last process did not close the store: look for rows a cut-short import left behind.
    const crashed = path !== ':memory:' && existsSync(`${path}.wal`);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, STORE_SETTINGS);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new KeelError('UNAVAILABLE', 'the market store is open in another process (is the workstation running?); close it and retry', { where: path, cause: e });
      }
      throw new KeelError('BAD_FILE', `cannot open the market store: ${msg}`, { where: path, cause: e });
    }
    const con = await instance.connect();
    try {
      await migrate(con, path);
    } catch (e) {
      con.closeSync();
      instance.closeSync();
      throw e;
    }
    if (path !== ':memory:') narrowToOwner(path, `${path}.wal`);
    const store = new MarketStore(path, instance, con);
    try {
      store.recovered = await store.settlePending(crashed);
    } catch (e) {
      store.close();
      throw new KeelError('BAD_FILE', `cannot finish an import a crash interrupted: ${(e as Error).message}`, { where: path, cause: e });
    }
    return store;
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }

  /**
   * Runs `work` in one transaction on a connection of its own, after the writes queued
   * before it (imports, other downloads); commits when it resolves, rolls back when it
   * throws. For modules that write beside the store's own imports (downloads, live candles).
   */
  transact<T>(work: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const con = await this.instance.connect();
      try {
        await con.run('BEGIN TRANSACTION');
        try {
          const out = await work(con);
          await con.run('COMMIT');
          return out;
        } catch (e) {
          await con.run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } finally {
        con.closeSync();
      }
    });
  }

  /** The shared read connection, for modules that read their own tables beside the store's. */
  get reader(): DuckDBConnection {
    return this.con;
  }

  /** A connection of its own (a long read that should not queue behind the shared one); close it after use. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /**
   * Imports a bar file (CSV in any accepted layout, or Parquet). See docs/data.md.
   * A file of a symbol the store holds no bars of (the usual first import) is appended
   * straight into `bars` under a series id reserved for it while it is read: there is nothing
   * to merge with, so no staging copy. Otherwise rows are staged and merged.
   */
  importBars(path: string, opts: BarFileOptions & ImportOptions = {}): Promise<ImportReport> {
    const progress = opts.onProgress ?? (() => {});
    return this.exclusive(async () => {
      const snapMs = snapMsOf(opts);
      const decided = await this.inTransaction<Decided>(async (con) => {
        const symbol = symbolOf(path, opts.symbol);
        const append = symbol !== undefined && (await barSeriesOf(con, symbol)).length === 0;
        const id = await nextId(con, 'imports_id');
        const reserved = append ? await nextId(con, 'bar_series_id') : -1;
        // The first column is the series id (appended to bars) or the import id (staged), so one consumer fills either table.
        const appender = new DoubleChunkAppender(await con.createAppender(append ? 'bars' : 'import_stage_bars'), 1 + STAGE_COLUMNS.length);
        let keyColumn = new Float64Array(0);
        const consume: BarBatchConsumer = (cols, rows) => {
          if (keyColumn.length < rows) keyColumn = new Float64Array(rows).fill(append ? reserved : id);
          appender.addColumns([keyColumn.subarray(0, rows), ...cols.map((c) => c.subarray(0, rows))]);
        };
        let parsed: ParsedBars;
        try {
          parsed = await parseBarFile(path, consume, async () => con, (rows) => progress('reading', rows), opts.parseThread, snapMs);
        } catch (e) {
          appender.discard();
          throw e;
        }
        appender.close();
        const { report, keep, barMs } = summariseBars(path, parsed, opts);
        if (keep) {
          // Bars off the timeframe's grid were rejected once the timeframe was known; they are already in the table.
          const mine = append ? `series = ${reserved}` : `import_id = ${id}`;
          await con.run(`DELETE FROM ${append ? 'bars' : 'import_stage_bars'} WHERE ${mine} AND (ts - ${gridOffset(barMs)}) % ${barMs} <> 0`);
        }
        progress('storing', report.rowsRead);
        const previous = await previousImport(con, 'bars', report.sha256, report.symbol, report.timeframe);
        if (previous) return { value: { report: { ...report, store: previous } }, commit: false };
        let series: number;
        let counts: MergeCounts;
        if (append) {
          if (report.symbol !== symbol) throw new KeelError('INTERNAL', `symbol resolved as ${symbol} before reading and ${report.symbol} after`, { where: path });
          series = reserved;
          counts = { fresh: report.rowsAccepted, same: 0, replaced: 0 };
        } else {
          const known = (await barSeriesOf(con, report.symbol)).find((s) => s.timeframe === report.timeframe);
          series = known?.id ?? (await nextId(con, 'bar_series_id'));
          const overlap = known
            ? Number((await con.runAndReadAll(`SELECT count(*) FROM bars WHERE series = ${series} AND ts >= $1 AND ts <= $2`, [BigInt(report.from!), BigInt(report.to!)])).getRowsJS()[0]![0])
            : 0;
          // Most imports add new history: without overlap there is nothing to compare row by row.
          counts = overlap === 0 ? { fresh: report.rowsAccepted, same: 0, replaced: 0 } : await countAgainstStore(con, barMerge(series, id), []);
        }
        const pending: PendingImport = {
          id,
          kind: 'bars',
          mode: append ? 'append' : 'merge',
          series,
          symbol: report.symbol,
          timeframe: report.timeframe,
          rows: report.rowsAccepted,
          report: withOutcome(report, counts),
        };
        await writePending(con, pending);
        progress('committing', report.rowsRead);
        return { value: { report: pending.report, pending }, commit: true };
      });
      if (decided.pending) await this.complete(decided.pending, progress);
      return decided.report;
    });
  }

  /** Imports a trades CSV (with a header, or Kraken's headerless time,price,volume). */
  importTrades(path: string, opts: { symbol?: string; strict?: boolean } & ImportOptions = {}): Promise<ImportReport> {
    const progress = opts.onProgress ?? (() => {});
    return this.exclusive(async () => {
      const decided = await this.inTransaction<Decided>(async (con) => {
        const { series, ids, report } = await parseTradeCsv(path, opts);
        progress('storing', report.rowsRead);
        const previous = await previousImport(con, 'trades', report.sha256, report.symbol, null);
        if (previous) return { value: { report: { ...report, store: previous } }, commit: false };
        const id = await nextId(con, 'imports_id');
        const appender = await con.createAppender('import_stage_trades');
        for (let i = 0; i < series.length; i++) {
          appender.appendInteger(id);
          appender.appendDouble(series.ts[i]!);
          appender.appendDouble(series.price[i]!);
          appender.appendDouble(series.amount[i]!);
          const side = series.side[i];
          if (side === 0) appender.appendNull();
          else appender.appendVarchar(side === 1 ? 'buy' : 'sell');
          appender.appendVarchar(ids[i]!);
          appender.endRow();
        }
        appender.closeSync();
        const counts = await countAgainstStore(con, tradeMerge(id), [report.symbol]);
        const pending: PendingImport = { id, kind: 'trades', mode: 'merge', series: null, symbol: report.symbol, timeframe: null, rows: series.length, report: withOutcome(report, counts) };
        await writePending(con, pending);
        progress('committing', report.rowsRead);
        return { value: { report: pending.report, pending }, commit: true };
      });
      if (decided.pending) await this.complete(decided.pending, progress);
      return decided.report;
    });
  }

  /**
   * Bars in [from, to), ascending, read column by column. A timeframe that is not stored is
   * made on the fly from the largest stored timeframe that divides it, else from stored
   * trades; `origin` says which.
   */
  async bars(symbol: string, timeframe: Timeframe, range: TimeRange = {}): Promise<StoredBars> {
    const targetMs = timeframeMs(timeframe);
    const stored = ((await this.con.runAndReadAll('SELECT timeframe FROM bar_series WHERE symbol = $1', [symbol])).getColumnsJS()[0] ?? []) as string[];
    if (stored.includes(timeframe)) return { ...(await this.readBars(symbol, timeframe, range)), origin: { kind: 'stored' } };
    const source = stored
      .map((tf) => ({ tf, ms: timeframeMs(tf) }))
      .filter((s) => s.ms < targetMs && targetMs % s.ms === 0)
      .sort((a, b) => b.ms - a.ms)[0];
    if (source) {
      const { series, lastPartial } =
        range.last === undefined
          ? resampleBars(await this.readBars(symbol, source.tf, { from: range.from, to: range.to }), timeframe)
          : await this.latestResampled(symbol, source.tf, timeframe, range);
      return { ...keepLatest(dropLeadingBefore(series, range.from), range.last), origin: { kind: 'resampled', from: source.tf, lastPartial } };
    }
    const trades = await this.trades(symbol, range);
    if (trades.length > 0) return { ...keepLatest(dropLeadingBefore(barsFromTrades(trades, timeframe), range.from), range.last), origin: { kind: 'trades' } };
    const what = stored.length > 0 ? `stored timeframes: ${stored.join(', ')}, none divides ${timeframe}` : 'nothing stored for it';
    throw new KeelError('NOT_FOUND', `no ${timeframe} bars for ${symbol} (${what})`, { where: symbol });
  }

  /** Up to `count` bars of `timeframe` that had closed by `asOf` (ts + timeframe <= asOf), the newest last: a strategy's warm-up. */
  async closedBarsBefore(symbol: string, timeframe: Timeframe, asOf: number, count: number): Promise<BarSeries> {
    return closedOnly(await this.bars(symbol, timeframe, { to: asOf - timeframeMs(timeframe) + 1, last: count + 1 }), count);
  }

  /** Bars of `timeframe` after `afterTs` that had closed by `asOf`: what an import brought a running strategy. */
  async closedBarsAfter(symbol: string, timeframe: Timeframe, afterTs: number, asOf: number): Promise<BarSeries> {
    const s = await this.bars(symbol, timeframe, { from: afterTs + 1, to: asOf - timeframeMs(timeframe) + 1 });
    return closedOnly(s, s.length);
  }

  /** Trades in [from, to), ascending by time. */
  async trades(symbol: string, range: TimeRange = {}): Promise<TradeSeries> {
    const from = range.from ?? ALL_TIME.from;
    const to = range.to ?? ALL_TIME.to;
    const result = await this.con.run(
      `SELECT ts::DOUBLE, price, amount, CASE side WHEN 'buy' THEN 1 WHEN 'sell' THEN -1 ELSE 0 END::DOUBLE
       FROM trades WHERE symbol = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, id`,
      [symbol, BigInt(Math.ceil(from)), BigInt(Math.ceil(to))],
    );
    const [ts, price, amount, side] = resultColumns(result) as [Float64Array, Float64Array, Float64Array, Float64Array];
    return { symbol, length: ts.length, ts, price, amount, side: Int8Array.from(side) };
  }

  /** What the store holds: one entry per bar series and per trade symbol. */
  async datasets(): Promise<DatasetInfo[]> {
    const bars = await this.con.runAndReadAll(
      `SELECT s.id, s.symbol, s.timeframe, b.first::DOUBLE, b.last::DOUBLE, b.n::DOUBLE
       FROM (SELECT series, min(ts) AS first, max(ts) AS last, count(*) AS n FROM bars GROUP BY series) b JOIN bar_series s ON s.id = b.series
       ORDER BY s.symbol, s.timeframe`,
    );
    const out: DatasetInfo[] = [];
    for (const [series, symbol, timeframe, from, to, rows] of bars.getRowsJS() as [number, string, string, number, number, number][]) {
      const gaps = await this.con.runAndReadAll(
        `SELECT count(*)::DOUBLE FROM (SELECT ts - lag(ts) OVER (ORDER BY ts) AS step FROM bars WHERE series = ${series}) WHERE step > $1`,
        [BigInt(timeframeMs(timeframe))],
      );
      out.push({ kind: 'bars', symbol, timeframe, from, to, rows, gaps: Number(gaps.getRowsJS()[0]![0]) });
    }
    const trades = await this.con.runAndReadAll('SELECT symbol, min(ts)::DOUBLE, max(ts)::DOUBLE, count(*)::DOUBLE FROM trades GROUP BY symbol ORDER BY symbol');
    for (const [symbol, from, to, rows] of trades.getRowsJS() as [string, number, number, number][]) {
      out.push({ kind: 'trades', symbol, timeframe: null, from, to, rows, gaps: null });
    }
    return out;
  }

  /** The import log, oldest first. */
  async imports(): Promise<ImportLogEntry[]> {
    const r = await this.con.runAndReadAll(
      `SELECT id, kind, file_name, sha256, symbol, timeframe, strftime(imported_at, '%Y-%m-%dT%H:%M:%S.%gZ'), rows_new::DOUBLE, report::VARCHAR FROM imports ORDER BY id`,
    );
    return (r.getRowsJS() as [number, 'bars' | 'trades', string, string, string, string | null, string, number, string][]).map(
      ([id, kind, fileName, sha256, symbol, timeframe, importedAt, rowsNew, report]) => ({
        id, kind, fileName, sha256, symbol, timeframe, importedAt, rowsNew, report: JSON.parse(report) as ImportReport,
      }),
    );
  }

  /**
   * Writes bars to CSV or Parquet (by the file's extension) in the ms layout
   * (timestamp,open,high,low,close,volume) that import reads back bit for bit. The file
   * appears whole or not at all: DuckDB writes a temporary file that is then renamed, or,
   * with `overwrite: false`, hard-linked into place, which fails rather than replace a file
   * that exists (no window between a check and the write).
   */
  async exportBars(
    symbol: string,
    timeframe: Timeframe,
    out: string,
    range: TimeRange = {},
    opts: { overwrite?: boolean } = {},
  ): Promise<{ rows: number; format: 'csv' | 'parquet'; origin: BarOrigin }> {
    const ext = extname(out).toLowerCase();
    if (ext !== '.csv' && ext !== '.parquet') throw badInput(`export to .csv or .parquet, not "${ext || out}"`, out);
    const format = ext === '.csv' ? 'csv' : 'parquet';
    const series = await this.bars(symbol, timeframe, range);
    const con = await this.instance.connect();
    const tmp = `${out}.partial-${process.pid}`;
    try {
      await con.run('CREATE TEMP TABLE export_bars ("timestamp" BIGINT, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)');
      const appender = new DoubleChunkAppender(await con.createAppender('export_bars'), 6);
      appender.addColumns([series.ts, series.open, series.high, series.low, series.close, series.volume]);
      appender.close();
      const options = format === 'csv' ? 'FORMAT csv, HEADER' : 'FORMAT parquet';
      await con.run(`COPY (SELECT * FROM export_bars ORDER BY "timestamp") TO ${sqlString(tmp)} (${options})`);
      if (opts.overwrite === false) {
        linkSync(tmp, out);
        rmSync(tmp);
      } else {
        renameSync(tmp, out);
      }
    } catch (e) {
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new KeelError('BAD_INPUT', 'a file of that name exists; export under another name, or ask to overwrite it', { where: 'overwrite', details: { path: out }, cause: e });
      }
      throw new KeelError('BAD_INPUT', `cannot write the export: ${(e as Error).message}`, { where: out, cause: e });
    } finally {
      con.closeSync();
    }
    return { rows: series.length, format, origin: series.origin };
  }

  /**
   * At least the latest `range.last` bars of `timeframe`, made from `sourceTf`, without
   * reading the whole range: the source is read from the bucket `last` target bars before
   * the newest one (a chart's newest page of 5m bars over a year of 1m reads a page's worth,
   * not the year). Where gaps leave fewer bars than asked for, twice as far back, until
   * there are enough or the range's first bar is in. Buckets are cut on their boundaries,
   * so every bar made is whole.
   */
  private async latestResampled(symbol: string, sourceTf: Timeframe, timeframe: Timeframe, range: TimeRange): Promise<Resampled> {
    const from = range.from ?? ALL_TIME.from;
    const to = range.to ?? ALL_TIME.to;
    const want = Math.max(1, Math.floor(range.last!));
    const id = (await barSeriesOf(this.con, symbol)).find((s) => s.timeframe === sourceTf)?.id ?? null;
    const r = await this.con.runAndReadAll('SELECT min(ts)::DOUBLE, max(ts)::DOUBLE FROM bars WHERE series = $1 AND ts >= $2 AND ts < $3', [id, BigInt(Math.ceil(from)), BigInt(Math.ceil(to))]);
    const [oldest, newest] = (r.getRowsJS()[0] ?? [null, null]) as [number | null, number | null];
    const targetMs = timeframeMs(timeframe);
    if (oldest !== null && newest !== null) {
      const top = bucketStart(newest, targetMs);
      for (let span = want; top - (span - 1) * targetMs > oldest; span *= 2) {
        const made = resampleBars(await this.readBars(symbol, sourceTf, { from: top - (span - 1) * targetMs, to }), timeframe);
        if (made.series.length >= want) return made;
      }
    }
    return resampleBars(await this.readBars(symbol, sourceTf, { from, to }), timeframe);
  }

  private async readBars(symbol: string, timeframe: Timeframe, range: TimeRange): Promise<BarSeries> {
    const from = range.from ?? ALL_TIME.from;
    const to = range.to ?? ALL_TIME.to;
    const series = (await barSeriesOf(this.con, symbol)).find((s) => s.timeframe === timeframe);
    const inRange = `SELECT ts::DOUBLE AS ts, open, high, low, close, volume FROM bars WHERE series = ${series?.id ?? 'NULL'} AND ts >= $1 AND ts < $2`;
    const last = range.last === undefined ? undefined : Math.max(0, Math.floor(range.last));
    const result = await this.con.run(
      last === undefined ? `${inRange} ORDER BY ts` : `SELECT * FROM (${inRange} ORDER BY ts DESC LIMIT ${last}) ORDER BY ts`,
      [BigInt(Math.ceil(from)), BigInt(Math.ceil(to))],
    );
    const [ts, open, high, low, close, volume] = resultColumns(result) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    return { symbol, timeframe, length: ts.length, ts, open, high, low, close, volume };
  }

  /**
   * A copy of the whole store in `file` (a new DuckDB file), taken while the store stays open
   * and serving: it waits for the writes queued before it, and COPY FROM DATABASE reads one
   * snapshot, so the copy holds each import whole or not at all. Sequences keep their values
   * and constraints their definitions, so the copy takes new imports like the original.
   */
  backupTo(file: string): Promise<void> {
    if (existsSync(file)) return Promise.reject(new KeelError('CONFLICT', 'a file is already there', { where: file }));
    return this.exclusive(async () => {
      const db = (await this.con.runAndReadAll('SELECT current_database()')).getColumnsJS()[0]![0] as string;
      await this.con.run(`ATTACH ${sqlString(file)} AS keel_backup`);
      try {
        await this.con.run(`COPY FROM DATABASE "${db.replaceAll('"', '""')}" TO keel_backup`);
      } finally {
        await this.con.run('DETACH keel_backup');
      }
      narrowToOwner(file);
    });
  }

  /** Runs writes one after another: DuckDB would abort the second of two conflicting transactions. */
  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(async () => {
      // An import decided but not completed (its merge or checkpoint failed) is completed before anything else writes.
      if (this.unsettled) {
        this.recovered.push(...(await this.settlePending(false)));
        this.unsettled = false;
      }
      return job();
    });
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  private async inTransaction<T>(work: (con: DuckDBConnection) => Promise<{ value: T; commit: boolean }>): Promise<T> {
    const con = await this.instance.connect();
    try {
      return await transaction(con, work);
    } finally {
      con.closeSync();
    }
  }

  /**
   * Steps 2 and 3 of an import whose marker is committed: checkpoint, apply, checkpoint, clean
   * up. A failure here does not undo the import (it is decided): the store completes it
   * before its next write, or when it is next opened.
   */
  private async complete(p: PendingImport, progress: (phase: ImportPhase, rows: number) => void): Promise<void> {
    const tell = (phase: ImportPhase): void => {
      try {
        progress(phase, p.report.rowsRead);
      } catch {
        // informational once the import is decided
      }
    };
    const con = await this.instance.connect();
    try {
      tell('committed');
      await con.run('CHECKPOINT');
      await transaction(con, async () => ({ value: await apply(con, p, false), commit: true }));
      tell('merged');
      // The marker goes only once the merge is in the database file, not just in the WAL.
      await con.run('CHECKPOINT');
      await transaction(con, async () => ({ value: await cleanUp(con, p), commit: true }));
    } catch (e) {
      this.unsettled = true;
      throw new KeelError('UNAVAILABLE', `the import of ${p.report.file} is committed but could not be completed yet (${(e as Error).message}); the store completes it before its next import or when it is next opened`, {
        where: this.path,
        cause: e,
      });
    } finally {
      con.closeSync();
    }
  }

  /**
   * Settles every pending-import marker: an import whose staged rows are all there is applied
   * (a crash cut it short after it was decided); one whose rows are not is deleted (the crash
   * came before its commit, or after its merge, during the clean-up). Then deletes stage rows
   * no marker names and, after a crash, bars of no registered series: rows a torn WAL can
   * bring back from a transaction that never committed. Returns a sentence per repair.
   */
  private async settlePending(crashed: boolean): Promise<string[]> {
    const con = await this.instance.connect();
    const notes: string[] = [];
    let changed = false;
    try {
      for (const p of await readPending(con)) {
        const what = `the import of ${p.report.file} (${p.kind} ${p.symbol}${p.timeframe ? ` ${p.timeframe}` : ''})`;
        if ((await stagedRows(con, p)) === p.rows) {
          await transaction(con, async () => ({ value: await apply(con, p, true), commit: true }));
          await con.run('CHECKPOINT');
          await transaction(con, async () => ({ value: await cleanUp(con, p), commit: true }));
          notes.push(`completed ${what}, which was interrupted after it was committed`);
        } else {
          const logged = Number((await con.runAndReadAll(`SELECT count(*) FROM imports WHERE id = ${p.id}`)).getRowsJS()[0]![0]) > 0;
          await transaction(con, async () => ({ value: await discard(con, p), commit: true }));
          notes.push(logged ? `finished cleaning up after ${what}` : `dropped ${what}, which was interrupted before it was committed`);
        }
        changed = true;
      }
      const leftovers = await transaction(con, async () => {
        let n = 0;
        for (const stage of ['import_stage_bars', 'import_stage_trades']) {
          n += Number((await con.run(`DELETE FROM ${stage} WHERE import_id NOT IN (SELECT id FROM pending_imports)`)).rowsChanged);
        }
        if (crashed) n += Number((await con.run('DELETE FROM bars WHERE series NOT IN (SELECT id FROM bar_series)')).rowsChanged);
        return { value: n, commit: true };
      });
      if (leftovers > 0) {
        notes.push(`deleted ${leftovers} rows an interrupted import left behind`);
        changed = true;
      }
      if (changed) await con.run('CHECKPOINT');
    } finally {
      con.closeSync();
    }
    return notes;
  }
}

/** Runs `work` in one transaction on `con`; commits when it says so, else rolls back. */
async function transaction<T>(con: DuckDBConnection, work: (con: DuckDBConnection) => Promise<{ value: T; commit: boolean }>): Promise<T> {
  await con.run('BEGIN TRANSACTION');
  try {
    const { value, commit } = await work(con);
    await con.run(commit ? 'COMMIT' : 'ROLLBACK');
    return value;
  } catch (e) {
    // Closing the connection discards the transaction anyway, so a failed ROLLBACK must not hide the cause.
    await con.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function nextId(con: DuckDBConnection, sequence: 'imports_id' | 'bar_series_id'): Promise<number> {
  return Number((await con.runAndReadAll(`SELECT nextval('${sequence}')`)).getRowsJS()[0]![0]);
}

async function previousImport(con: DuckDBConnection, kind: 'bars' | 'trades', sha256: string, symbol: string, timeframe: Timeframe | null): Promise<StoreOutcome | undefined> {
  const r = await con.runAndReadAll(
    `SELECT strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') FROM imports
     WHERE kind = $1 AND sha256 = $2 AND symbol = $3 AND timeframe IS NOT DISTINCT FROM $4 ORDER BY id LIMIT 1`,
    [kind, sha256, symbol, timeframe],
  );
  const at = r.getRowsJS()[0]?.[0];
  if (at === undefined) return undefined;
  return { alreadyImported: true, previousImportAt: String(at), rowsNew: 0, rowsReplaced: 0, rowsUnchanged: 0 };
}

function withOutcome(report: ImportReport, counts: MergeCounts): ImportReport {
  return { ...report, store: { alreadyImported: false, rowsNew: counts.fresh, rowsReplaced: counts.replaced, rowsUnchanged: counts.same } };
}

/** What step 1 of an import gives: its report, and the marker to complete when it was committed. */
interface Decided {
  report: ImportReport;
  pending?: PendingImport;
}

/**
 * An import that is decided but maybe not applied: what `pending_imports` holds between the
 * commit of its staged rows and its clean-up, and all that applying it needs.
 */
interface PendingImport {
  /** The import's id in the import log. */
  id: number;
  kind: 'bars' | 'trades';
  /** 'append': bars went straight into `bars` under `series`, registered when applied. 'merge': rows wait in the stage table under `id`. */
  mode: 'append' | 'merge';
  /** Bars: the series (reserved when new). */
  series: number | null;
  symbol: string;
  timeframe: Timeframe | null;
  /** Rows staged (or appended under `series`): fewer at open means the import's commit never happened. */
  rows: number;
  /** The report, counts included, as the import log gets it. */
  report: ImportReport;
}

async function writePending(con: DuckDBConnection, p: PendingImport): Promise<void> {
  await con.run(`INSERT INTO pending_imports VALUES (${p.id}, $1, $2, ${p.series ?? 'NULL'}, $3, $4, ${p.rows}, $5::JSON)`, [p.kind, p.mode, p.symbol, p.timeframe, JSON.stringify(p.report)]);
}

async function readPending(con: DuckDBConnection): Promise<PendingImport[]> {
  const r = await con.runAndReadAll('SELECT id, kind, mode, series, symbol, timeframe, rows::DOUBLE, report::VARCHAR FROM pending_imports ORDER BY id');
  return (r.getRowsJS() as [number, 'bars' | 'trades', 'append' | 'merge', number | null, string, string | null, number, string][]).map(
    ([id, kind, mode, series, symbol, timeframe, rows, report]) => ({
      id: Number(id), kind, mode, series: series === null ? null : Number(series), symbol, timeframe, rows: Number(rows), report: JSON.parse(report) as ImportReport,
    }),
  );
}

async function stagedRows(con: DuckDBConnection, p: PendingImport): Promise<number> {
  const sql = p.mode === 'append' ? `SELECT count(*) FROM bars WHERE series = ${p.series}` : `SELECT count(*) FROM ${stageTable(p.kind)} WHERE import_id = ${p.id}`;
  return Number((await con.runAndReadAll(sql)).getRowsJS()[0]![0]);
}

function stageTable(kind: 'bars' | 'trades'): string {
  return kind === 'bars' ? 'import_stage_bars' : 'import_stage_trades';
}

function countsOf(p: PendingImport): MergeCounts {
  const o = p.report.store!;
  return { fresh: o.rowsNew, same: o.rowsUnchanged, replaced: o.rowsReplaced };
}

/**
 * Step 2: the import made visible and logged. Every statement leaves alone what an earlier
 * run of it did (the series and the log row are inserted only when missing, rows only
 * where they differ or are missing), so applying after a crash that cut this step short
 * completes it.
 */
async function apply(con: DuckDBConnection, p: PendingImport, again: boolean): Promise<void> {
  if (p.kind === 'bars') {
    await con.run(`INSERT INTO bar_series (id, symbol, timeframe) SELECT ${p.series}, $1, $2 WHERE NOT EXISTS (SELECT 1 FROM bar_series WHERE id = ${p.series})`, [p.symbol, p.timeframe]);
    if (p.mode === 'merge') await merge(con, barMerge(p.series!, p.id), [], countsOf(p), again);
  } else {
    await merge(con, tradeMerge(p.id), [p.symbol], countsOf(p), again);
  }
  const r = p.report;
  await con.run(
    `INSERT INTO imports (id, kind, file_name, sha256, symbol, timeframe, imported_at, rows_new, report)
     SELECT ${p.id}, $1, $2, $3, $4, $5, now()::TIMESTAMP, ${r.store!.rowsNew}, $6::JSON WHERE NOT EXISTS (SELECT 1 FROM imports WHERE id = ${p.id})`,
    [r.kind, r.file, r.sha256, r.symbol, r.timeframe, JSON.stringify(r)],
  );
}

/** Step 3: the stage rows and the marker go. */
async function cleanUp(con: DuckDBConnection, p: PendingImport): Promise<void> {
  if (p.mode === 'merge') await con.run(`DELETE FROM ${stageTable(p.kind)} WHERE import_id = ${p.id}`);
  await con.run(`DELETE FROM pending_imports WHERE id = ${p.id}`);
}

/** An import whose staged rows are incomplete: its rows go, and bars under its series only while the series is not registered. */
async function discard(con: DuckDBConnection, p: PendingImport): Promise<void> {
  if (p.mode === 'append') await con.run(`DELETE FROM bars WHERE series = ${p.series} AND NOT EXISTS (SELECT 1 FROM bar_series WHERE id = ${p.series})`);
  await cleanUp(con, p);
}


interface MergeCounts {
  fresh: number;
  same: number;
  replaced: number;
}

/**
 * How staged rows meet a table. The store has no primary key (DuckDB's ART index roughly
 * halves bulk-load speed and must fit in memory); each key is unique because every write is
 * this merge, run one at a time: rows with a new key are inserted, rows whose key is stored
 * with other values replace them (the newer file wins), identical rows are left alone.
 */
interface MergePlan {
  table: string;
  stage: string;
  /** Joins store row t to staged row s on the key; for trades $1 is the symbol. */
  match: string;
  /** t and s hold the same values. */
  same: string;
  /** SET list of an UPDATE from s. */
  set: string;
  /** SELECT list of an INSERT from s. */
  insert: string;
}

const BAR_VALUES = ['open', 'high', 'low', 'close', 'volume', 'adj_close'];
const STAGE_COLUMNS = ['ts', ...BAR_VALUES];
const TRADE_VALUES = ['ts', 'price', 'amount', 'side'];

/** Ids are written into the SQL: INTEGERs from a sequence, and a bound JS number would be a DOUBLE. */
function barMerge(series: number, importId: number): MergePlan {
  return {
    table: 'bars',
    stage: `(SELECT * FROM import_stage_bars WHERE import_id = ${importId})`,
    match: `t.series = ${series} AND t.ts = s.ts::BIGINT`,
    same: BAR_VALUES.map((c) => `t.${c} IS NOT DISTINCT FROM s.${c}`).join(' AND '),
    set: BAR_VALUES.map((c) => `${c} = s.${c}`).join(', '),
    insert: `${series}, s.ts::BIGINT, ${BAR_VALUES.map((c) => `s.${c}`).join(', ')}`,
  };
}

/** The id of a bar series (symbol and timeframe), registered if new. */
export async function barSeriesId(con: DuckDBConnection, symbol: string, timeframe: Timeframe): Promise<number> {
  const known = (await barSeriesOf(con, symbol)).find((s) => s.timeframe === timeframe);
  if (known) return known.id;
  const r = await con.runAndReadAll('INSERT INTO bar_series (symbol, timeframe) VALUES ($1, $2) RETURNING id', [symbol, timeframe]);
  return Number(r.getRowsJS()[0]![0]);
}

/** The bar series stored for a symbol. */
export async function barSeriesOf(con: DuckDBConnection, symbol: string): Promise<{ id: number; timeframe: string }[]> {
  const r = await con.runAndReadAll('SELECT id, timeframe FROM bar_series WHERE symbol = $1', [symbol]);
  return (r.getRowsJS() as [number, string][]).map(([id, timeframe]) => ({ id: Number(id), timeframe }));
}

/** The symbol the import will resolve, known before reading; undefined when only reading can tell (or refuse). */
function symbolOf(path: string, given: string | undefined): string | undefined {
  try {
    return resolveSymbol(path, given).symbol;
  } catch {
    return undefined;
  }
}

function tradeMerge(importId: number): MergePlan {
  return {
    table: 'trades',
    stage: `(SELECT * FROM import_stage_trades WHERE import_id = ${importId})`,
    match: 't.symbol = $1 AND t.id = s.id',
    same: TRADE_VALUES.map((c) => `t.${c} IS NOT DISTINCT FROM s.${c === 'ts' ? 'ts::BIGINT' : c}`).join(' AND '),
    set: TRADE_VALUES.map((c) => `${c} = s.${c === 'ts' ? 'ts::BIGINT' : c}`).join(', '),
    insert: '$1, s.ts::BIGINT, s.price, s.amount, s.side, s.id',
  };
}

async function countAgainstStore(con: DuckDBConnection, plan: MergePlan, params: string[]): Promise<MergeCounts> {
  const r = await con.runAndReadAll(
    `SELECT count(*) FILTER (WHERE t.ts IS NULL), count(*) FILTER (WHERE t.ts IS NOT NULL AND ${plan.same}), count(*)
     FROM ${plan.stage} s LEFT JOIN ${plan.table} t ON ${plan.match}`,
    params,
  );
  const [fresh, same, total] = r.getRowsJS()[0]!.map(Number) as [number, number, number];
  return { fresh, same, replaced: total - fresh - same };
}

/** `again`: a crash may have cut an earlier run short, so rows it inserted are looked for even where the counts say there was no overlap. */
async function merge(con: DuckDBConnection, plan: MergePlan, params: string[], c: MergeCounts, again: boolean): Promise<void> {
  if (c.replaced > 0) {
    await con.run(`UPDATE ${plan.table} AS t SET ${plan.set} FROM ${plan.stage} AS s WHERE ${plan.match} AND NOT (${plan.same})`, params);
  }
  if (c.fresh > 0) {
    const onlyNew = again || c.same + c.replaced > 0 ? ` WHERE NOT EXISTS (SELECT 1 FROM ${plan.table} AS t WHERE ${plan.match})` : '';
    await con.run(`INSERT INTO ${plan.table} SELECT ${plan.insert} FROM ${plan.stage} AS s${onlyNew}`, params);
  }
}

/** Resampling a range that starts mid-bucket yields a first bucket opening before `from`: drop it. */
function dropLeadingBefore(s: BarSeries, from: number | undefined): BarSeries {
  if (from === undefined || s.length === 0 || s.ts[0]! >= from) return s;
  const k = s.ts.findIndex((t) => t >= from);
  return dropFirst(s, k < 0 ? s.length : k);
}

/** The latest `n` bars (all when n is undefined). */
function keepLatest(s: BarSeries, n: number | undefined): BarSeries {
  return n === undefined || s.length <= n ? s : dropFirst(s, s.length - Math.max(0, Math.floor(n)));
}

function dropFirst(s: BarSeries, start: number): BarSeries {
  return {
    ...s,
    length: s.length - start,
    ts: s.ts.subarray(start),
    open: s.open.subarray(start),
    high: s.high.subarray(start),
    low: s.low.subarray(start),
    close: s.close.subarray(start),
    volume: s.volume.subarray(start),
  };
}

/**
 * The newest `count` bars of `s`, leaving out a resampled last bar whose source had not
 * filled its bucket: a strategy is never fed a bar that has not closed.
 */
function closedOnly(s: StoredBars, count: number): BarSeries {
  const end = s.origin.kind === 'resampled' && s.origin.lastPartial ? s.length - 1 : s.length;
  const from = Math.max(0, end - count);
  const cut = (a: Float64Array) => a.subarray(from, end);
  return { symbol: s.symbol, timeframe: s.timeframe, length: end - from, ts: cut(s.ts), open: cut(s.open), high: cut(s.high), low: cut(s.low), close: cut(s.close), volume: cut(s.volume) };
}
