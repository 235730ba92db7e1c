// Reconciliation of a live desk against the simulator, on start and after a reconnect: what
// happened at the exchange while Keel was away is applied once, with deterministic ids;
// orders Keel did not place are listed and left alone until the trader adopts, cancels or
// ignores them; new orders wait until it has succeeded.
import { afterEach, describe, expect, it } from 'vitest';
import { Order } from '../../src/model/order';
import { liveRig, SYM, until, type LiveRig } from './live-rig';

const rigs: LiveRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

describe('reconciling a live desk with its exchange', () => {
  it('after a restart: applies what it missed once, lists external orders, keeps trading off until done, adopts on request', async () => {
    const first = await liveRig({ profile: { notFoundFinalAfterMs: 2_000 } });
    first.session.start();
    await until(() => first.session.status.state === 'ready', 10_000, 'first reconciliation');
    const price = await first.refresh();
    const resting = first.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    const cancelledAway = first.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.02, price: Math.round(price * 0.7) });
    if (!resting.ok || !cancelledAway.ok) throw new Error('refused');
    await until(() => first.store.order(resting.orderId)!.status === 'accepted' && first.store.order(cancelledAway.orderId)!.status === 'accepted', 5_000, 'acknowledged');
    // Crashes at two steps of the order path, written as they leave the journal:
    // PENDING stored, never sent; and PENDING stored and sent (a market buy, filled at once), never acknowledged.
    const now = Date.now();
    const ids = [first.ids.next('order'), first.ids.next('order')] as const;
    const pendingOnly = new Order(ids[0], ids[0], { symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8), ledger: 'manual' }, now - 5_000);
    const sentUnacked = new Order(ids[1], ids[1], { symbol: SYM, side: 'buy', type: 'market', qty: 0.03, ledger: 'manual' }, now);
    for (const o of [pendingOnly, sentUnacked]) {
      o.transition('submitted', o.createdAt);
      first.store.saveOrder(o.snapshot());
    }
    await first.client.once('create', (ex) => ex.createOrder('BTC/USDT', 'market', 'buy', 0.03, undefined, { newClientOrderId: sentUnacked.id }));
    await first.close({ keepSim: true, keepDir: true });

    // While Keel is down: one of its orders is cancelled on the exchange's website, and the trader places one by hand.
    const sim = first.sim;
    const acct = sim.broker.account(first.account().apiKey);
    const away = [...acct.orders.values()].find((o) => o.clientOrderId === cancelledAway.orderId)!;
    const admin = await liveRig({ simulator: sim, tag: 'zzz' });
    await admin.client.once('cancel', (ex) => ex.cancelOrder(String(away.orderId), 'BTC/USDT'));
    const manual = await admin.client.once('external', (ex) => ex.createOrder('BTC/USDT', 'limit', 'sell', 0.05, Math.round(price * 1.5), { newClientOrderId: 'web_handplaced_1' }));
    await admin.close({ keepSim: true });

    const second = await liveRig({ simulator: sim, dir: first.dir, profile: { notFoundFinalAfterMs: 2_000 } });
    rigs.push(second);
    // Not reconciled yet: nothing new goes out.
    await second.refresh();
    expect(second.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) })).toMatchObject({ ok: false, check: 'not_reconciled' });
    second.session.start();
    await until(() => second.session.status.state === 'ready', 15_000, 'reconciled after the restart');
    const o = (id: string) => second.store.order(id)!;
    expect(o(resting.orderId).status).toBe('accepted');
    expect(o(cancelledAway.orderId)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/found by reconciliation/) });
    expect(o(pendingOnly.id)).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/never reached the exchange/) });
    expect(o(sentUnacked.id)).toMatchObject({ status: 'filled', venueOrderId: expect.any(String) });
    const fills = second.store.fills(sentUnacked.id);
    expect(fills.length).toBeGreaterThan(0);
    // Deterministic ids: a fill is named by the exchange's trade id, so finding it again is the same fill.
    expect(fills.every((f) => f.id === `fill:${f.venueTradeId}`)).toBe(true);
    expect(second.desk.ledgers.qty('manual', SYM)).toBeCloseTo(0.03, 10);
    const report = second.session.status.report!;
    expect(report.external.map((x) => [x.clientOrderId, x.external, x.qty])).toEqual([['web_handplaced_1', true, 0.05]]);
    // Left alone: still open at the exchange.
    expect([...acct.orders.values()].find((x) => x.clientOrderId === 'web_handplaced_1')!.status).toBe('NEW');
    // The external order's sell locks BTC but the totals are what the fills account for.
    expect(report.balances).toEqual([]);

    // A second reconciliation finds nothing more to do: nothing applied twice.
    const again = await second.session.reconcile();
    expect(again).toMatchObject({ acknowledged: 0, fills: 0, closed: 0 });
    expect(second.store.fills(sentUnacked.id)).toHaveLength(fills.length);

    // The trader adopts the external order: it is worked like any other from now on.
    const adopted = await second.session.adopt('web_handplaced_1');
    expect(adopted).toMatchObject({ id: `ext-${manual.id}`, status: 'accepted', ledger: 'manual', owner: 'adopted' });
    expect(second.session.status.report!.external).toEqual([]);
    expect(second.desk.cancel(adopted.id)).toBe(true);
    await until(() => second.store.order(adopted.id)!.status === 'cancelled', 5_000, 'adopted order cancelled');
    expect(second.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) }).ok).toBe(true);
  });

  it('after the user stream drops: holds new orders, reconciles again when it is back', async () => {
    const r = await liveRig();
    rigs.push(r);
    r.session.start();
    await until(() => r.session.status.state === 'ready', 10_000, 'reconciled');
    const firstAt = r.session.status.report!.at;
    const price = await r.refresh();
    r.sim.dropWebsockets(1_500);
    await until(() => r.session.status.state !== 'ready', 5_000, 'held');
    expect(r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) })).toMatchObject({ ok: false });
    await until(() => r.session.status.state === 'ready' && r.session.status.report!.at > firstAt, 15_000, 'reconciled again');
    expect(r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) }).ok).toBe(true);
  });
});
