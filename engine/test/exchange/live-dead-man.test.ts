// Cancel-on-disconnect: where the exchange has a dead man's switch (ccxt's cancelAllOrdersAfter,
// Kraken's POST /0/private/CancelAllOrdersAfter), the live venue arms it and keeps refreshing
// it; when the refreshes stop reaching the exchange, the exchange cancels every open order once
// the timeout runs out. Where the exchange has none (Binance spot), the live session says so.
//
// The simulator speaks Binance for orders and serves Kraken's dead man's switch beside them
// (Binance spot has none). The desk's Binance client is lent ccxt's own Kraken adapter's
// cancelAllOrdersAfter, so the request the simulator checks is the one ccxt sends Kraken:
// form-encoded nonce and timeout in seconds, signed with API-Key and API-Sign.
import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, liveRig, SYM, until, type LiveRig } from './live-rig';

const rigs: LiveRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

/** Kraken signs with the base64-decoded secret, so this key's secret is base64. */
const B64_SECRET = Buffer.from('a kraken-style secret for the simulator, 64 bytes long or so....').toString('base64');
const PATH = '/0/private/CancelAllOrdersAfter';

/** The desk's Binance client gets ccxt's Kraken cancelAllOrdersAfter, sending Kraken's request to the simulator. */
function lendKrakenSwitch(r: LiveRig): void {
  // Unthrottled, as the rig's Binance client is against the simulator.
  const kraken = new ccxt.kraken({ apiKey: KEY, secret: B64_SECRET, enableRateLimit: false });
  (kraken.urls as { api: Record<string, string> }).api.private = r.sim.url;
  // Its markets are Binance's here; Kraken's adapter only asks that some are loaded.
  kraken.markets = {} as typeof kraken.markets;
  const ex = r.client.ex as unknown as { has: Record<string, unknown>; cancelAllOrdersAfter: (ms: number, params?: object) => Promise<unknown> };
  ex.has.cancelAllOrdersAfter = true;
  ex.cancelAllOrdersAfter = (ms, params) => kraken.cancelAllOrdersAfter(ms, params);
}

describe('cancel-on-disconnect', () => {
  it('is armed and refreshed while Keel reaches the exchange; once the refreshes stop, the exchange cancels the orders after the timeout', async () => {
    const r = await liveRig({ secret: B64_SECRET, venue: { cancelOnDisconnectMs: 2_000 } });
    rigs.push(r);
    lendKrakenSwitch(r);
    r.session.start();
    await until(() => r.session.status.state === 'ready' && r.venue.cancelOnDisconnect.armed, 10_000, 'reconciled, the switch armed');
    expect(r.session.status.cancelOnDisconnect).toBe('cancel-on-disconnect armed: the exchange cancels every open order if Keel stops refreshing it for 2 s');
    expect(r.requests('POST', PATH)[0]).toMatchObject({ status: 200, params: { timeout: '2' } });

    const price = await r.refresh();
    const placed = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!placed.ok) throw new Error(`refused: ${placed.reason}`);
    await until(() => r.store.order(placed.orderId)?.status === 'accepted' || undefined, 5_000, 'acknowledged');
    // Twice the timeout later the order still works: each refresh set a new deadline.
    await new Promise((res) => setTimeout(res, 4_000));
    expect(r.account().openOrders().map((o) => o.clientOrderId)).toEqual([placed.orderId]);
    expect(r.sim.deadManFired).toBe(0);
    expect(r.requests('POST', PATH).length).toBeGreaterThanOrEqual(5);

    // Keel is cut off from the exchange: its refreshes no longer arrive.
    r.sim.refuse = (path) => path === PATH;
    const cut = Date.now();
    await until(() => r.account().openOrders().length === 0 || undefined, 5_000, 'cancelled by the exchange');
    const after = Date.now() - cut;
    // The last refresh was at most a third of the timeout before the cut: the deadline falls after it.
    expect(after).toBeGreaterThan(1_000);
    expect(r.sim.deadManFired).toBe(1);
    // Keel hears of it as of any cancel, and says the switch is no longer refreshed.
    await until(() => r.store.order(placed.orderId)?.status === 'cancelled' || undefined, 5_000, 'the journal told');
    expect(r.session.status.cancelOnDisconnect).toMatch(/^cancel-on-disconnect not refreshed \(.+\); the exchange cancels every open order 2 s after the last refresh$/);
  });

  it('a stop disarms it: the orders stay working at the exchange past the timeout', async () => {
    const r = await liveRig({ secret: B64_SECRET, venue: { cancelOnDisconnectMs: 1_000 } });
    rigs.push(r);
    // Unthrottled, as the rig's Binance client is against the simulator.
    lendKrakenSwitch(r);
    r.session.start();
    await until(() => r.session.status.state === 'ready' && r.venue.cancelOnDisconnect.armed, 10_000, 'reconciled, the switch armed');
    const price = await r.refresh();
    const placed = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!placed.ok) throw new Error(`refused: ${placed.reason}`);
    await until(() => r.store.order(placed.orderId)?.status === 'accepted' || undefined, 5_000, 'acknowledged');
    await r.session.stop();
    expect(r.requests('POST', PATH).at(-1)).toMatchObject({ status: 200, params: { timeout: '0' } });
    await new Promise((res) => setTimeout(res, 2_000));
    expect(r.account().openOrders().map((o) => o.clientOrderId)).toEqual([placed.orderId]);
    expect(r.sim.deadManFired).toBe(0);
  });

  it('where the exchange has none (Binance spot), the live session says so', async () => {
    const r = await liveRig();
    rigs.push(r);
    expect(r.client.ex.has.cancelAllOrdersAfter).not.toBe(true);
    r.session.start();
    await until(() => r.session.status.state === 'ready', 10_000, 'reconciled');
    expect(r.session.status.cancelOnDisconnect).toBe('binance offers no cancel-on-disconnect: if Keel stops (killed, cut off), its orders stay working at the exchange');
    expect(r.requests('POST', PATH)).toEqual([]);
  });
});
