import { bucketStart, timeframeMs } from '../core/timeframe';
import type { ExchangeClient } from '../exchange/client';
import type { RetryPolicy } from '../exchange/retry';
import type { GapSpan, PageBars, Span } from './download-store';
import { isoTime } from './import-report';

/**
 * One page of a bar download: asked for, checked and turned into columns. Both ways of
 * fetching (on the engine's thread, and on download threads: download-threads.ts) run
 * fetchBarsPage, so a page means the same wherever it was fetched. No DuckDB here: the
 * download threads load this module.
 */

export interface Page extends Span {
  index: number;
}

/** A page to fetch: its place in the plan and what to ask the exchange for. */
export interface PageJob extends Page {
  symbol: string;
  timeframe: string;
}

export interface FetchedPage {
  page: Page;
  bars: PageBars;
  gaps: GapSpan[];
  duplicates: number;
  outOfOrder: number;
  rejected: number;
}

export interface PageFetchOptions {
  signal?: AbortSignal;
  /** How read-only requests are retried (default READ_RETRY). */
  retry?: RetryPolicy;
  /** Told of each retry as it happens. */
  onRetry?(): void;
}

export const fmtSpan = (s: Span) => `${isoTime(s.from)}..${isoTime(s.to)}`;

/**
 * Fetches a page's bars through the client (retries, 429s) and checks them (cleanPage). It
 * asks again from the last bar only when the answer was a full page that stopped short (an
 * exchange that ignores `until`); a short answer means the rest is a hole.
 */
export async function fetchBarsPage(client: ExchangeClient, job: PageJob, opts: PageFetchOptions = {}): Promise<FetchedPage> {
  const barMs = timeframeMs(job.timeframe);
  let rows: number[][] = [];
  let at = job.from;
  for (;;) {
    const limit = Math.round((job.to - at) / barMs);
    const got = (await client.read(`fetchOHLCV ${job.symbol} ${job.timeframe} ${fmtSpan({ from: at, to: job.to })}`, (ex) => ex.fetchOHLCV(job.symbol, job.timeframe, at, limit, { until: job.to - 1 }), {
      signal: opts.signal,
      policy: opts.retry,
      onRetry: () => opts.onRetry?.(),
    })) as number[][];
    rows = rows.length === 0 ? got : rows.concat(got);
    const last = got.length > 0 ? Number(got[got.length - 1]![0]) : NaN;
    if (got.length < limit || !(last + barMs < job.to) || !(last >= at)) break;
    at = last + barMs;
  }
  return cleanPage(job, rows, barMs);
}

/** The column buffers of a page's bars, to transfer (not copy) them to another thread. */
export function pageBuffers(p: FetchedPage): ArrayBuffer[] {
  const b = p.bars;
  return [b.ts, b.open, b.high, b.low, b.close, b.volume].map((c) => c.buffer as ArrayBuffer);
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
