import { KeelError, badInput } from '../core/errors';
import { bucketStart, timeframeMs } from '../core/timeframe';
import type { ExchangeClient } from '../exchange/client';
import type { RetryPolicy } from '../exchange/retry';
import { venueSymbol } from '../exchange/venue-symbol';
import { isoTime } from './import-report';
import { barSeriesId, type MarketStore } from './market-store';
import type { DownloadRequest } from '../model/download';
import { addGaps, addSpans, finishRun, readCoverage, readGaps, startRun, subtractSpans, writeBars, type GapSpan, type PageBars, type Span } from './download-store';

export type { DownloadRequest } from '../model/download';

export interface DownloadProgress {
  symbol: string;
  timeframe: string;
  /** Bar times settled (stored, or known missing at the exchange) of `expected`. */
  done: number;
  expected: number;
  /** Bars stored by this run. */
  stored: number;
  /** Bars per second settled, since the run began. */
  ratePerSec: number;
  /** ms to go at that rate; undefined before the first page. */
  etaMs: number | undefined;
  pages: number;
  retries: number;
}

export interface DownloadReport {
  symbol: string;
  timeframe: string;
  from: number;
  to: number;
  /** Bars the store held in the range before this run (not asked for again). */
  alreadyHeld: number;
  /** Bars this run stored. */
  stored: number;
  pages: number;
  retries: number;
  /** Holes in [from, to) the exchange has no bars for (from this run and earlier ones). */
  gaps: GapSpan[];
  duplicatesMerged: number;
  outOfOrder: number;
  rejected: number;
  elapsedMs: number;
  notes: string[];
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?(p: DownloadProgress): void;
  /** Pages in flight at once (default 4). */
  concurrency?: number;
  /** How read-only requests are retried (default READ_RETRY). */
  retry?: RetryPolicy;
  now?: () => number;
}

interface Page extends Span {
  index: number;
}

interface FetchedPage {
  page: Page;
  bars: PageBars;
  gaps: GapSpan[];
  duplicates: number;
  outOfOrder: number;
  rejected: number;
}

/**
 * Pages fetched ahead of the store, at most. When fetching outruns storing the pages in hand
 * go into one commit (a commit costs milliseconds, a page's rows far less), so the store
 * keeps up; a kill loses at most these, and the resume asks for them again.
 */
const MAX_READY_PAGES = 64;

const fmtSpan = (s: Span) => `${isoTime(s.from)}..${isoTime(s.to)}`;

/**
 * Downloads a symbol's bars into the store as `exchange:SYMBOL` (binance:BTC/USDT), page by
 * page through fetchOHLCV within the exchange's page size, under ccxt's rate limiter.
 *
 * - Each page is stored as it arrives, in time order, with the range it settled: a download
 *   that is killed resumes where it stopped and never asks again for what it holds; run
 *   twice, the second run asks for nothing and changes nothing.
 * - A hole the exchange cannot fill (it answered, without bars there) is recorded as a gap and
 *   reported, never invented.
 * - A page that fails for good (after read-only retries) stops the download with an error
 *   naming its range; the pages before it stay stored, nothing after it is.
 */
export async function downloadBars(client: ExchangeClient, store: MarketStore, req: DownloadRequest, opts: DownloadOptions = {}): Promise<DownloadReport> {
  const started = performance.now();
  const now = (opts.now ?? Date.now)();
  const tf = req.timeframe;
  const barMs = timeframeMs(tf);
  const caps = client.capabilities();
  if (caps.timeframes.length > 0 && !caps.timeframes.includes(tf)) throw badInput(`${client.id} has no ${tf} candles (it has ${caps.timeframes.join(', ')})`, 'timeframe');
  if (!caps.has.fetchOHLCV) throw badInput(`${client.id} serves no candles (fetchOHLCV); download trades with --trades`, 'exchange');
  const symbol = venueSymbol(client.id, req.symbol);
  await client.instrument(req.symbol, opts.signal);
  // Only closed bars: the range ends at the start of the bar forming now.
  const ceilBar = (t: number) => (bucketStart(t, barMs) === t ? t : bucketStart(t, barMs) + barMs);
  const from = ceilBar(req.from);
  const to = Math.min(ceilBar(req.to ?? now), bucketStart(now, barMs));
  if (!(to > from)) throw badInput(`nothing to download: the range ${fmtSpan({ from, to })} holds no closed ${tf} bar`, 'from');
  const notes: string[] = [];
  if (caps.historyCandles !== null && from < bucketStart(now, barMs) - caps.historyCandles * barMs) {
    throw badInput(`${caps.notes.join(' ')} (asked from ${isoTime(from)}, it serves ${tf} bars from ${isoTime(bucketStart(now, barMs) - caps.historyCandles * barMs)})`, 'from');
  }

  const series = await store.transact((con) => barSeriesId(con, symbol, tf));
  const held = await readCoverage(store.reader, series);
  const missing = subtractSpans({ from, to }, held);
  const expected = missing.reduce((a, s) => a + (s.to - s.from) / barMs, 0);
  const alreadyHeld = Math.round((to - from) / barMs - expected);
  const perPage = caps.ohlcvPageLimit;
  const pages: Page[] = [];
  for (const s of missing) for (let t = s.from; t < s.to; t += perPage * barMs) pages.push({ index: pages.length, from: t, to: Math.min(s.to, t + perPage * barMs) });

  const run = await store.transact((con) => startRun(con, { kind: 'bars', symbol, timeframe: tf, apiUrl: req.apiUrl, from, to }));
  const totals = { stored: 0, pages: 0, retries: 0, duplicates: 0, outOfOrder: 0, rejected: 0, done: 0 };
  const progress = (): void => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? totals.done / elapsed : 0;
    opts.onProgress?.({ symbol, timeframe: tf, done: totals.done, expected, stored: totals.stored, ratePerSec: rate, etaMs: rate > 0 ? ((expected - totals.done) / rate) * 1000 : undefined, pages: totals.pages, retries: totals.retries });
  };
  progress();

  const fetchPage = async (page: Page): Promise<FetchedPage> => {
    let rows: number[][] = [];
    let at = page.from;
    // Ask for the page's bars; ask again from the last one only when the answer was a full
    // page that stopped short (an exchange that ignores `until`). A short answer means the rest is a hole.
    for (;;) {
      const limit = Math.round((page.to - at) / barMs);
      const got = (await client.read(`fetchOHLCV ${req.symbol} ${tf} ${fmtSpan({ from: at, to: page.to })}`, (ex) => ex.fetchOHLCV(req.symbol, tf, at, limit, { until: page.to - 1 }), {
        signal: opts.signal,
        policy: opts.retry,
        onRetry: () => totals.retries++,
      })) as number[][];
      rows = rows.length === 0 ? got : rows.concat(got);
      const last = got.length > 0 ? Number(got[got.length - 1]![0]) : NaN;
      if (got.length < limit || !(last + barMs < page.to) || !(last >= at)) break;
      at = last + barMs;
    }
    return cleanPage(page, rows, barMs);
  };

  // Pages are fetched a few at a time and stored strictly in order: what is stored is always
  // a prefix of the plan, so a resume never has a hole behind it.
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const inflight = new Map<number, Promise<FetchedPage>>();
  const ready = new Map<number, FetchedPage>();
  let nextToFetch = 0;
  let failure: unknown;
  const launch = (): void => {
    while (inflight.size < concurrency && ready.size < MAX_READY_PAGES && nextToFetch < pages.length) {
      const p = pages[nextToFetch++]!;
      const job = fetchPage(p);
      inflight.set(p.index, job);
      job.then(
        (r) => {
          if (!inflight.delete(p.index)) return;
          ready.set(p.index, r);
          // Keep the requests flowing while a commit runs: the next page starts as soon as one lands.
          if (failure === undefined && !opts.signal?.aborted) launch();
        },
        () => undefined, // observed when its turn comes
      );
    }
  };
  try {
    launch();
    for (let next = 0; next < pages.length; ) {
      const head = ready.get(next) ?? (await inflight.get(next)!);
      inflight.delete(next);
      ready.delete(next++);
      const batch: FetchedPage[] = [head];
      // Pages already in hand go into the same commit: fewer transactions when fetching outruns storing.
      while (ready.has(next)) {
        batch.push(ready.get(next)!);
        ready.delete(next++);
      }
      launch();
      opts.signal?.throwIfAborted();
      const fresh = await store.transact(async (con) => {
        const n = await writeBars(con, series, batch.map((b) => b.bars));
        await addSpans(con, series, run, batch.map((b) => ({ from: b.page.from, to: b.page.to, bars: b.bars.length, duplicates: b.duplicates, outOfOrder: b.outOfOrder, rejected: b.rejected })));
        await addGaps(con, series, batch.flatMap((b) => b.gaps));
        return n;
      });
      for (const b of batch) {
        totals.pages++;
        totals.done += (b.page.to - b.page.from) / barMs;
        totals.duplicates += b.duplicates;
        totals.outOfOrder += b.outOfOrder;
        totals.rejected += b.rejected;
      }
      totals.stored += fresh;
      progress();
    }
  } catch (e) {
    failure = e;
  }
  // In-flight pages after a failure are dropped, not stored: the stored part stays a prefix.
  await Promise.allSettled(inflight.values());
  if (failure !== undefined) {
    const cancelled = opts.signal?.aborted === true;
    const failed = pages[totals.pages];
    const err =
      cancelled
        ? new KeelError('CANCELLED', `download of ${symbol} ${tf} cancelled after ${totals.pages} of ${pages.length} pages; run it again to resume`, { where: 'download' })
        : failure instanceof KeelError && failed
          ? new KeelError(failure.code, `page ${fmtSpan(failed)} failed for good, download stopped (pages before it are stored; run again to resume): ${failure.message}`, { where: fmtSpan(failed), details: failure.details, cause: failure })
          : failure;
    await store.transact((con) => finishRun(con, run, cancelled ? 'cancelled' : 'failed', totals.stored, err instanceof Error ? err.message : String(err))).catch(() => undefined);
    throw err;
  }
  await store.transact((con) => finishRun(con, run, 'done', totals.stored));
  const gaps = await readGaps(store.reader, series, barMs, { from, to });
  if (pages.length === 0) notes.push('everything asked for was already downloaded: nothing fetched');
  return {
    symbol,
    timeframe: tf,
    from,
    to,
    alreadyHeld,
    stored: totals.stored,
    pages: totals.pages,
    retries: totals.retries,
    gaps,
    duplicatesMerged: totals.duplicates,
    outOfOrder: totals.outOfOrder,
    rejected: totals.rejected,
    elapsedMs: performance.now() - started,
    notes,
  };
}

/**
 * A page as ccxt parsed it, checked: rows with a bad number, a non-positive price, OHLC out
 * of order or a time off the bar grid are rejected; rows out of time order are counted and
 * sorted; repeated times are merged (the later row wins) and counted; rows outside the page
 * are dropped (a neighbour's). Bar times of the page with no row are the exchange's holes.
 */
export function cleanPage(page: Span & { index?: number }, rows: readonly (readonly unknown[])[], barMs: number): FetchedPage {
  let rejected = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  const m = rows.length;
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(m)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const [ts, open, high, low, close, volume] = cols;
  let n = 0;
  for (let i = 0; i < m; i++) {
    const r = rows[i]!;
    const t = Number(r[0]);
    const o = Number(r[1]);
    const h = Number(r[2]);
    const l = Number(r[3]);
    const c = Number(r[4]);
    const v = Number(r[5]);
    // NaN fails every comparison, so a missing or unreadable number is rejected here too.
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && v >= 0 && h >= l && h >= o && h >= c && l <= o && l <= c && Number.isFinite(h + v)) || !Number.isFinite(t) || bucketStart(t, barMs) !== t) {
      rejected++;
      continue;
    }
    if (t < page.from || t >= page.to) continue;
    if (n > 0 && t <= ts[n - 1]!) {
      if (t === ts[n - 1]) {
        duplicates++;
        n--; // the later row wins
      } else outOfOrder++;
    }
    ts[n] = t;
    open[n] = o;
    high[n] = h;
    low[n] = l;
    close[n] = c;
    volume[n] = v;
    n++;
  }
  let bars: PageBars = { length: n, ts: ts.subarray(0, n), open: open.subarray(0, n), high: high.subarray(0, n), low: low.subarray(0, n), close: close.subarray(0, n), volume: volume.subarray(0, n) };
  if (outOfOrder > 0) {
    // Rare: sort by time, then merge the repeats sorting brought together.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]!);
    const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i]!);
    const sorted = { ts: pick(bars.ts), open: pick(bars.open), high: pick(bars.high), low: pick(bars.low), close: pick(bars.close), volume: pick(bars.volume) };
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (k > 0 && sorted.ts[i] === sorted.ts[k - 1]) {
        duplicates++;
        k--;
      }
      for (const key of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) sorted[key][k] = sorted[key][i]!;
      k++;
    }
    bars = { length: k, ts: sorted.ts.subarray(0, k), open: sorted.open.subarray(0, k), high: sorted.high.subarray(0, k), low: sorted.low.subarray(0, k), close: sorted.close.subarray(0, k), volume: sorted.volume.subarray(0, k) };
  }
  const gaps: GapSpan[] = [];
  let expect = page.from;
  const hole = (upTo: number) => {
    if (upTo > expect) gaps.push({ from: expect, to: upTo, missing: Math.round((upTo - expect) / barMs) });
  };
  for (let i = 0; i < bars.length; i++) {
    hole(bars.ts[i]!);
    expect = bars.ts[i]! + barMs;
  }
  hole(page.to);
  return { page: { index: page.index ?? 0, from: page.from, to: page.to }, bars, gaps, duplicates, outOfOrder, rejected };
}
