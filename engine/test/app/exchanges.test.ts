import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineApp } from '../../src/app/engine-app';
import type { ClosedBar } from '../../src/data/bar-feed';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { StateStore } from '../../src/state/store';
import { parseParams } from '../../protocol/schemas';
import type { DownloadProgressDto, StreamStatusDto, TopicName, Topics } from '../../protocol/index';

let home: string;
let app: EngineApp;
let sim: ExchangeSimulator;
const pushed: { topic: TopicName; item: unknown }[] = [];
const of = <T extends TopicName>(t: T) => pushed.filter((p) => p.topic === t).map((p) => p.item as Topics[T]);

async function waitFor<T>(fn: () => T | undefined, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  sim = await ExchangeSimulator.start({ historyBars: 3000, tradesPerSecond: 40, speed: 60, holes: [{ from: Date.now() - 2000 * 60_000, to: Date.now() - 1990 * 60_000 }] });
  home = mkdtempSync(join(tmpdir(), 'keel-app-ex-'));
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
});

afterAll(async () => {
  await app.close();
  await sim.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('exchanges through the protocol (EngineApp, the simulator on 127.0.0.1)', () => {
  it('lists the capability table with Keel notes beside ccxt flags', async () => {
    const table = await app.handlers['exchanges.list']({});
    const kraken = table.find((e) => e.id === 'kraken')!;
    expect(kraken.historyCandles).toBe(720);
    expect(kraken.notes.join(' ')).toMatch(/720 candles/);
    expect(table.find((e) => e.id === 'coinbase')!.ohlcvPageLimit).toBe(300);
    expect(table.find((e) => e.id === 'binance')!.has.watchTrades).toBe(true);
  });

  it('keeps the API URL override in the state database, checked', async () => {
    expect(await app.handlers['exchanges.setApiUrl']({ exchange: 'binance', apiUrl: `${sim.url}/` })).toEqual({ exchange: 'binance', apiUrl: sim.url });
    const state = StateStore.open(join(home, 'state.sqlite'));
    expect(state.setting('exchange.binance.apiUrl')).toBe(sim.url);
    state.close();
    expect((await app.handlers['exchanges.list']({ ids: ['binance'] }))[0]!.apiUrl).toBe(sim.url);
    const bad = parseParams('exchanges.setApiUrl', { exchange: 'binance', apiUrl: 'http://127.0.0.1:9000/api/v3' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.where).toBe('apiUrl');
  });

  it('downloads through the saved API URL with progress pushes, and the dataset appears as binance:BTC/USDT with its gap', async () => {
    const { downloadId, symbol } = await app.handlers['download.start']({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from: Date.now() - 2500 * 60_000 });
    expect(symbol).toBe('binance:BTC/USDT');
    const done = await waitFor(() => of('download').find((d: DownloadProgressDto) => d.downloadId === downloadId && d.status !== 'running'));
    expect(done.status, done.message).toBe('done');
    // The hole in the exchange's history is reported (a market this fast may leave a minute without trades too: also a gap, also reported).
    expect(done.report!.gaps).toContainEqual(expect.objectContaining({ missing: 10 }));
    expect(of('download').filter((d) => d.downloadId === downloadId).length).toBeGreaterThan(1);
    const sets = await app.handlers['data.datasets']({});
    const set = sets.find((d) => d.symbol === 'binance:BTC/USDT')!;
    // The download reports every hole in the range it asked for; the dataset's views count the
    // holes between its bars, so a minute without trades at either end of the range is in the
    // first and not the second.
    const gaps = done.report!.gaps.filter((g) => g.from > set.from && g.to <= set.to);
    expect(set).toMatchObject({ timeframe: '1m', gaps: gaps.length });
    const q = await app.handlers['data.quality']({ symbol: 'binance:BTC/USDT', timeframe: '1m' });
    const missing = gaps.reduce((a, g) => a + g.missing, 0);
    expect(q.gaps).toMatchObject({ count: gaps.length, missingBars: missing, atExchange: gaps.length });
    expect(q.strip.buckets.reduce((a, b) => a + b.gaps, 0)).toBe(missing);
  });

  it('streams live candles to the bar topic and closed ones to the closed-bar feed and the store, then stops', async () => {
    const closed: ClosedBar[] = [];
    const feed = app.bars;
    const off = feed.onClosedBar((e) => closed.push(e));
    const status = await app.handlers['stream.start']({ exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1m' });
    expect(status.id).toBe('binance:ETH/USDT|1m');
    // The simulator runs 60 times faster than the wall clock: the stream first backfills the bars
    // ahead of the warm-up download, then builds bars from trades, a bar a second.
    const fromTrades = () => of('bar').filter((b) => b.symbol === 'binance:ETH/USDT' && !b.closed).length;
    await waitFor(() => (fromTrades() > 0 ? true : undefined));
    const n = closed.length;
    await waitFor(() => (closed.length >= n + 2 ? true : undefined));
    for (let i = 1; i < closed.length; i++) expect(closed[i]!.bar.ts - closed[i - 1]!.bar.ts).toBe(60_000);
    off();
    expect(closed.map((c) => [c.symbol, c.source, c.gapBefore])).toEqual(closed.map(() => ['binance:ETH/USDT', 'live', false]));
    expect(closed[1]!.bar.ts - closed[0]!.bar.ts).toBe(60_000);
    const live = of('bar').filter((b) => b.symbol === 'binance:ETH/USDT');
    expect(live.some((b) => !b.closed)).toBe(true);
    expect(live.some((b) => b.closed && b.ts === closed[0]!.bar.ts)).toBe(true);
    expect(of('stream').some((s: StreamStatusDto) => s.state === 'live')).toBe(true);
    expect(of('book').some((b) => b.symbol === 'binance:ETH/USDT' && b.bids.length > 0 && b.asks[0]![0] > b.bids[0]![0])).toBe(true);
    await waitFor(async () => undefined, 300).catch(() => undefined);
    const stored = await app.handlers['data.bars']({ symbol: 'binance:ETH/USDT', timeframe: '1m', from: closed[0]!.bar.ts, to: closed[0]!.bar.ts + 1 });
    expect(stored.close).toEqual([closed[0]!.bar.close]);
    expect(await app.handlers['stream.stop']({ id: status.id })).toEqual({ stopped: true });
    expect(await app.handlers['stream.list']({})).toEqual([]);
  });

  it('analyses the spread of two stored datasets', async () => {
    const r = await app.handlers['spread.analyze']({ a: { symbol: 'binance:BTC/USDT', timeframe: '1m' }, b: { symbol: 'binance:ETH/USDT', timeframe: '1m' }, feeA: 0.001, feeB: 0.001, slippage: 0, threshold: 0.5 });
    expect(r.aligned).toBeGreaterThan(0);
    expect(r.ts.length).toBe(r.gross.length);
    // BTC is far dearer than ETH: every aligned bar is an opportunity of one long run per stretch without holes.
    expect(r.opportunities.length).toBeGreaterThan(0);
    expect(r.opportunities.every((o) => o.direction === 'buy-b-sell-a')).toBe(true);
  });
});
