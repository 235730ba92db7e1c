// The live venue on ccxt against the exchange simulator on 127.0.0.1, with faults: the order
// path's rules (PENDING before send, one create per client id, UNKNOWN resolved by lookup,
// cancel retried once, fills deduplicated, overfills refused, precision before send, 429).
import { afterEach, describe, expect, it } from 'vitest';
import { researchInstrument } from '../../src/model/instrument';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { KEY, liveRig, SECRET, SYM, until, type LiveRig } from './live-rig';

const rigs: LiveRig[] = [];
afterEach(async () => {
  while (rigs.length) await rigs.pop()!.close();
});

async function rig(o: Parameters<typeof liveRig>[0] = {}): Promise<LiveRig> {
  const r = await liveRig(o);
  rigs.push(r);
  r.session.start();
  await until(() => r.session.status.state === 'ready' && r.venue.notReady() === undefined, 10_000, 'reconciled, the user stream up');
  return r;
}

const orderRow = (r: LiveRig, id: string) => r.store.order(id)!;

describe('the live venue against the simulator', () => {
  it('stores each order PENDING before it is sent, sends its prefixed client id once, and is told its fate', async () => {
    const r = await rig();
    const atSend: { cid: string; status: string | undefined }[] = [];
    r.sim.refuse = (path, params) => {
      if (path === '/api/v3/order' && params.newClientOrderId && params.side) atSend.push({ cid: params.newClientOrderId, status: r.store.order(params.newClientOrderId)?.status });
      return false;
    };
    const price = await r.refresh();
    const placed = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    expect(placed.ok).toBe(true);
    if (!placed.ok) return;
    const id = placed.orderId;
    expect(id).toMatch(/^kabc-[0-9a-z]{7}-1$/);
    await until(() => orderRow(r, id).status === 'accepted', 5_000, 'acknowledged');
    expect(atSend).toEqual([{ cid: id, status: 'submitted' }]);
    expect(orderRow(r, id)).toMatchObject({ clientOrderId: id, venueOrderId: expect.any(String) });

    expect(r.desk.cancel(id)).toBe(true);
    await until(() => orderRow(r, id).status === 'cancelled', 5_000, 'cancelled');

    const m = r.desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 0.02 });
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    await until(() => orderRow(r, m.orderId).status === 'filled', 5_000, 'filled');
    const fills = r.store.fills(m.orderId);
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.every((f) => f.venueTradeId?.startsWith('BTC/USDT:'))).toBe(true);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBeCloseTo(0.02, 10);
    expect(r.desk.ledgers.qty('manual', SYM)).toBeCloseTo(0.02, 10);
    for (const [cid, n] of r.account().clientIdsSeen) expect(n, cid).toBe(1);
  });

  it('a create that times out after the exchange accepted it is UNKNOWN, found by its client id, never sent again', async () => {
    // No user stream to settle it first (polling, rarely): the lookup by client id must.
    const r = await rig({ sim: { faults: { timeoutAfterAccept: 1 } }, timeoutMs: 800, venue: { userStream: 'poll', pollMs: 60_000 } });
    const price = await r.refresh();
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
    await until(() => r.logs.some((l) => l.includes('is UNKNOWN')), 5_000, 'UNKNOWN');
    expect(orderRow(r, p.orderId).status).toBe('submitted');
    r.sim.faults.set({ timeoutAfterAccept: 0 });
    await until(() => orderRow(r, p.orderId).status === 'accepted', 10_000, 'found by lookup');
    expect(r.sim.faults.injected['timeout-after-accept']).toBe(1);
    expect(r.account().clientIdsSeen.get(p.orderId)).toBe(1);
    expect(r.requests('POST', '/api/v3/order').filter((q) => q.params.newClientOrderId === p.orderId)).toHaveLength(1);
  });

  it('a create answered 5xx that never reached the exchange is given up only after not-found is final', async () => {
    const r = await rig({ profile: { notFoundFinalAfterMs: 1_500 } });
    const price = await r.refresh();
    r.sim.refuse = (path, params) => path === '/api/v3/order' && params.side !== undefined;
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
    await until(() => r.logs.some((l) => l.includes('is UNKNOWN')), 5_000, 'UNKNOWN');
    r.sim.refuse = undefined;
    // Looked up (not found) while young, then given up: rejected, and never sent a second time.
    await until(() => orderRow(r, p.orderId).status === 'rejected', 10_000, 'given up');
    expect(orderRow(r, p.orderId).reason).toMatch(/never reached the exchange/);
    expect(r.requests('POST', '/api/v3/order').filter((q) => q.params.newClientOrderId === p.orderId)).toHaveLength(1);
    expect(r.requests('GET', '/api/v3/order').filter((q) => q.params.origClientOrderId === p.orderId).length).toBeGreaterThan(0);
  });

  it('a cancel is retried once; OrderNotFound is confirmed by a fetch', async () => {
    const r = await rig({ venue: { userStream: 'poll', pollMs: 60_000 } });
    const price = await r.refresh();
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'accepted', 5_000, 'acknowledged');
    const deletes = () => r.requests('DELETE', '/api/v3/order').filter((q) => q.params.orderId === orderRow(r, p.orderId).venueOrderId);

    // Every request about the order by its venue id is answered 503 (the cancel, and the fetch after it).
    r.sim.refuse = (path, params) => path === '/api/v3/order' && params.orderId !== undefined && params.side === undefined;
    r.desk.cancel(p.orderId);
    await until(() => r.logs.some((l) => l.includes('trying once more')), 5_000, 'the retry');
    await until(() => r.logs.some((l) => l.includes('status of')), 8_000, 'the cancel refused, the state asked for');
    expect(deletes()).toHaveLength(2);
    r.sim.refuse = undefined;
    expect(orderRow(r, p.orderId).status).toBe('accepted');

    // Cancelled behind Keel's back (the exchange's website): the cancel meets "unknown order", and a fetch says what became of it.
    const venueId = orderRow(r, p.orderId).venueOrderId!;
    await r.client.once('cancel', (ex) => ex.cancelOrder(venueId, 'BTC/USDT'));
    r.desk.cancel(p.orderId);
    await until(() => orderRow(r, p.orderId).status === 'cancelled', 8_000, 'cancel confirmed by fetch');
  });

  it('fills sent twice and out of order on the user stream are applied once each', async () => {
    const r = await rig({ sim: { faults: { duplicateFill: 1, outOfOrderFills: 1 } } });
    await r.refresh();
    const book = await r.client.read('book', (ex) => ex.fetchOrderBook('BTC/USDT', 5));
    const qty = Math.round((book.asks[0]![1]! + book.asks[1]![1]! + book.asks[2]![1]! / 2) * 1e5) / 1e5;
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'market', qty });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'filled', 8_000, 'filled');
    await new Promise((res) => setTimeout(res, 500));
    const fills = r.store.fills(p.orderId);
    expect(new Set(fills.map((f) => f.venueTradeId)).size).toBe(fills.length);
    expect(fills.length).toBe(r.account().trades.filter((t) => t.orderId === Number(orderRow(r, p.orderId).venueOrderId)).length);
    expect(r.sim.faults.injected['dup-fill']).toBeGreaterThan(0);
    expect(r.desk.ledgers.qty('manual', SYM)).toBeCloseTo(qty, 9);
  });

  it('refuses an overfill: the journal keeps the order as filled, the fill is not applied, trading stops', async () => {
    const r = await rig();
    await r.refresh();
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 0.01 });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'filled', 5_000, 'filled');
    const before = r.store.fills(p.orderId).length;
    // A report of one more execution than the order had, as a faulty exchange might send.
    (r.desk as unknown as { orders: { venueReports: { filled: (id: string, f: object) => void } } }).orders.venueReports.filled(p.orderId, { qty: 0.01, price: 1, fee: 0, liquidity: 'taker', ts: Date.now(), venueTradeId: 'BTC/USDT:999999999' });
    expect(r.store.fills(p.orderId)).toHaveLength(before);
    expect(r.desk.ledgers.qty('manual', SYM)).toBeCloseTo(0.01, 10);
    expect(r.risk.killSwitch.engaged).toBe(true);
  });

  it('rounds to the market before anything is sent, and refuses what is below its minimums', async () => {
    const r = await rig();
    const price = await r.refresh();
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.0123456789, price: Math.round(price * 0.8) + 0.004321 });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'accepted', 5_000, 'acknowledged');
    const sent = r.requests('POST', '/api/v3/order').find((q) => q.params.newClientOrderId === p.orderId)!;
    expect(sent.params.quantity).toBe('0.01234');
    expect(Number(sent.params.price)).toBe(Math.round(price * 0.8));
    const small = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.0001, price: 1_000 });
    expect(small).toMatchObject({ ok: false, reason: expect.stringMatching(/notional .* below/) });
    expect(r.requests('POST', '/api/v3/order')).toHaveLength(1);
  });

  it('the venue refuses an order off the market precision itself, without a request (a desk that did not round)', async () => {
    const r = await rig({ instruments: (own) => own.map((i) => ({ ...researchInstrument(i.symbol), base: i.base, quote: i.quote })) });
    const price = await r.refresh();
    // The venue says so before it awaits anything: the place itself answers with the refusal.
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.0123456789, price: Math.round(price * 0.8) });
    expect(p).toMatchObject({ ok: false, reason: expect.stringMatching(/quantity 0.0123456789 is off BTC\/USDT's precision .*: not sent/) });
    expect(r.store.orders('all').map((o) => o.status)).toEqual(['rejected']);
    expect(r.requests('POST', '/api/v3/order')).toHaveLength(0);
  });

  it('a 429 refuses the create (it was not placed) and holds the next request for its Retry-After', async () => {
    const r = await rig({ venue: { userStream: 'poll', pollMs: 60_000 } });
    const price = await r.refresh();
    r.sim.faults.set({ rate429: 1, retryAfterSec: 1 });
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'rejected', 5_000, 'rejected');
    const refusedAt = Date.now();
    r.sim.faults.set({ rate429: 0 });
    expect(orderRow(r, p.orderId).reason).toMatch(/refused it/);
    const q = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!q.ok) throw new Error(q.reason);
    await until(() => orderRow(r, q.orderId).status === 'accepted', 5_000, 'acknowledged');
    const sent = r.requests('POST', '/api/v3/order').find((x) => x.params.newClientOrderId === q.orderId)!;
    expect(sent.at - refusedAt).toBeGreaterThan(700);
    expect(r.account().clientIdsSeen.get(p.orderId)).toBeUndefined();
  });
});

describe('the kill switch on a live desk', () => {
  it('cancels every working order at the exchange and the strays of this instance; leaves external orders alone', async () => {
    const r = await rig();
    const price = await r.refresh();
    const a = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    const b = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.02, price: Math.round(price * 0.7) });
    if (!a.ok || !b.ok) throw new Error('refused');
    await until(() => r.store.orders('working').every((o) => o.status === 'accepted') || undefined, 5_000, 'acknowledged');
    // An order under this instance's prefix that this journal does not hold (another run's), and one placed by hand.
    await r.client.once('stray', (ex) => ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, Math.round(price * 0.6), { newClientOrderId: `${r.ids.prefix}old-1` }));
    await r.client.once('external', (ex) => ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, Math.round(price * 0.6), { newClientOrderId: 'web_by_hand' }));
    r.risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    const open = () => r.account().openOrders().map((o) => o.clientOrderId);
    await until(() => open().length === 1 || undefined, 8_000, 'cancelled at the exchange');
    expect(open()).toEqual(['web_by_hand']);
    await until(() => r.store.orders('working').length === 0 || undefined, 5_000, 'journal');
    expect([r.store.order(a.orderId)!.status, r.store.order(b.orderId)!.status]).toEqual(['cancelled', 'cancelled']);
    expect(r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) })).toMatchObject({ ok: false });
  });
});

describe('the kill switch and orders in flight at the exchange', () => {
  it('orders whose creates the exchange takes late and never answers, caught by the kill switch before any acknowledgement, end cancelled there', async () => {
    const r = await rig();
    const price = await r.refresh();
    // Every create reaches the book 600 ms late and its answer is dropped: the kill switch's
    // cancels (by client id) arrive first and find nothing; the orders are UNKNOWN until the
    // user stream or a lookup finds them open.
    r.sim.faults.set({ holdCreateMs: 600, timeoutAfterAccept: 1 });
    const ids = [0.8, 0.75, 0.7].map((k, i) => {
      const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01 + i * 0.001, price: Math.round(price * k) });
      if (!p.ok) throw new Error(`refused: ${p.reason}`);
      return p.orderId;
    });
    r.risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    expect(ids.map((id) => r.store.order(id)).map((o) => [o?.status, o?.cancelRequested])).toEqual([
      ['submitted', true],
      ['submitted', true],
      ['submitted', true],
    ]);
    const created = () => r.requests('POST', '/api/v3/order').filter((q) => ids.includes(q.params.newClientOrderId ?? '')).length;
    await until(() => created() === 3 || undefined, 5_000, 'the creates taken by the exchange');
    r.sim.faults.set({ holdCreateMs: 0, timeoutAfterAccept: 0 });
    const mine = () => [...r.account().orders.values()].filter((o) => ids.includes(o.clientOrderId));
    await until(() => (mine().length === 3 && mine().every((o) => o.status === 'CANCELED')) || undefined, 10_000, 'cancelled at the exchange');
    expect(r.account().openOrders()).toEqual([]);
    await until(() => r.store.orders('working').length === 0 || undefined, 5_000, 'the journal settled');
    expect(ids.map((id) => r.store.order(id)?.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // Each was sent once: following it up is a cancel, never a second create.
    expect([...r.account().clientIdsSeen].filter(([cid, n]) => ids.includes(cid) && n > 1)).toEqual([]);
  });

  it('an order whose cancel the exchange refused stays in the sweep: the engaged kill switch cancels it again once the exchange answers', async () => {
    const r = await rig({ venue: { userStream: 'poll', pollMs: 60_000 } });
    const price = await r.refresh();
    const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
    await until(() => orderRow(r, p.orderId).status === 'accepted', 5_000, 'acknowledged');
    // The cancel, its retry and the fetch after them are all answered 503.
    r.sim.refuse = (path, params) => path === '/api/v3/order' && params.orderId !== undefined && params.side === undefined;
    r.risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    await until(() => r.logs.some((l) => l.includes('status of')), 8_000, 'the cancel refused');
    expect(orderRow(r, p.orderId).status).toBe('accepted');
    r.sim.refuse = undefined;
    await until(() => orderRow(r, p.orderId).status === 'cancelled' || undefined, 8_000, 'cancelled by the sweep');
    expect(r.logs.some((l) => l.includes(`${p.orderId} is still working`))).toBe(true);
    expect(r.account().openOrders()).toEqual([]);
  });

  it('with flatten, sends the reducing order at the exchange: the balance ends where it was less the fees, and the working orders are cancelled there', async () => {
    const r = await rig();
    const price = await r.refresh();
    const btc = () => {
      const b = r.account().balance('BTC');
      return b.free + b.locked;
    };
    const before = btc();
    const buy = r.desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 0.02 });
    if (!buy.ok) throw new Error(`refused: ${buy.reason}`);
    await until(() => r.store.order(buy.orderId)?.status === 'filled' || undefined, 5_000, 'bought');
    const resting = r.desk.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 0.01, price: Math.round(price * 1.3) });
    if (!resting.ok) throw new Error(`refused: ${resting.reason}`);
    await until(() => r.store.order(resting.orderId)?.status === 'accepted' || undefined, 5_000, 'resting');
    const fee = r.store.fills(buy.orderId).reduce((s, f) => s + (f.feeAsset === 'BTC' ? (f.feeNative ?? 0) : 0), 0);
    expect(btc()).toBeCloseTo(before + 0.02 - fee, 8);

    r.risk.killSwitch.engage({ reason: 'test', flatten: true, actor: 'test' });
    await until(() => (r.desk.ledgers.qty('manual', SYM) === 0 && r.store.orders('working').length === 0) || undefined, 8_000, 'flat, nothing working');
    const flatten = r.store.orders('all').find((o) => o.owner === 'flatten')!;
    expect(flatten).toMatchObject({ side: 'sell', type: 'market', qty: 0.02, status: 'filled', reduceOnly: true });
    expect(r.store.order(resting.orderId)?.status).toBe('cancelled');
    expect(r.account().openOrders()).toEqual([]);
    expect(btc()).toBeCloseTo(before - fee, 8);
    const last = await r.session.reconcile();
    expect(last?.balances).toEqual([]);
  });
});

describe('a desk stopped while a create is out', () => {
  it('drops the late answer instead of writing to its closed journal; the next start records the order from the exchange', async () => {
    const sim = await ExchangeSimulator.start({ historyBars: 200, tradesPerSecond: 20, rateLimit: false, keys: { [KEY]: SECRET }, seed: 7 });
    const dir = mkdtempSync(join(tmpdir(), 'keel-live-stop-'));
    try {
      const r = await liveRig({ simulator: sim, dir });
      r.session.start();
      await until(() => r.session.status.state === 'ready' && r.venue.notReady() === undefined, 10_000, 'reconciled');
      const price = await r.refresh();
      sim.faults.set({ holdCreateMs: 800 });
      const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
      if (!p.ok) throw new Error(p.reason);
      await until(() => sim.requests.some((q) => q.path === '/api/v3/order' && q.params.newClientOrderId === p.orderId) || undefined, 5_000, 'the create sent');
      await r.close({ keepSim: true, keepDir: true });
      sim.faults.set({ holdCreateMs: 0 });
      await until(() => sim.broker.account(KEY).openOrders().some((o) => o.clientOrderId === p.orderId) || undefined, 5_000, 'the order open at the exchange');
      await new Promise((res) => setTimeout(res, 300));
      expect(r.logs.filter((l) => l.startsWith('error'))).toEqual([]);

      const again = await liveRig({ simulator: sim, dir });
      try {
        again.session.start();
        await until(() => again.store.order(p.orderId)?.status === 'accepted' || undefined, 10_000, 'recorded by reconciliation');
        expect(sim.broker.account(KEY).clientIdsSeen.get(p.orderId)).toBe(1);
      } finally {
        await again.close({ keepSim: true, keepDir: true });
      }
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('REST polling where there is no websocket user stream', () => {
  it('fills reach the desk by polling alone, each once, and a later snapshot finds nothing to add', async () => {
    // The exchange refuses user-stream websockets, and its ccxt adapter says it has none: the venue polls.
    const r = await liveRig({ sim: { userStream: false }, venue: { pollMs: 250 } });
    rigs.push(r);
    (r.client.ex.has as Record<string, unknown>).watchOrders = false;
    r.session.start();
    await until(() => r.session.status.state === 'ready' && r.venue.notReady() === undefined, 10_000, 'reconciled, polling');
    expect(r.venue.userStream).toMatchObject({ state: 'polling', transport: 'polling' });
    const price = await r.refresh();
    const limit = Math.round(price * 0.9);
    const placed = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.02, price: limit });
    if (!placed.ok) throw new Error(`refused: ${placed.reason}`);
    await until(() => r.store.order(placed.orderId)?.status === 'accepted' || undefined, 5_000, 'acknowledged');
    // Prints through the limit at the exchange: the order fills there, and nothing is pushed to Keel.
    const sym = r.sim.symbol('BTC/USDT');
    const print = (id: number, qty: number) => r.sim.broker.onMarketTrades(sym, [{ id, ts: r.sim.clock.now(), price: limit - 1, qty, buyerMaker: false }]);
    print(9_000_001, 0.005);
    await until(() => r.store.fills(placed.orderId).length === 1 || undefined, 5_000, 'the first fill, polled');
    expect(r.store.order(placed.orderId)).toMatchObject({ status: 'partially_filled', filledQty: 0.005 });
    // Several polls later the same trade has not been handed on again.
    const polls = () => r.requests('GET', '/api/v3/myTrades').length;
    const after = polls();
    await until(() => polls() >= after + 3 || undefined, 5_000, 'three more polls');
    const om = r.desk.orders;
    expect(om.duplicateFills).toBe(0);
    // A snapshot (what reconciliation takes after a reconnect) holds the same trade: nothing is added.
    const snap = await r.session.reconcile();
    expect(snap).toMatchObject({ fills: 0 });
    print(9_000_002, 0.015);
    await until(() => r.store.order(placed.orderId)?.status === 'filled' || undefined, 5_000, 'filled, polled');
    expect(r.store.fills(placed.orderId).map((f) => f.qty)).toEqual([0.005, 0.015]);
    expect(r.desk.ledgers.qty('manual', SYM)).toBeCloseTo(0.02, 10);
    expect(r.account().trades.filter((t) => t.orderId === Number(r.store.order(placed.orderId)!.venueOrderId)).length).toBe(2);
    // No user-stream socket ever carried anything: polling alone did it.
    expect(r.sim.requests.some((q) => q.path === '/api/v3/userDataStream')).toBe(false);
  });
});
