// Cancel-on-disconnect: where the exchange has a dead man's switch (ccxt's cancelAllOrdersAfter,
// Kraken's POST /0/private/CancelAllOrdersAfter), the live venue arms it and keeps refreshing
// it; when the refreshes stop reaching the exchange, the exchange cancels every open order once
// the timeout runs out. Where the exchange has none (Binance spot), the live session says so.
//
// The simulator speaks Binance for orders and serves Kraken's dead man's switch beside them
// (Binance spot has none). The desk's Binance client is lent ccxt's own Kraken adapter's
// cancelAllOrdersAfter, so the request the simulator checks is the one ccxt sends Kraken:
// form-encoded nonce and timeout in seconds, signed with API-Key and API-Sign.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { B64_SECRET, KEY, lendKrakenSwitch, liveRig, SYM, until, type LiveRig } from './live-rig';

const rigs: LiveRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

const PATH = '/0/private/CancelAllOrdersAfter';
const CHILD = join(import.meta.dirname, 'live-dead-man-child.ts');

/** A live desk whose exchange has the switch, reconciled, the switch armed with this timeout. */
async function armedRig(timeoutMs: number): Promise<LiveRig> {
  const r = await liveRig({ secret: B64_SECRET, venue: { cancelOnDisconnectMs: timeoutMs } });
  rigs.push(r);
  lendKrakenSwitch(r.client, r.sim.url);
  r.session.start();
  await until(() => r.session.status.state === 'ready' && r.venue.cancelOnDisconnect.armed, 10_000, 'reconciled, the switch armed');
  return r;
}

describe('cancel-on-disconnect', () => {
  it('is armed and refreshed while Keel reaches the exchange; once the refreshes stop, the exchange cancels the orders after the timeout', async () => {
    const r = await armedRig(2_000);
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
    const r = await armedRig(1_000);
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

  it('when the Keel process is killed, the exchange cancels its orders once the timeout runs out', { timeout: 60_000 }, async () => {
    const sim = await ExchangeSimulator.start({ historyBars: 200, tradesPerSecond: 20, rateLimit: false, keys: { [KEY]: B64_SECRET }, seed: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'keel-deadman-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, sim.url, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<string | null>((res) => child.once('exit', (_code, signal) => res(signal)));
      const id = await until(() => /WORKING (\S+)/.exec(out)?.[1], 30_000, 'the order of the child working');
      const acct = sim.broker.account(KEY);
      expect(acct.openOrders().map((o) => o.clientOrderId)).toEqual([id]);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const killed = Date.now();
      await until(() => acct.openOrders().length === 0 || undefined, 5_000, 'cancelled by the exchange');
      expect(Date.now() - killed).toBeGreaterThan(1_000);
      expect(sim.deadManFired).toBe(1);
      expect([...acct.orders.values()].find((o) => o.clientOrderId === id)?.status).toBe('CANCELED');
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
