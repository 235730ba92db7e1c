import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadBars } from '../../src/data/download';
import { downloadTrades } from '../../src/data/download-trades';
import { MarketStore } from '../../src/data/market-store';
import { ExchangeClient } from '../../src/exchange/client';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { tempDir } from '../data/helpers';

const MIN = 60_000;
const FAST_RETRY = { retries: 2, baseMs: 5, maxMs: 20 };

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.stop();
});

async function setup(opts: Parameters<typeof ExchangeSimulator.start>[0] = {}) {
  const sim = await ExchangeSimulator.start({ tradesPerSecond: 0, rateLimit: false, ...opts });
  open.push(sim);
  const client = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0 });
  open.push({ stop: () => client.close() });
  const store = await MarketStore.open(join(tempDir(), 'market.duckdb'));
  open.push({ stop: async () => store.close() });
  const btc = sim.symbol('BTC/USDT');
  const bars = btc.closedBars();
  return { sim, client, store, btc, first: bars.ts[0]!, end: bars.ts[bars.ts.length - 1]! + MIN };
}

const klineStarts = (sim: ExchangeSimulator) => sim.requests.filter((r) => r.path === '/api/v3/klines' && r.status === 200).map((r) => Number(r.params.startTime));

describe('history download against the simulator', () => {
  it('stores exactly the exchange bars as binance:BTC/USDT, reports the hole as a gap, and a second run asks for nothing', async () => {
    const start = Date.UTC(2024, 0, 10);
    const hole = { from: start - 3000 * MIN, to: start - 2500 * MIN };
    const { sim, client, store, btc, first, end } = await setup({ start, historyBars: 5000, holes: [hole] });
    const report = await downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, { now: () => start });
    expect(report.symbol).toBe('binance:BTC/USDT');
    expect(report.stored).toBe(btc.closedCount);
    expect(report.gaps).toEqual([{ from: hole.from, to: hole.to, missing: 500 }]);
    const stored = await store.bars('binance:BTC/USDT', '1m');
    const want = btc.closedBars();
    expect(stored.length).toBe(want.ts.length);
    expect(Array.from(stored.ts)).toEqual(Array.from(want.ts));
    expect(Array.from(stored.close)).toEqual(Array.from(want.close));
    expect(Array.from(stored.volume)).toEqual(Array.from(want.volume));

    const asked = klineStarts(sim).length;
    const again = await downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, { now: () => start });
    expect(klineStarts(sim).length).toBe(asked);
    expect(again.stored).toBe(0);
    expect(again.alreadyHeld).toBe((end - first) / MIN);
    expect(again.gaps).toEqual(report.gaps);
    expect((await store.bars('binance:BTC/USDT', '1m')).length).toBe(want.ts.length);
  });

  it('rides out 429s, 5xx and slow answers without a missing or doubled bar', async () => {
    const start = Date.UTC(2024, 0, 10);
    const { sim, client, store, btc, first, end } = await setup({ start, historyBars: 8000, faults: { rate429: 0.15, retryAfterSec: 0, rate5xx: 0.15, slow: 0.1, slowMs: 50 } });
    const report = await downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, { now: () => start, retry: { retries: 8, baseMs: 2, maxMs: 10 } });
    const refused = sim.requests.filter((r) => r.path === '/api/v3/klines' && (r.status === 429 || r.status === 503)).length;
    expect(refused).toBeGreaterThan(0);
    expect(report.retries).toBe(refused);
    const stored = await store.bars('binance:BTC/USDT', '1m');
    expect(Array.from(stored.ts)).toEqual(Array.from(btc.closedBars().ts));
  });

  it('stops at a page that fails for good, names its range, keeps the pages before it, and resumes from there', async () => {
    const start = Date.UTC(2024, 0, 10);
    const { sim, client, store, btc, first, end } = await setup({ start, historyBars: 6000 });
    let pages = 0;
    // The third page never answers.
    sim.refuse = (path, params) => path === '/api/v3/klines' && Number(params.startTime) === first + 2000 * MIN;
    const failing = downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, {
      now: () => start,
      retry: FAST_RETRY,
      onProgress: (p) => (pages = p.pages),
    });
    await expect(failing).rejects.toMatchObject({ code: 'UNAVAILABLE', where: `${new Date(first + 2000 * MIN).toISOString()}..${new Date(first + 3000 * MIN).toISOString()}` });
    expect(pages).toBe(2);
    expect((await store.bars('binance:BTC/USDT', '1m')).length).toBe(2000);

    sim.refuse = undefined;
    const before = klineStarts(sim).length;
    const resumed = await downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, { now: () => start });
    expect(resumed.alreadyHeld).toBe(2000);
    expect(Math.min(...klineStarts(sim).slice(before))).toBe(first + 2000 * MIN);
    expect(Array.from((await store.bars('binance:BTC/USDT', '1m')).ts)).toEqual(Array.from(btc.closedBars().ts));
  });

  it('is cancelled through its signal between pages, keeping what it stored', async () => {
    const start = Date.UTC(2024, 0, 10);
    const { client, store, first, end } = await setup({ start, historyBars: 6000, faults: { latencyMs: 20 } });
    const abort = new AbortController();
    let pagesAtCancel = 0;
    const run = downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: first, to: end }, {
      now: () => start,
      concurrency: 1,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.pages < 3 || abort.signal.aborted) return;
        pagesAtCancel = p.pages;
        abort.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    // Pages in hand when it was cancelled may have gone into the commit before; none after it.
    expect(pagesAtCancel).toBeGreaterThanOrEqual(3);
    expect(pagesAtCancel).toBeLessThan(6);
    expect((await store.bars('binance:BTC/USDT', '1m')).length).toBe(pagesAtCancel * 1000);
  });

  it('downloads trades page by page and builds bars from them equal to the exchange candles', async () => {
    const start = Date.UTC(2024, 0, 10);
    const { client, store, btc } = await setup({ start, historyBars: 1000 });
    const bars = btc.closedBars();
    const from = bars.ts[400]!;
    const to = bars.ts[700]!;
    const report = await downloadTrades(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m', from, to }, { now: () => start });
    const trades = await store.trades('binance:BTC/USDT', { from, to });
    expect(trades.length).toBe(300 * 4);
    const got = await store.bars('binance:BTC/USDT', '5m', { from, to });
    expect(report.stored).toBe(60);
    // The exchange's own 5m candles over the same span, from its klines.
    const want = btc.klines(5 * MIN, from, to - 1, 1000);
    expect(Array.from(got.ts)).toEqual(want.map((b) => b.ts));
    expect(Array.from(got.open)).toEqual(want.map((b) => b.open));
    expect(Array.from(got.high)).toEqual(want.map((b) => b.high));
    expect(Array.from(got.low)).toEqual(want.map((b) => b.low));
    expect(Array.from(got.close)).toEqual(want.map((b) => b.close));
    got.volume.forEach((v, i) => expect(v).toBeCloseTo(want[i]!.volume, 9));
  });

  it('refuses a timeframe the exchange does not offer and a range with no closed bar, before asking for any page', async () => {
    const start = Date.UTC(2024, 0, 10);
    const { sim, client, store } = await setup({ start, historyBars: 100 });
    await expect(downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '7m', from: start - 10 * MIN }, { now: () => start })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'timeframe' });
    await expect(downloadBars(client, store, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: start, to: start + 10 * MIN }, { now: () => start })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'from' });
    await expect(downloadBars(client, store, { exchange: 'binance', symbol: 'NOPE/USDT', timeframe: '1m', from: start - 10 * MIN }, { now: () => start })).rejects.toMatchObject({ code: 'NOT_FOUND', where: 'symbol' });
    expect(klineStarts(sim)).toEqual([]);
  });
});
