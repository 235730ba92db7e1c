import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../src/exchange/client';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';

/** ccxt's own recorded Binance traffic (excerpts; see fixtures/README.md for origin and licence). */
const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'ccxt-binance.json'), 'utf8')) as {
  response: Record<string, { httpResponse: unknown; parsedResponse?: unknown }>;
  request: Record<string, { url: string; output?: string }>;
};

/** A value's kind as the wire has it: ccxt's recordings quote some numbers and not others, so a number is a number either way. */
function kind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || (typeof v === 'string' && v !== '' && Number.isFinite(Number(v)))) return 'num';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The shape of a JSON value: kinds of its keys (objects), of its first element (arrays), recursively. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shape(x)]));
  return kind(v);
}

/** `have`'s shape covers `want`'s: every key of the fixture there with the same kind, except the ones named. */
function expectCovers(have: unknown, want: unknown, except: string[] = [], path = 'response'): void {
  const h = shape(have);
  const w = shape(want);
  const walk = (a: unknown, b: unknown, p: string): void => {
    if (Array.isArray(b)) {
      expect(Array.isArray(a), `${p} is an array`).toBe(true);
      if ((b as unknown[]).length > 0 && (a as unknown[]).length > 0) walk((a as unknown[])[0], (b as unknown[])[0], `${p}[0]`);
      return;
    }
    if (b !== null && typeof b === 'object') {
      expect(a !== null && typeof a === 'object', `${p} is an object`).toBe(true);
      for (const [k, x] of Object.entries(b as Record<string, unknown>)) {
        if (except.includes(k)) continue;
        expect(Object.keys(a as object), `${p}.${k} is there`).toContain(k);
        walk((a as Record<string, unknown>)[k], x, `${p}.${k}`);
      }
      return;
    }
    // A quoted number in ccxt's recording may be a plain number on the wire, and the other way round.
    expect(a, `${p}: ${String(a)} vs ${String(b)}`).toBe(b);
  };
  walk(h, w, path);
}

const keysOf = (o: unknown) => Object.keys(o as object).sort();

let sim: ExchangeSimulator;
let client: ExchangeClient;
// ccxt's Exchange, untyped here: the test reads its raw last answer.
let ex: Record<string, (...a: unknown[]) => Promise<unknown>> & { last_json_response: unknown; enableLastJsonResponse: boolean };

beforeAll(async () => {
  sim = await ExchangeSimulator.start({ historyBars: 500, tradesPerSecond: 20, keys: { 'test-key': 'test-secret' } });
  client = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0, credentials: { apiKey: 'test-key', secret: 'test-secret' } });
  ex = client.ex as unknown as typeof ex;
  ex.enableLastJsonResponse = true;
  await client.markets();
  // Some market trades so the aggregate-trade and ticker answers have live values too.
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(async () => {
  await client.close();
  await sim.stop();
});

describe("the simulator answers in the shapes of ccxt's recorded Binance responses", () => {
  it('klines: the twelve fields of a row, and ccxt parses them to [t, o, h, l, c, v]', async () => {
    const parsed = (await ex.fetchOHLCV('BTC/USDT', '1h', undefined, 3)) as number[][];
    expectCovers(ex.last_json_response, fixtures.response.fetchOHLCV!.httpResponse);
    expect((ex.last_json_response as unknown[][])[0]).toHaveLength(12);
    expectCovers(parsed, fixtures.response.fetchOHLCV!.parsedResponse);
  });

  it('aggregate trades, and the unified trade ccxt makes of them', async () => {
    const parsed = (await ex.fetchTrades('BTC/USDT', undefined, 1)) as Record<string, unknown>[];
    expectCovers(ex.last_json_response, fixtures.response.fetchTrades!.httpResponse);
    expect(keysOf(parsed[0])).toEqual(keysOf((fixtures.response.fetchTrades!.parsedResponse as unknown[])[0]));
  });

  it('24h ticker, every field', async () => {
    const parsed = (await ex.fetchTicker('BTC/USDT')) as Record<string, unknown>;
    expectCovers(ex.last_json_response, fixtures.response.fetchTicker!.httpResponse);
    expect(keysOf(parsed)).toEqual(keysOf(fixtures.response.fetchTicker!.parsedResponse));
    expect(parsed.bid as number).toBeLessThan(parsed.ask as number);
  });

  it('order book with lastUpdateId, which ccxt reads as its nonce', async () => {
    const parsed = (await ex.fetchOrderBook('BTC/USDT', 2)) as Record<string, unknown>;
    expectCovers(ex.last_json_response, fixtures.response.fetchOrderBook!.httpResponse);
    expect(keysOf(parsed)).toEqual(keysOf(fixtures.response.fetchOrderBook!.parsedResponse));
    expect(parsed.nonce).toBe((ex.last_json_response as { lastUpdateId: number }).lastUpdateId);
  });

  it('a new order (FULL answer), fetched, listed as open, cancelled; my trades; balances', async () => {
    const bid = ((await ex.fetchTicker('BTC/USDT')) as { bid: number }).bid;
    const price = Math.round((bid - 500) * 100) / 100;
    const created = (await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.2, price)) as Record<string, unknown>;
    // icebergQty comes only with iceberg orders, which the simulator does not take.
    expectCovers(ex.last_json_response, fixtures.response.createOrder!.httpResponse, ['icebergQty']);
    expect(keysOf(created)).toEqual(keysOf(fixtures.response.createOrder!.parsedResponse));
    expect(created.status).toBe('open');

    await ex.fetchOrder(created.id, 'BTC/USDT');
    expectCovers(ex.last_json_response, fixtures.response.fetchOrder!.httpResponse);
    await ex.fetchOpenOrders('BTC/USDT');
    expectCovers(ex.last_json_response, fixtures.response.fetchOpenOrders!.httpResponse);
    expect(((await ex.cancelOrder(created.id, 'BTC/USDT')) as { status: string }).status).toBe('canceled');

    await ex.createOrder('BTC/USDT', 'market', 'sell', 0.01);
    const mine = (await ex.fetchMyTrades('BTC/USDT')) as Record<string, unknown>[];
    expectCovers(ex.last_json_response, fixtures.response.fetchMyTrades!.httpResponse);
    expect(keysOf(mine[0])).toEqual(keysOf((fixtures.response.fetchMyTrades!.parsedResponse as unknown[])[0]));

    await ex.fetchBalance();
    expectCovers(ex.last_json_response, fixtures.response.fetchBalance!.httpResponse);
  });
});

describe("ccxt's requests to the simulator are the ones its recordings show", () => {
  it('a spot limit order: POST /api/v3/order with the recorded parameters, HMAC-signed (checked by the simulator)', async () => {
    const bid = ((await ex.fetchTicker('BTC/USDT')) as { bid: number }).bid;
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.2, Math.round((bid - 400) * 100) / 100);
    const sent = sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').pop()!;
    const recorded = new URLSearchParams(fixtures.request.createOrder!.output);
    recorded.delete('signature'); // the simulator's log leaves the signature out
    expect(Object.keys(sent.params).sort()).toEqual([...recorded.keys()].sort());
    for (const k of ['side', 'type', 'timeInForce', 'newOrderRespType', 'recvWindow']) expect(sent.params[k], k).toBe(recorded.get(k));
    expect(sent.params.newClientOrderId).toMatch(/^x-/);
    expect(new URL(fixtures.request.createOrder!.url).pathname).toBe(sent.path);
  });

  it('a cancel: DELETE /api/v3/order with the recorded query', async () => {
    const open = (await ex.fetchOpenOrders('BTC/USDT')) as { id: string }[];
    await ex.cancelOrder(open[0]!.id, 'BTC/USDT');
    const sent = sim.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/v3/order').pop()!;
    const recorded = new URL(fixtures.request.cancelOrder!.url);
    recorded.searchParams.delete('signature');
    expect(Object.keys(sent.params).sort()).toEqual([...recorded.searchParams.keys()].sort());
    expect(recorded.pathname).toBe(sent.path);
  });

  it('refuses a request signed with the wrong secret, as Binance does (-1022), which ccxt maps to an authentication error', async () => {
    const wrong = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0, credentials: { apiKey: 'test-key', secret: 'not-the-secret' } });
    try {
      await expect(wrong.once('fetch balance', (e) => e.fetchBalance())).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { exchangeError: 'AuthenticationError', retryable: false } });
    } finally {
      await wrong.close();
    }
  });
});
