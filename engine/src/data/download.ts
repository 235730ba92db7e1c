import { KeelError, badInput } from '../core/errors';
import { bucketStart, timeframeMs } from '../core/timeframe';
import type { ExchangeClient } from '../exchange/client';
import type { RetryPolicy } from '../exchange/retry';
import { venueSymbol } from '../exchange/venue-symbol';
import { isoTime } from './import-report';
import { barSeriesId, type MarketStore } from './market-store';
import type { DownloadRequest } from '../model/download';
import { addGaps, addSpans, finishRun, readCoverage, readGaps, startRun, subtractSpans, writeBars, type GapSpan } from './download-store';
import { fetchBarsPage, fmtSpan, type FetchedPage, type Page, type PageJob } from './download-page';
import { defaultDownloadThreads, parkDownloadThreads, takeDownloadThreads } from './download-threads';

export type { DownloadRequest } from '../model/download';
export { cleanPage } from './download-page';

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
  /** Of `pages`, how many download threads fetched (0 on the engine's thread only). */
  pagesOnThreads: number;
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
  /** Download threads that fetched stored pages (0: every page was fetched on the engine's thread). */
  threads: number;
  /** Of `pages`, how many those threads fetched. */
  pagesOnThreads: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?(p: DownloadProgress): void;
  /** Pages in flight at once (default 4). */
  concurrency?: number;
  /** How read-only requests are retried (default READ_RETRY). */
  retry?: RetryPolicy;
  now?: () => number;
  /**
   * Download threads to fetch on when ccxt's rate limiter is off: 0 never; default
   * defaultDownloadThreads() (0 on 2 cores) for a plan of MIN_THREADED_PAGES pages or more.
   * With the limiter on, pages are always fetched on the engine's thread, whatever this says.
   */
  threads?: number;
}

/**
 * Pages fetched ahead of the store, at most. When fetching outruns storing the pages in hand
 * go into one commit (a commit costs milliseconds, a page's rows far less), so the store
 * keeps up; a kill loses at most these, and the resume asks for them again.
 */
const MAX_READY_PAGES = 64;

/**
 * Plans shorter than this fetch on the engine's thread only. A thread takes about a second
 * (of wall and of CPU) to load ccxt and the markets, while the engine's thread fetches ~170
 * pages of 1,000 bars a second: a shorter plan is mostly done before the threads are ready,
 * and their start-up would cost more CPU than the pages left for them save.
 */
export const MIN_THREADED_PAGES = 300;

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
  const totals = { stored: 0, pages: 0, retries: 0, duplicates: 0, outOfOrder: 0, rejected: 0, done: 0, pagesOnThreads: 0 };
  const progress = (): void => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? totals.done / elapsed : 0;
    opts.onProgress?.({ symbol, timeframe: tf, done: totals.done, expected, stored: totals.stored, ratePerSec: rate, etaMs: rate > 0 ? ((expected - totals.done) / rate) * 1000 : undefined, pages: totals.pages, retries: totals.retries, pagesOnThreads: totals.pagesOnThreads });
  };
  progress();

  const pageOpts = { signal: opts.signal, retry: opts.retry, onRetry: () => totals.retries++ };
  const jobOf = (p: Page): PageJob => ({ ...p, symbol: req.symbol, timeframe: tf });
  let onMain = 0;
  const fetchHere = (job: PageJob): Promise<FetchedPage> => {
    onMain++;
    return fetchBarsPage(client, job, pageOpts).finally(() => onMain--);
  };

  // Download threads only with ccxt's rate limiter off (an API URL: a simulator or a local
  // proxy). With it on, one thread is far faster than any exchange's limit allows, and N ccxt
  // instances on N threads would each keep their own limiter budget and together break the
  // exchange's limit: pages are then fetched here, a few at a time, as they always were.
  const threadCount = client.spec.rateLimitMs !== 0 ? 0 : (opts.threads ?? (pages.length >= MIN_THREADED_PAGES ? defaultDownloadThreads() : 0));
  const threads = threadCount > 0 ? takeDownloadThreads(client.spec, threadCount, opts.retry) : undefined;
  /** The thread that fetched each page taken by one; which threads fetched the stored pages. */
  const threadOf = new Map<number, number>();
  const usedThreads = new Set<number>();

  // Pages are fetched a few at a time and stored strictly in order: what is stored is always
  // a prefix of the plan, so a resume never has a hole behind it. Whoever is free takes the
  // next page: a ready thread with a free slot, else this thread while no thread is ready yet
  // (threads take ~0.75 s to load ccxt, and the download does not wait for them).
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const inflight = new Map<number, Promise<FetchedPage>>();
  const ready = new Map<number, FetchedPage>();
  let nextToFetch = 0;
  let failure: unknown;
  const take = (job: PageJob): Promise<FetchedPage> | undefined => {
    const onThread = threads?.fetch(job, concurrency, pageOpts, () => fetchHere(job));
    if (onThread) {
      return onThread.then((r) => {
        if (r.thread >= 0) threadOf.set(job.index, r.thread);
        return r.page;
      });
    }
    return onMain < (threads && threads.readyCount > 0 ? 0 : concurrency) ? fetchHere(job) : undefined;
  };
  const launch = (): void => {
    while (ready.size < MAX_READY_PAGES && nextToFetch < pages.length) {
      const p = pages[nextToFetch]!;
      const job = take(jobOf(p));
      if (!job) return;
      nextToFetch++;
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
  const stopThreads = () => threads?.close();
  if (threads) {
    threads.onReady = () => {
      if (failure === undefined && !opts.signal?.aborted) launch();
    };
    opts.signal?.addEventListener('abort', stopThreads, { once: true });
  }

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
        const thread = threadOf.get(b.page.index);
        if (thread !== undefined) {
          totals.pagesOnThreads++;
          usedThreads.add(thread);
        }
      }
      totals.stored += fresh;
      progress();
    }
  } catch (e) {
    failure = e;
  }
  opts.signal?.removeEventListener('abort', stopThreads);
  // In-flight pages after a failure are dropped, not stored: the stored part stays a prefix.
  if (failure !== undefined) threads?.close();
  else if (threads) parkDownloadThreads(threads);
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
  if (threads) notes.push(...threads.problems);
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
    threads: usedThreads.size,
    pagesOnThreads: totals.pagesOnThreads,
  };
}
