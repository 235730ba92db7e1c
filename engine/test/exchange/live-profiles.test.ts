// The client order id goes out in the field each ccxt adapter reads (profiles.ts): the
// request ccxt builds for Binance, Kraken and Coinbase, caught where it would leave, carries
// Keel's id and no retry option; Keel's ids fit each exchange.
import { describe, expect, it } from 'vitest';
import { loadCcxt } from '../../src/exchange/client';
import { LiveIds } from '../../src/exchange/live/live-ids';
import { fitsProfile, orderProfile } from '../../src/exchange/live/profiles';

// A throwaway P-256 key in PEM: Coinbase signs each request with one (a JWT).
const EC_PEM = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5YKwyXS7m+Y0DoAoGCCqGSM49\nAwEHoUQDQgAEPLvz4yKZK6zFe5L1qYh4JQZ0EJCF6wx5Lq2v0x9Z8M3x4Zx1Q3qV\nd3fYBzX2Zbq6uNQ4xVb4v0l6v3lHc1oQPw==\n-----END EC PRIVATE KEY-----\n';

async function createRequest(id: string, clientOrderId: string): Promise<{ url: string; body: string }> {
  const ccxt = await loadCcxt();
  const Ctor = (ccxt as unknown as Record<string, new (c: object) => Record<string, unknown>>)[id]!;
  const ex = new Ctor({ apiKey: 'organizations/o/apiKeys/k', secret: id === 'coinbase' ? EC_PEM : 'c2VjcmV0c2VjcmV0', options: { maxRetriesOnFailure: 0 } }) as unknown as {
    setMarkets(m: object[]): void;
    fetch: (url: string, method: string, headers: object, body: string) => Promise<never>;
    createOrder(s: string, t: string, side: string, a: number, p: number, params: object): Promise<unknown>;
  };
  const marketId = { binance: 'BTCUSDT', kraken: 'XBTUSDT', coinbase: 'BTC-USDT' }[id]!;
  ex.setMarkets([
    { id: marketId, symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', baseId: 'XBT', quoteId: 'USDT', type: 'spot', spot: true, active: true, altname: 'XBTUSDT', wsName: 'XBT/USDT', precision: { amount: 0.00001, price: 0.1 }, limits: { amount: { min: 0 }, price: {}, cost: {} }, info: { orderTypes: ['LIMIT', 'MARKET'] } },
  ]);
  let sent: { url: string; body: string } | undefined;
  ex.fetch = async (url, _method, _headers, body) => {
    sent = { url, body: body ?? '' };
    throw new ccxt.ExchangeNotAvailable('caught before it left');
  };
  const profile = orderProfile(id);
  await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20_000, { ...profile.createParams(clientOrderId), maxRetriesOnFailure: 0 }).catch(() => undefined);
  if (!sent) throw new Error(`${id}: no request`);
  return sent;
}

describe("the client order id in each adapter's field", () => {
  for (const [id, field] of [
    ['binance', 'newClientOrderId'],
    ['kraken', 'cl_ord_id'],
    ['coinbase', 'client_order_id'],
  ] as const) {
    it(`${id}: the request carries Keel's id as ${field}, and no retry option`, async () => {
      const cid = new LiveIds('abc', orderProfile(id)).next('order');
      const { url, body } = await createRequest(id, cid);
      const text = `${url}\n${body}`;
      // Coinbase's body is JSON, the others' form or query parameters.
      const value = body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>)[field] : new URLSearchParams(body || new URL(url).search).get(field);
      expect(value, text).toBe(cid);
      expect(text).not.toMatch(/maxRetriesOnFailure|ccxt-/);
    });
  }

  it("Keel's ids fit every exchange's rules, and say whose they are", () => {
    for (const id of ['binance', 'kraken', 'coinbase', 'okx']) {
      const p = orderProfile(id);
      const ids = new LiveIds('z9q', p, Date.UTC(2030, 0, 1));
      let last = '';
      for (let i = 0; i < 5_000; i++) last = ids.next('order');
      expect(fitsProfile(p, last), `${id}: ${last}`).toBe(true);
      expect(last.startsWith(ids.prefix)).toBe(true);
    }
    expect(orderProfile('kraken').clientIdMax).toBe(18);
  });
});
