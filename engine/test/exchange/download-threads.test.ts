import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDownloadReport } from '../../src/cli/commands/download';
import { downloadBars } from '../../src/data/download';
import { liveDownloadThreads, stopParkedDownloadThreads, warmDownloadThreads } from '../../src/data/download-threads';
import { MarketStore } from '../../src/data/market-store';
import { ExchangeClient, type ClientSpec } from '../../src/exchange/client';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { tempDir } from '../data/helpers';

const MIN = 60_000;
const FAST_RETRY = { retries: 2, baseMs: 5, maxMs: 20 };
const start = Date.UTC(2024, 0, 10);

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  stopParkedDownloadThreads();
  while (open.length) await open.pop()!.stop();
});

async function setup(opts: Parameters<typeof ExchangeSimulator.start>[0] = {}, rateLimitMs = 0) {
  const sim = await ExchangeSimulator.start({ start, tradesPerSecond: 0, rateLimit: false, ...opts });
  open.push(sim);
  const spec: ClientSpec = { exchange: 'binance', apiUrl: sim.url, rateLimitMs };
  const client = await ExchangeClient.create(spec);
  open.push({ stop: () => client.close() });
  const store = await MarketStore.open(join(tempDir(), 'market.duckdb'));
  open.push({ stop: async () => store.close() });
  const btc = sim.symbol('BTC/USDT');
  const bars = btc.closedBars();
  const req = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: bars.ts[0]!, to: bars.ts[bars.ts.length - 1]! + MIN };
  return { sim, client, store, btc, req, first: req.from };
}

const klines = (sim: ExchangeSimulator) => sim.requests.filter((r) => r.path === '/api/v3/klines');
const klineStarts = (sim: ExchangeSimulator) => klines(sim).filter((r) => r.status === 200).map((r) => Number(r.params.startTime));

/** Waits until every download thread has exited (or fails the test after `ms`). */
async function threadsGone(ms = 5_000): Promise<number> {
  const until = Date.now() + ms;
  while (liveDownloadThreads() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return liveDownloadThreads();
}

// Threads are started (and ccxt loaded in them) before each download, so the download fetches
// on them from its first page and the tests do not hang on how fast threads start.
describe('history download on download threads (rate limiter off)', () => {
  it('rides out 429s with Retry-After, 5xx and slow answers on threads: exactly the exchange bars, the hole a gap', async () => {
    const hole = { from: start - 9000 * MIN, to: start - 8500 * MIN };
    const { sim, client, store, btc, req } = await setup({ historyBars: 24_000, holes: [hole], faults: { rate429: 0.1, retryAfterSec: 1, rate5xx: 0.15, slow: 0.1, slowMs: 50 } });
    expect(await warmDownloadThreads(client.spec, 2)).toBe(2);
    const report = await downloadBars(client, store, req, { now: () => start, threads: 2, retry: { retries: 8, baseMs: 2, maxMs: 10 } });

    // Every page came from the threads (they were ready before the first page), and both took some.
    expect(report.pages).toBe(24);
    expect(report.pagesOnThreads).toBe(24);
    expect(report.threads).toBe(2);
    expect(formatDownloadReport(report)[1]).toMatch(/; 0 already held; 24 pages fetched on 2 download threads$/);
    // Every refused request was retried and counted, as on the engine's thread.
    const refused = klines(sim).filter((r) => r.status === 429 || r.status === 503);
    expect(refused.some((r) => r.status === 429)).toBe(true);
    expect(refused.some((r) => r.status === 503)).toBe(true);
    expect(report.retries).toBe(refused.length);
    // A 429's page was not asked again before its Retry-After (1 s) had passed.
    for (const r of refused.filter((x) => x.status === 429)) {
      const again = klines(sim).find((x) => x.at >= r.at && x !== r && x.params.startTime === r.params.startTime);
      expect(again, `retry of ${r.params.startTime}`).toBeDefined();
      expect(again!.at - r.at).toBeGreaterThanOrEqual(990);
    }

    const want = btc.closedBars();
    const stored = await store.bars('binance:BTC/USDT', '1m');
    expect(report.stored).toBe(want.ts.length);
    expect(Array.from(stored.ts)).toEqual(Array.from(want.ts));
    expect(Array.from(stored.open)).toEqual(Array.from(want.open));
    expect(Array.from(stored.close)).toEqual(Array.from(want.close));
    expect(Array.from(stored.volume)).toEqual(Array.from(want.volume));
    expect(report.gaps).toEqual([{ from: hole.from, to: hole.to, missing: 500 }]);
    expect(report.duplicatesMerged).toBe(0);
  }, 30_000);

  it('stops at a page that fails for good on a thread with the same error naming its range, keeps the pages before it, and resumes', async () => {
    const { sim, client, store, btc, req, first } = await setup({ historyBars: 12_000 });
    expect(await warmDownloadThreads(client.spec, 1)).toBe(1);
    let pages = 0;
    let pagesOnThreads = 0;
    sim.refuse = (path, params) => path === '/api/v3/klines' && Number(params.startTime) === first + 5000 * MIN;
    const failing = downloadBars(client, store, req, { now: () => start, threads: 1, retry: FAST_RETRY, onProgress: (p) => ({ pages, pagesOnThreads } = p) });
    await expect(failing).rejects.toMatchObject({ code: 'UNAVAILABLE', where: `${new Date(first + 5000 * MIN).toISOString()}..${new Date(first + 6000 * MIN).toISOString()}` });
    expect(pages).toBe(5);
    expect(pagesOnThreads).toBe(5);
    expect(Array.from((await store.bars('binance:BTC/USDT', '1m')).ts)).toEqual(Array.from(btc.closedBars().ts.subarray(0, 5000)));
    // The failure stopped the threads.
    expect(await threadsGone()).toBe(0);

    // Resumed on the engine's thread (a short plan: no threads), from where the threads stopped.
    sim.refuse = undefined;
    const before = klineStarts(sim).length;
    const resumed = await downloadBars(client, store, req, { now: () => start });
    expect(resumed.alreadyHeld).toBe(5000);
    expect(resumed.threads).toBe(0);
    expect(Math.min(...klineStarts(sim).slice(before))).toBe(first + 5000 * MIN);
    expect(Array.from((await store.bars('binance:BTC/USDT', '1m')).ts)).toEqual(Array.from(btc.closedBars().ts));
  }, 30_000);

  it('is cancelled part-way on threads: the threads stop, a prefix is stored, and the next run fetches only the rest', async () => {
    const { sim, client, store, btc, req, first } = await setup({ historyBars: 30_000, faults: { latencyMs: 20 } });
    expect(await warmDownloadThreads(client.spec, 1)).toBe(1);
    const abort = new AbortController();
    let pagesAtCancel = 0;
    let onThreadsAtCancel = 0;
    const run = downloadBars(client, store, req, {
      now: () => start,
      threads: 1,
      concurrency: 2,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.pages < 3 || abort.signal.aborted) return;
        pagesAtCancel = p.pages;
        onThreadsAtCancel = p.pagesOnThreads;
        abort.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await threadsGone()).toBe(0);
    const held = (await store.bars('binance:BTC/USDT', '1m')).length;
    // Pages in hand when it was cancelled may have gone into the commit before; none after it.
    expect(pagesAtCancel).toBeGreaterThanOrEqual(3);
    expect(pagesAtCancel).toBeLessThan(30);
    expect(onThreadsAtCancel).toBe(pagesAtCancel);
    expect(held).toBe(pagesAtCancel * 1000);
    expect(Array.from((await store.bars('binance:BTC/USDT', '1m')).ts)).toEqual(Array.from(btc.closedBars().ts.subarray(0, held)));

    const before = klineStarts(sim).length;
    const resumed = await downloadBars(client, store, req, { now: () => start });
    expect(resumed.alreadyHeld).toBe(held);
    expect(Math.min(...klineStarts(sim).slice(before))).toBe(first + held * MIN);
    expect(Array.from((await store.bars('binance:BTC/USDT', '1m')).ts)).toEqual(Array.from(btc.closedBars().ts));
  }, 30_000);

  it('drops a thread that cannot load the markets, and leaves no thread behind', async () => {
    const { sim, client } = await setup({ historyBars: 100 });
    sim.refuse = (path) => path === '/api/v3/exchangeInfo';
    expect(await warmDownloadThreads(client.spec, 1, FAST_RETRY)).toBe(0);
    expect(sim.requests.filter((r) => r.path === '/api/v3/exchangeInfo' && r.status === 503).length).toBe(FAST_RETRY.retries + 1);
    expect(await threadsGone()).toBe(0);
  });

  it('fetches on the engine thread when ccxt\'s rate limiter is on, even when threads are asked for', async () => {
    const { client, store, btc, req } = await setup({ historyBars: 6000 }, 1);
    const report = await downloadBars(client, store, req, { now: () => start, threads: 2 });
    expect(report.threads).toBe(0);
    expect(report.pagesOnThreads).toBe(0);
    expect(liveDownloadThreads()).toBe(0);
    expect(report.stored).toBe(btc.closedCount);
  });
});
