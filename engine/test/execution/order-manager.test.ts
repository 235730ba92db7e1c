import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager } from '../../src/execution/order-manager';
import type { OrderEvent, OrderJournal, PreTradeRisk, Venue, VenueCallbacks } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import type { Fill } from '../../src/model/fill';
import { researchInstrument } from '../../src/model/instrument';
import type { Order } from '../../src/model/order';
import { NO_AMEND, SYM, harness } from './harness';

/** A venue that only records what reaches it, in a log shared with the journal. */
function recordingSetup(risk: PreTradeRisk = { check: (request) => ({ ok: true, request }) }) {
  const log: string[] = [];
  let cb: VenueCallbacks | undefined;
  const venue: Venue = {
    kind: 'simulated',
    name: 'recording',
    capabilities: NO_AMEND,
    connect: (c) => (cb = c),
    submit: (o) => log.push(`venue.submit ${o.clientOrderId} ${o.status}`),
    cancel: (o) => {
      log.push(`venue.cancel ${o.id}`);
      cb!.cancelled(o.id, 0);
    },
  };
  const journal: OrderJournal = {
    orderChanged: (o) => log.push(`journal.order ${o.clientOrderId} ${o.status}`),
    fillAdded: (f) => log.push(`journal.fill ${f.clientOrderId} ${f.qty}@${f.price}`),
  };
  const clock = new SimulatedClock(1_000);
  const account = new Account(10_000);
  const om = new OrderManager(clock, new SequentialIds(), risk, journal, venue, account, [researchInstrument(SYM)]);
  const events: OrderEvent[] = [];
  om.onEvent((e) => events.push(e));
  return { log, om, account, events, callbacks: () => cb!, clock };
}

describe('OrderManager', () => {
  it('persists the order (as submitted, with its client order id) before the venue sees it', () => {
    const { log, om } = recordingSetup();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 100, clientOrderId: 'my-1' });
    expect(r).toEqual({ ok: true, orderId: 'order-1' });
    expect(log).toEqual(['journal.order my-1 submitted', 'venue.submit my-1 submitted']);
  });

  it('a risk denial emits a denied event with the reason, and nothing reaches the journal or the venue', () => {
    const { log, om, events } = recordingSetup({ check: () => ({ ok: false, check: 'max-notional', reason: 'order notional 1000000 exceeds 50000' }) });
    const req = { symbol: SYM, side: 'buy' as const, type: 'market' as const, qty: 10_000 };
    const r = om.place(req);
    expect(r).toEqual({ ok: false, check: 'max-notional', reason: 'order notional 1000000 exceeds 50000' });
    expect(log).toEqual([]);
    expect(events).toEqual([{ kind: 'denied', request: req, check: 'max-notional', reason: 'order notional 1000000 exceeds 50000', ts: 1_000 }]);
    expect(om.workingOrders()).toEqual([]);
  });

  it('sends the request risk returned (e.g. rounded), not the one it was given', () => {
    const { om } = recordingSetup({ check: (request) => ({ ok: true, request: { ...request, qty: 0.5 } }) });
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.5123, price: 100 });
    expect(r.ok && om.get(r.orderId)!.qty).toBe(0.5);
  });

  it('cancelling is always allowed, even while risk denies every new order', () => {
    let deny = false;
    const { om, log, events } = recordingSetup({ check: (request) => (deny ? { ok: false, check: 'kill-switch', reason: 'latched' } : { ok: true, request }) });
    const r = om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 200 });
    deny = true;
    expect(om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 200 }).ok).toBe(false);
    expect(om.cancel(r.ok ? r.orderId : '')).toBe(true);
    expect(log.at(-2)).toBe('venue.cancel order-1');
    expect(events.at(-1)).toMatchObject({ kind: 'cancelled', order: { id: 'order-1', status: 'cancelled' } });
    expect(om.workingOrders()).toEqual([]);
    expect(om.cancel('order-1')).toBe(false); // already final
  });

  it('cancelAll cancels only what the filter selects', () => {
    const { om } = recordingSetup();
    om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90, owner: 'a', source: 'strategy' });
    om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 91, owner: 'b', source: 'strategy' });
    om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 110, owner: 'a', source: 'strategy' });
    expect(om.cancelAll({ owner: 'a', side: 'buy' })).toBe(1);
    expect(om.workingOrders().map((o) => o.price)).toEqual([91, 110]);
    expect(om.cancelAll()).toBe(2);
  });

  it('a fill updates the order, the account, the journal (fill, then order) and risk, then tells listeners', () => {
    const seen: Fill[] = [];
    const { om, log, account, events, callbacks } = recordingSetup({ check: (request) => ({ ok: true, request }), onFill: (f) => seen.push(f) });
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 2, price: 100 });
    const id = r.ok ? r.orderId : '';
    callbacks().accepted(id, 1_000, 'v-1');
    callbacks().filled(id, { qty: 0.5, price: 100, fee: 0.05, liquidity: 'maker', ts: 2_000 });
    expect(om.get(id)!.status).toBe('partially_filled');
    callbacks().filled(id, { qty: 1.5, price: 99, fee: 0.1485, liquidity: 'maker', ts: 3_000 });
    const o = om.get(id);
    expect(o).toBeUndefined(); // final orders are let go
    expect(account.position(SYM).qty).toBe(2);
    expect(account.cash).toBeCloseTo(10_000 - 50 - 0.05 - 148.5 - 0.1485, 9);
    expect(seen.map((f) => f.qty)).toEqual([0.5, 1.5]);
    expect(log.slice(-2)).toEqual(['journal.fill order-1 1.5@99', 'journal.order order-1 filled']);
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'accepted', 'partially_filled', 'filled']);
    const last = events.at(-1) as Extract<OrderEvent, { fill: unknown }>;
    expect(last.order).toMatchObject({ status: 'filled', filledQty: 2, venueOrderId: 'v-1' });
    expect(last.order.avgFillPrice).toBeCloseTo(99.25, 12);
  });

  it('invalid transitions throw; a fill for an order that is final or unknown is refused loudly', () => {
    const { om, callbacks } = recordingSetup();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 100 });
    const id = r.ok ? r.orderId : '';
    const order = om.get(id) as Order;
    expect(() => order.transition('new', 0)).toThrow(KeelError);
    expect(() => order.transition('partially_filled', 0)).toThrow(/cannot go from submitted to partially_filled/);
    callbacks().cancelled(id, 5);
    expect(() => order.transition('accepted', 6)).toThrow(/cannot go from cancelled to accepted/);
    expect(() => callbacks().filled(id, { qty: 1, price: 100, fee: 0, liquidity: 'maker', ts: 7 })).toThrow(/fill of 1 @ 100 for unknown order/);
    callbacks().accepted(id, 8); // a late accept of a final order changes nothing
    expect(order.status).toBe('cancelled');
  });

  it('a malformed request throws BAD_INPUT naming what is wrong, before risk sees it', () => {
    let checked = 0;
    const { om } = recordingSetup({ check: (request) => (checked++, { ok: true, request }) });
    expect(() => om.place({ symbol: SYM, side: 'buy', type: 'market' })).toThrow(/exactly one of qty and quoteQty/);
    expect(() => om.place({ symbol: SYM, side: 'buy', type: 'market', qty: -1 })).toThrow(/qty must be a positive number, got -1/);
    expect(() => om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1 })).toThrow(/limit order needs a positive price/);
    expect(() => om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1 })).toThrow(/stop order needs a positive stopPrice/);
    expect(() => om.place({ symbol: 'ETH/USD', side: 'buy', type: 'market', qty: 1 })).toThrow(/no instrument "ETH\/USD"/);
    expect(checked).toBe(0);
  });

  it('is a RiskView: reference price from the last bar, the clock, working orders', () => {
    const { om, bar } = harness();
    expect(om.referencePrice(SYM)).toBeUndefined();
    bar(100, 101, 99, 100.5);
    expect(om.referencePrice(SYM)).toEqual({ price: 100.5, ts: om.now() });
    om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 50 });
    expect(om.workingOrders().map((o) => o.status)).toEqual(['accepted']);
    expect(om.instrument(SYM).symbol).toBe(SYM);
  });

  it('a venue that throws on submit leaves the order rejected, not working', () => {
    const clock = new SimulatedClock(0);
    const venue: Venue = { kind: 'live', name: 'down', capabilities: NO_AMEND, connect: () => {}, submit: () => { throw new Error('connection reset'); }, cancel: () => {} };
    const om = new OrderManager(clock, new SequentialIds(), { check: (request) => ({ ok: true, request }) }, { orderChanged: () => {}, fillAdded: () => {} }, venue, new Account(1), [researchInstrument(SYM)]);
    const r = om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    expect(r).toEqual({ ok: false, check: 'venue', reason: 'venue refused the order: connection reset' });
    expect(om.workingOrders()).toEqual([]);
  });

  it('a venue that rejects at once: the caller hears it from place() as well as from the event', () => {
    let cb: VenueCallbacks | undefined;
    const venue: Venue = { kind: 'simulated', name: 'picky', capabilities: NO_AMEND, connect: (c) => (cb = c), submit: (o) => cb!.rejected(o.id, 'price off the book', 0), cancel: () => {} };
    const om = new OrderManager(new SimulatedClock(0), new SequentialIds(), { check: (request) => ({ ok: true, request }) }, { orderChanged: () => {}, fillAdded: () => {} }, venue, new Account(1), [researchInstrument(SYM)]);
    const events: OrderEvent[] = [];
    om.onEvent((e) => events.push(e));
    expect(om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 1 })).toEqual({ ok: false, check: 'venue', reason: 'price off the book' });
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'rejected']);
  });
});
