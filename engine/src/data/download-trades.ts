import type { DuckDBConnection } from '@duckdb/node-api';
import type { Trade as CcxtTrade } from 'ccxt';
import { KeelError, badInput } from '../core/errors';
import { bucketStart, timeframeMs } from '../core/timeframe';
import type { ExchangeClient } from '../exchange/client';
import { venueSymbol } from '../exchange/venue-symbol';
import type { DownloadOptions, DownloadReport, DownloadRequest } from './download';
import { addGaps, addSpans, finishRun, readCoverage, readGaps, startRun, subtractSpans, unionSpans, writeBars, type GapSpan, type Span } from './download-store';
import { isoTime } from './import-report';
import { barSeriesId, type MarketStore } from './market-store';
import { barsFromTrades } from './resample';

/** Trades a page asks for. */
const TRADES_PAGE = 1000;
/**
 * Exchanges whose trades endpoint answers a window of time from `since` rather than the next
 * trades after it (Binance's aggTrades: an hour); elsewhere an empty answer means no more.
 */
const TRADES_WINDOW_MS: Record<string, number> = { binance: 3_600_000 };

async function readTradeCoverage(con: DuckDBConnection, symbol: string): Promise<Span[]> {
  const r = await con.runAndReadAll('SELECT from_ts::DOUBLE, to_ts::DOUBLE FROM trade_coverage WHERE symbol = $1 ORDER BY from_ts', [symbol]);
  return (r.getRowsJS() as [number, number][]).map(([from, to]) => ({ from, to }));
}

async function addTradeCoverage(con: DuckDBConnection, symbol: string, added: Span): Promise<void> {
  const all = unionSpans([...(await readTradeCoverage(con, symbol)), added]);
  await con.run('DELETE FROM trade_coverage WHERE symbol = $1', [symbol]);
  for (const s of all) await con.run(`INSERT INTO trade_coverage VALUES ($1, ${s.from}, ${s.to})`, [symbol]);
}

/** Stores trades not yet held (by the venue's trade id); returns how many were new. */
async function writeTrades(con: DuckDBConnection, symbol: string, trades: CcxtTrade[]): Promise<number> {
  if (trades.length === 0) return 0;
  await con.run('CREATE OR REPLACE TEMP TABLE stage_dl_trades (ts BIGINT, price DOUBLE, amount DOUBLE, side VARCHAR, id VARCHAR)');
  const appender = await con.createAppender('stage_dl_trades');
  for (const t of trades) {
    appender.appendBigInt(BigInt(t.timestamp!));
    appender.appendDouble(Number(t.price));
    appender.appendDouble(t.amount!);
    if (t.side === 'buy' || t.side === 'sell') appender.appendVarchar(t.side);
    else appender.appendNull();
    appender.appendVarchar(String(t.id));
    appender.endRow();
  }
  appender.closeSync();
  const fresh = Number(
    (await con.runAndReadAll('SELECT count(DISTINCT id) FROM stage_dl_trades s WHERE NOT EXISTS (SELECT 1 FROM trades t WHERE t.symbol = $1 AND t.id = s.id)', [symbol])).getRowsJS()[0]![0],
  );
  await con.run(
    `INSERT INTO trades SELECT $1, ts, price, amount, side, id FROM (SELECT DISTINCT ON (id) * FROM stage_dl_trades) s
     WHERE NOT EXISTS (SELECT 1 FROM trades t WHERE t.symbol = $1 AND t.id = s.id)`,
    [symbol],
  );
  await con.run('DROP TABLE stage_dl_trades');
  return fresh;
}

/**
 * `keel download --trades`: pages through fetchTrades from `since`, stores each page of
 * trades as it arrives with the time it settled (so it resumes like a bar download), then
 * builds `timeframe` bars from the stored trades with the trades-to-bars code the store uses
 * and stores them as `exchange:SYMBOL` bars. A bar time with no trade is a gap, not a flat bar.
 */
export async function downloadTrades(client: ExchangeClient, store: MarketStore, req: DownloadRequest, opts: DownloadOptions = {}): Promise<DownloadReport> {
  const started = performance.now();
  const now = (opts.now ?? Date.now)();
  const barMs = timeframeMs(req.timeframe);
  if (!client.capabilities().has.fetchTrades) throw badInput(`${client.id} serves no trade history (fetchTrades)`, 'exchange');
  const symbol = venueSymbol(client.id, req.symbol);
  await client.instrument(req.symbol, opts.signal);
  const ceilBar = (t: number) => (bucketStart(t, barMs) === t ? t : bucketStart(t, barMs) + barMs);
  const from = ceilBar(req.from);
  const to = Math.min(ceilBar(req.to ?? now), bucketStart(now, barMs));
  if (!(to > from)) throw badInput(`nothing to download: the range ${isoTime(from)}..${isoTime(to)} holds no closed ${req.timeframe} bar`, 'from');
  const missing = subtractSpans({ from, to }, await readTradeCoverage(store.reader, symbol));
  const expected = (to - from) / barMs;
  const window = TRADES_WINDOW_MS[client.id];
  const run = await store.transact((con) => startRun(con, { kind: 'trades', symbol, timeframe: req.timeframe, apiUrl: req.apiUrl, from, to }));
  const totals = { stored: 0, pages: 0, retries: 0, settled: expected - missing.reduce((a, s) => a + (s.to - s.from) / barMs, 0) };
  const progress = () => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? totals.settled / elapsed : 0;
    opts.onProgress?.({ symbol, timeframe: req.timeframe, done: Math.floor(totals.settled), expected, stored: totals.stored, ratePerSec: rate, etaMs: rate > 0 ? ((expected - totals.settled) / rate) * 1000 : undefined, pages: totals.pages, retries: totals.retries, pagesOnThreads: 0 });
  };
  try {
    for (const span of missing) {
      let cursor = span.from;
      while (cursor < span.to) {
        const windowEnd = window === undefined ? span.to : Math.min(span.to, cursor + window);
        const got = await client.read(
          `fetchTrades ${req.symbol} ${isoTime(cursor)}..${isoTime(windowEnd)}`,
          (ex) => ex.fetchTrades(req.symbol, cursor, TRADES_PAGE, window === undefined ? {} : { until: windowEnd - 1 }),
          { signal: opts.signal, policy: opts.retry, onRetry: () => totals.retries++ },
        );
        const inSpan = got.filter((t) => t.timestamp !== undefined && t.timestamp >= cursor && t.timestamp < span.to);
        const lastTs = inSpan.length > 0 ? Math.max(...inSpan.map((t) => t.timestamp!)) : undefined;
        // A full page ends somewhere inside the window: go on from its last trade (same-ms trades
        // are asked again and merged by id). A short page settles the window.
        let next = got.length >= TRADES_PAGE && lastTs !== undefined ? (lastTs > cursor ? lastTs : cursor + 1) : windowEnd;
        if (got.length >= TRADES_PAGE && lastTs === undefined) next = windowEnd;
        const settledTo = next;
        totals.stored += await store.transact(async (con) => {
          const n = await writeTrades(con, symbol, inSpan);
          await addTradeCoverage(con, symbol, { from: span.from, to: settledTo });
          return n;
        });
        totals.pages++;
        totals.settled += (settledTo - cursor) / barMs;
        cursor = settledTo;
        progress();
      }
    }
    // Bars from every stored trade of the range; buckets without a trade are gaps.
    const trades = await store.trades(symbol, { from, to });
    const bars = barsFromTrades(trades, req.timeframe);
    const gaps: GapSpan[] = [];
    let expect = from;
    for (let i = 0; i <= bars.length; i++) {
      const t = i < bars.length ? bars.ts[i]! : to;
      if (t > expect) gaps.push({ from: expect, to: t, missing: Math.round((t - expect) / barMs) });
      expect = t + barMs;
    }
    const series = await store.transact((con) => barSeriesId(con, symbol, req.timeframe));
    await store.transact(async (con) => {
      const held = await readCoverage(con, series);
      await writeBars(con, series, [bars]);
      await addSpans(con, series, run, subtractSpans({ from, to }, held).map((s) => ({ ...s, bars: 0, duplicates: 0, outOfOrder: 0, rejected: 0 })));
      const known = await readGaps(con, series, barMs, { from, to });
      await addGaps(con, series, gaps.filter((g) => !known.some((k) => k.from <= g.from && k.to >= g.to)));
      await finishRun(con, run, 'done', totals.stored);
    });
    return {
      symbol,
      timeframe: req.timeframe,
      from,
      to,
      alreadyHeld: 0,
      stored: bars.length,
      pages: totals.pages,
      retries: totals.retries,
      gaps: await readGaps(store.reader, series, barMs, { from, to }),
      duplicatesMerged: 0,
      outOfOrder: 0,
      rejected: 0,
      elapsedMs: performance.now() - started,
      notes: [`${totals.stored.toLocaleString('en-US')} new trades stored; ${bars.length.toLocaleString('en-US')} ${req.timeframe} bars built from ${trades.length.toLocaleString('en-US')} trades`],
      // Trade pages hang on each other (each starts where the last ended): fetched here, one at a time.
      threads: 0,
      pagesOnThreads: 0,
    };
  } catch (e) {
    const cancelled = opts.signal?.aborted === true;
    await store.transact((con) => finishRun(con, run, cancelled ? 'cancelled' : 'failed', totals.stored, e instanceof Error ? e.message : String(e))).catch(() => undefined);
    if (cancelled) throw new KeelError('CANCELLED', `trade download of ${symbol} cancelled; run it again to resume`, { where: 'download' });
    throw e;
  }
}
