import { afterEach, describe, expect, it } from 'vitest';
import { parseApiUrl, rewriteApiUrls, rewriteEndpoint } from '../../src/exchange/api-url';
import { ExchangeClient, loadCcxt } from '../../src/exchange/client';
import { ExchangeHub } from '../../src/exchange/hub';
import { classify, parseRetryAfter, toKeelError } from '../../src/exchange/errors';
import { backoffMs, retryReadOnly } from '../../src/exchange/retry';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { splitVenueSymbol, venueSymbol } from '../../src/exchange/venue-symbol';

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.stop();
});

describe('--api-url', () => {
  it("replaces scheme, host and port and keeps the exchange's paths, REST and websocket", () => {
    const o = parseApiUrl('http://127.0.0.1:9000');
    expect(rewriteEndpoint('https://api.binance.com/api/v3/klines', o)).toBe('http://127.0.0.1:9000/api/v3/klines');
    expect(rewriteEndpoint('wss://stream.binance.com:9443/ws', o)).toBe('ws://127.0.0.1:9000/ws');
    const secure = parseApiUrl('https://testnet.example:8443/');
    expect(rewriteEndpoint('wss://ws-api.binance.com:443/ws-api/v3', secure)).toBe('wss://testnet.example:8443/ws-api/v3');
    expect(rewriteApiUrls({ public: 'https://api.binance.com/api/v3', ws: { spot: 'wss://stream.binance.com:9443/ws' }, n: 3 }, o)).toEqual({
      public: 'http://127.0.0.1:9000/api/v3',
      ws: { spot: 'ws://127.0.0.1:9000/ws' },
      n: 3,
    });
  });

  it('refuses a path, a non-http scheme or credentials, saying why', () => {
    expect(() => parseApiUrl('http://127.0.0.1:9000/api/v3')).toThrow(/drop the path "\/api\/v3"/);
    expect(() => parseApiUrl('ftp://x')).toThrow(/http or https/);
    expect(() => parseApiUrl('http://u:p@x')).toThrow(/credentials/);
    expect(() => parseApiUrl('nonsense')).toThrow(/not a URL/);
  });

  it('is applied to every endpoint of a real ccxt adapter, so unmodified ccxt reaches the simulator', async () => {
    const c = await ExchangeClient.create({ exchange: 'binance', apiUrl: 'http://127.0.0.1:9000' });
    open.push({ stop: () => c.close() });
    const urls = JSON.stringify(c.ex.urls.api);
    expect(urls).not.toMatch(/binance\.com/);
    expect((c.ex.urls.api as unknown as Record<string, string>).public).toBe('http://127.0.0.1:9000/api/v3');
  });

  it('turning the rate limiter off needs an API URL', async () => {
    await expect(ExchangeClient.create({ exchange: 'binance', rateLimitMs: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'rate limit' });
    await expect(ExchangeClient.create({ exchange: 'nosuchexchange' })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'exchange' });
  });
});

describe('exchange errors', () => {
  it("map ccxt's classes to Keel's codes, the NetworkError family retryable", async () => {
    const ccxt = await loadCcxt();
    const table: [unknown, string, boolean][] = [
      [new ccxt.RequestTimeout('x'), 'UNAVAILABLE', true],
      [new ccxt.DDoSProtection('x'), 'UNAVAILABLE', true],
      [new ccxt.ExchangeNotAvailable('x'), 'UNAVAILABLE', true],
      [new ccxt.OrderNotFound('x'), 'NOT_FOUND', false],
      [new ccxt.BadSymbol('x'), 'NOT_FOUND', false],
      [new ccxt.InsufficientFunds('x'), 'BAD_INPUT', false],
      [new ccxt.InvalidOrder('x'), 'BAD_INPUT', false],
      [new ccxt.AuthenticationError('x'), 'UNAVAILABLE', false],
      [new ccxt.ExchangeError('x'), 'UNAVAILABLE', false],
      [new Error('boom'), 'INTERNAL', false],
    ];
    for (const [e, code, retryable] of table) expect([classify(e).code, classify(e).retryable], String(e)).toEqual([code, retryable]);
    const k = toKeelError(new ccxt.RequestTimeout('binance GET /api/v3/klines timed out'), 'binance fetchOHLCV BTC/USDT 1m');
    expect(k.message).toBe('binance fetchOHLCV BTC/USDT 1m: the exchange did not answer in time (RequestTimeout: binance GET /api/v3/klines timed out)');
    expect(k.details).toEqual({ exchangeError: 'RequestTimeout', retryable: true });
  });

  it('read Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('read-only retries', () => {
  it('back off with jitter, never shorter than Retry-After, and give up after the policy', async () => {
    const policy = { retries: 3, baseMs: 100, maxMs: 300 };
    expect(backoffMs(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffMs(3, policy, undefined, () => 1)).toBe(300);
    expect(backoffMs(1, policy, 2000, () => 1)).toBe(2000);
    const ccxt = await loadCcxt();
    let calls = 0;
    const waits: number[] = [];
    await expect(retryReadOnly(async () => {
      calls++;
      throw new ccxt.ExchangeNotAvailable('503');
    }, { policy, sleep: async (ms) => void waits.push(ms), random: () => 1 })).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
    calls = 0;
    await expect(retryReadOnly(async () => {
      calls++;
      throw new ccxt.BadSymbol('no');
    }, { policy, sleep: async () => undefined })).rejects.toBeInstanceOf(ccxt.BadSymbol);
    expect(calls).toBe(1);
  });

  it("honour the exchange's 429 Retry-After end to end, and hold the client's other requests meanwhile", async () => {
    const sim = await ExchangeSimulator.start({ historyBars: 100, tradesPerSecond: 0, rateLimit: false });
    open.push(sim);
    const c = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0 });
    open.push({ stop: () => c.close() });
    await c.markets();
    sim.faults.set({ rate429: 1, retryAfterSec: 1 });
    setTimeout(() => sim.faults.set({ rate429: 0 }), 200);
    const t0 = Date.now();
    const first = c.read('ticker', (ex) => ex.fetchTicker('BTC/USDT'), { policy: { retries: 3, baseMs: 10, maxMs: 20 } });
    // Another request of the same client, sent while the first waits out the 429: it waits too.
    await new Promise((r) => setTimeout(r, 300));
    const other = await c.once('ticker', (ex) => ex.fetchTicker('ETH/USDT'));
    expect(other.symbol).toBe('ETH/USDT');
    expect((await first).symbol).toBe('BTC/USDT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const tickers = sim.requests.filter((r) => r.path === '/api/v3/ticker/24hr');
    expect(tickers.map((r) => [r.params.symbol, r.status])).toEqual([['BTCUSDT', 429], ...tickers.slice(1).map((r) => [r.params.symbol, 200])]);
    for (const later of tickers.slice(1)) expect(later.at - tickers[0]!.at).toBeGreaterThanOrEqual(950);
  });
});

describe('instances and markets', () => {
  it('one ccxt instance per exchange, API URL and key', async () => {
    const hub = new ExchangeHub();
    open.push({ stop: () => hub.close() });
    const a = await hub.client({ exchange: 'binance', apiUrl: 'http://127.0.0.1:9000' });
    expect(await hub.client({ exchange: 'Binance', apiUrl: 'http://127.0.0.1:9000' })).toBe(a);
    expect(await hub.client({ exchange: 'binance', apiUrl: 'http://127.0.0.1:9001' })).not.toBe(a);
    expect(await hub.client({ exchange: 'binance', apiUrl: 'http://127.0.0.1:9000', credentials: { apiKey: 'k', secret: 's' } })).not.toBe(a);
    await expect(hub.client({ exchange: 'nosuch' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(hub.size).toBe(3);
  });

  it("turns a market into an Instrument with the exchange's tick, lot, minimum amount and notional, named with its venue", async () => {
    const sim = await ExchangeSimulator.start({ historyBars: 10, tradesPerSecond: 0 });
    open.push(sim);
    const c = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0 });
    open.push({ stop: () => c.close() });
    expect(await c.instrument('ETH/USDT')).toEqual({ symbol: 'binance:ETH/USDT', base: 'ETH', quote: 'USDT', tickSize: 0.01, lotSize: 0.0001, minQty: 0.0001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 });
    await expect(c.instrument('ETH/BTC')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/lists no ETH\/BTC \(it lists ETH\/USDT\)/) });
  });
});

describe('venue symbols', () => {
  it('name a dataset after its venue, lower-case id and unified symbol, and split back', () => {
    expect(venueSymbol('Binance', 'BTC/USDT')).toBe('binance:BTC/USDT');
    expect(splitVenueSymbol('binance:BTC/USDT:USDT')).toEqual({ exchange: 'binance', symbol: 'BTC/USDT:USDT' });
    expect(splitVenueSymbol('BTC-USDT')).toBeUndefined();
    expect(() => venueSymbol('binance', 'BTCUSDT')).toThrow(/unified symbol/);
  });
});
