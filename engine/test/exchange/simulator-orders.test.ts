import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ExchangeClient } from '../../src/exchange/client';
import { ExchangeSimulator, type SimulatorOptions } from '../../src/exchange/simulator/server';

const KEY = 'keel-test-key';
const SECRET = 'keel-test-secret';
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.stop();
});

async function setup(opts: SimulatorOptions = {}) {
  const sim = await ExchangeSimulator.start({ historyBars: 200, tradesPerSecond: 0, rateLimit: false, keys: { [KEY]: SECRET }, ...opts });
  open.push(sim);
  const client = await ExchangeClient.create({ exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0, credentials: { apiKey: KEY, secret: SECRET } });
  open.push({ stop: () => client.close() });
  await client.markets();
  // ccxt's exchange, called the way issue 12's live venue will call it.
  const ex = client.ex as unknown as Record<string, (...a: unknown[]) => Promise<Record<string, unknown>>>;
  return { sim, client, ex };
}

/** The user data stream over the websocket API, subscribed with Binance's signature scheme (HMAC-SHA256 of the sorted parameters). */
async function userStream(sim: ExchangeSimulator, secret = SECRET): Promise<{ events: Record<string, unknown>[]; ws: WebSocket; reply: Record<string, unknown> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${sim.port}/ws-api/v3`);
  open.push({ stop: async () => ws.terminate() });
  await new Promise((r) => ws.once('open', r));
  const params: Record<string, string> = { apiKey: KEY, timestamp: String(Date.now()) };
  const payload = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
  const signature = createHmac('sha256', secret).update(payload).digest('hex');
  const events: Record<string, unknown>[] = [];
  const reply = new Promise<Record<string, unknown>>((resolve) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as Record<string, unknown>;
      if (m.id === 'sub') resolve(m);
      else if (m.event) events.push(m.event as Record<string, unknown>);
    });
  });
  ws.send(JSON.stringify({ id: 'sub', method: 'userDataStream.subscribe.signature', params: { ...params, signature } }));
  return { events, ws, reply: await reply };
}

const until = async (what: () => boolean, ms = 5_000) => {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("the simulator's order side (what the live-trading issue tests against)", () => {
  it('a timeout after the order was accepted: the create fails as a network error, the order is there by its client id', async () => {
    const { sim, client, ex } = await setup({ faults: { timeoutAfterAccept: 1 } });
    const create = client.once('create order', (e) => e.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 20_000, { newClientOrderId: 'keel-t1' }));
    await expect(create).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { retryable: true } });
    expect(sim.faults.injected['timeout-after-accept']).toBe(1);
    sim.faults.set({ timeoutAfterAccept: 0 });
    const found = await ex.fetchOrder!(undefined, 'BTC/USDT', { origClientOrderId: 'keel-t1' });
    expect(found).toMatchObject({ clientOrderId: 'keel-t1', status: 'open', amount: 0.01 });
    // The client id reached the venue once: a retry would show here as 2.
    expect(sim.broker.account(KEY).clientIdsSeen.get('keel-t1')).toBe(1);
  });

  it('duplicate and out-of-order fills on the user data stream, with the signature checked', async () => {
    const { sim, ex } = await setup({ faults: { duplicateFill: 1, outOfOrderFills: 1 } });
    const { events, reply } = await userStream(sim);
    expect(reply).toMatchObject({ status: 200, result: { subscriptionId: expect.any(Number) } });
    // Bigger than the best ask: the market order walks several levels, several fills at once.
    const book = await ex.fetchOrderBook!('BTC/USDT', 5);
    const asks = book.asks as [number, number][];
    const qty = Math.round((asks[0]![1] + asks[1]![1] + asks[2]![1] / 2) * 1e5) / 1e5;
    const order = await ex.createOrder!('BTC/USDT', 'market', 'buy', qty, undefined, { newClientOrderId: 'keel-multi' });
    await until(() => events.filter((e) => e.x === 'TRADE').length >= 6);
    const trades = events.filter((e) => e.e === 'executionReport' && e.x === 'TRADE').map((e) => Number(e.t));
    expect(trades.length).toBe(6);
    // Three fills, newest first, each twice.
    const ids = [...new Set(trades)];
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(trades).toEqual(ids.flatMap((t) => [t, t]));
    expect((await ex.fetchMyTrades!('BTC/USDT')) as unknown as unknown[]).toHaveLength(3);
    expect(order.status).toBe('closed');
    expect(events.some((e) => e.e === 'outboundAccountPosition')).toBe(true);
  });

  it('refuses a user stream signed with the wrong secret', async () => {
    const { sim } = await setup();
    const { reply } = await userStream(sim, 'wrong');
    expect(reply).toMatchObject({ status: 400, error: { code: -1022 } });
  });

  it('drops every websocket, the user stream with the market streams, and takes new ones', async () => {
    const { sim, ex } = await setup();
    const first = await userStream(sim);
    const closed = new Promise((r) => first.ws.once('close', r));
    expect(sim.dropWebsockets()).toBeGreaterThanOrEqual(1);
    await closed;
    const again = await userStream(sim);
    await ex.createOrder!('BTC/USDT', 'limit', 'buy', 0.01, 20_000);
    await until(() => again.events.some((e) => e.x === 'NEW'));
    expect(first.events).toEqual([]);
  });

  it('balances follow fills: what the account holds is the start plus its trades, net of fees', async () => {
    const { ex } = await setup();
    const before = await ex.fetchBalance!();
    await ex.createOrder!('BTC/USDT', 'market', 'buy', 0.05);
    await ex.createOrder!('BTC/USDT', 'market', 'sell', 0.02);
    const resting = await ex.createOrder!('BTC/USDT', 'limit', 'buy', 0.01, 20_000);
    const after = await ex.fetchBalance!();
    const trades = (await ex.fetchMyTrades!('BTC/USDT')) as unknown as { side: string; amount: number; cost: number; fee: { cost: number; currency: string } }[];
    let btc = (before.BTC as { total: number }).total;
    let usdt = (before.USDT as { total: number }).total;
    for (const t of trades) {
      btc += t.side === 'buy' ? t.amount : -t.amount;
      usdt += t.side === 'buy' ? -t.cost : t.cost;
      if (t.fee.currency === 'BTC') btc -= t.fee.cost;
      else usdt -= t.fee.cost;
    }
    expect((after.BTC as { total: number }).total).toBeCloseTo(btc, 8);
    expect((after.USDT as { total: number }).total).toBeCloseTo(usdt, 6);
    // The resting buy locks its cost.
    expect((after.USDT as { used: number }).used).toBeCloseTo(0.01 * 20_000, 8);
    expect(resting.status).toBe('open');
  });
});
