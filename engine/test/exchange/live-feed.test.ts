import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../src/exchange/client';
import { LiveFeed, type FeedCandle, type FeedState } from '../../src/exchange/live-feed';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';

const MIN = 60_000;
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.stop();
});

/** A fast market: a one-minute bar every 200 ms of real time, about 20 trades in each. */
async function liveSetup(opts: { staleAfterMs?: number } = {}) {
  const sim = await ExchangeSimulator.start({ speed: 300, tradesPerSecond: 100, historyBars: 50, rateLimit: false });
  open.push(sim);
  const client = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0 });
  open.push({ stop: () => client.close() });
  const logs: string[] = [];
  const feed = new LiveFeed(client, 'BTC/USDT', '1m', { backoff: { baseMs: 40, maxMs: 200 }, staleAfterMs: opts.staleAfterMs ?? 2_000, log: (_l, m) => logs.push(m) });
  open.push(feed);
  const closed: FeedCandle[] = [];
  const states: FeedState[] = [];
  feed.onCandle.on((c) => c.closed && closed.push(c));
  feed.onStatus.on((s) => states.push(s.state));
  feed.start();
  const until = async (what: () => boolean, ms = 30_000) => {
    const t0 = Date.now();
    while (!what()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out; closed ${closed.length}, states ${states.join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { sim, feed, closed, states, logs, until };
}

/** Every candle the feed closed is the exchange's candle of that minute, one after another, none twice. */
function expectExchangeCandles(sim: ExchangeSimulator, closed: FeedCandle[]): void {
  const btc = sim.symbol('BTC/USDT');
  for (let i = 1; i < closed.length; i++) expect(closed[i]!.bar.ts - closed[i - 1]!.bar.ts).toBe(MIN);
  for (const c of closed) {
    const want = btc.klines(MIN, c.bar.ts, c.bar.ts, 1)[0]!;
    expect(c.bar.ts).toBe(want.ts);
    expect([c.bar.open, c.bar.high, c.bar.low, c.bar.close]).toEqual([want.open, want.high, want.low, want.close]);
    expect(c.bar.volume).toBeCloseTo(want.volume, 9);
    expect(c.gapBefore).toBe(false);
  }
}

describe('live candles from the simulator', () => {
  it('a websocket drop in the middle of a stream: reconnect, snapshot, no missing or doubled candle', async () => {
    const { sim, feed, closed, states, until } = await liveSetup();
    await until(() => closed.length >= 8);
    // Aggregate trades on the socket, as REST's aggTrades: a resync merges the two by trade id.
    expect(sim.subscriptions()).toEqual(expect.arrayContaining(['btcusdt@aggTrade', 'btcusdt@kline_1m']));
    const before = closed.length;
    // Down for a second of real time: several bars close while the feed cannot reconnect.
    sim.dropWebsockets(1_000);
    await until(() => states.includes('reconnecting'));
    await until(() => closed.length >= before + 15);
    expect(feed.status().reconnects).toBeGreaterThanOrEqual(1);
    expect(states.slice(states.indexOf('reconnecting'))).toContain('live');
    expectExchangeCandles(sim, closed);
  }, 60_000);

  it('says a feed is stale when data stops, and repairs it from REST before new candles go out', async () => {
    const { sim, closed, states, until } = await liveSetup({ staleAfterMs: 300 });
    await until(() => closed.length >= 5);
    sim.pauseData(1_500);
    await until(() => states.includes('stale'));
    const n = closed.length;
    await until(() => closed.length >= n + 10 && states[states.length - 1] === 'live');
    expectExchangeCandles(sim, closed);
  }, 60_000);

  it('checks its candles against the exchange own and logs a difference', async () => {
    const { sim, feed, closed, logs, until } = await liveSetup();
    await until(() => closed.length >= 4);
    expect(feed.status().candleMismatches).toBe(0);
    sim.klineCloseOffset = 0.5;
    await until(() => feed.status().candleMismatches >= 2);
    expect(logs.some((l) => /candle .* differs from binance's/.test(l))).toBe(true);
  }, 60_000);
});
