import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager } from '../../src/execution/order-manager';
import { NO_JOURNAL, type OrderEvent, type PreTradeRisk, type Venue, type VenueCallbacks } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import type { Order } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { NO_AMEND, SYM, harness } from './harness';

/** A venue that cannot amend and answers only when the test says so, as a live exchange without editOrder. */
function cancelReplaceRig(risk: PreTradeRisk = { check: (request) => ({ ok: true, request }) }) {
  let cb: VenueCallbacks | undefined;
  const sent: string[] = [];
  const venue: Venue = {
    kind: 'live',
    name: 'no-amend',
    capabilities: NO_AMEND,
    connect: (c) => (cb = c),
    submit: (o) => sent.push(`submit ${o.id} ${o.price}`),
    cancel: (o) => sent.push(`cancel ${o.id}`),
  };
  const clock = new SimulatedClock(1_000);
  const om = new OrderManager(clock, new SequentialIds(), risk, NO_JOURNAL, venue, new Account(100_000), [researchInstrument(SYM)]);
  const events: OrderEvent[] = [];
  om.onEvent((e) => events.push(e));
  return { om, events, sent, cb: () => cb!, clock };
}

describe('modifying a working order', () => {
  it('amends in place where the venue can: the new price works from the next bar', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const r = h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    if (!r.ok) throw new Error('refused');
    expect(h.om.modify(r.orderId, { price: 99 })).toEqual({ ok: true, orderId: r.orderId, mode: 'amend' });
    expect(h.events.at(-1)).toMatchObject({ kind: 'modified', order: { id: r.orderId, price: 99 }, changes: { price: 99 } });
    h.bar(100, 101, 98.5, 100); // reaches 99, not 95
    expect(h.fills()).toMatchObject([{ price: 99, qty: 1 }]);
  });

  it('refuses what cannot apply: no price on a market order, a quantity at or below what filled, a finished order', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const stop = h.om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1, stopPrice: 90 });
    if (!stop.ok) throw new Error('refused');
    expect(h.om.modify(stop.orderId, { price: 91 })).toMatchObject({ ok: false, check: 'modify', reason: 'a stop order has no limit price to change' });
    expect(h.om.modify(stop.orderId, { qty: 0 })).toMatchObject({ ok: false, reason: 'quantity must be a positive number, got 0' });
    expect(h.om.modify(stop.orderId, {})).toMatchObject({ ok: false, reason: /nothing to change/ });
    h.om.cancel(stop.orderId);
    expect(h.om.modify(stop.orderId, { stopPrice: 91 })).toMatchObject({ ok: false, reason: `order ${stop.orderId} is not working` });
  });

  it('checks the order as it would become, leaving the order itself out of the book', () => {
    const clock = new SimulatedClock(Date.UTC(2024, 0, 1));
    const risk = new RiskEngine({ clock, limits: { maxPositionNotional: 1_500, maxOrderNotional: 1e9, priceCollarPct: 50, duplicateWindowMs: 1_000 } });
    const h = harness({ risk });
    h.bar(100, 101, 99, 100);
    const r = h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 10, price: 95 });
    if (!r.ok) throw new Error(r.reason);
    // 14 @ 95 stays under 1,500 once the old 10 is left out (counted twice it would be 2,280), and is no duplicate of itself.
    expect(h.om.modify(r.orderId, { qty: 14 })).toMatchObject({ ok: true, mode: 'amend' });
    expect(h.om.modify(r.orderId, { qty: 20 })).toMatchObject({ ok: false, check: 'max_position' });
    expect(h.events.at(-1)).toMatchObject({ kind: 'denied', request: { amends: r.orderId, qty: 20 } });
    expect(h.om.get(r.orderId)?.qty).toBe(14);
  });

  it('cancel-replace where the venue cannot amend: the replacement goes out only once the cancel is confirmed', () => {
    const { om, events, sent, cb, clock } = cancelReplaceRig();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 2, price: 95, tag: 'entry', ledger: 'trend-1' });
    if (!r.ok) throw new Error('refused');
    cb().accepted(r.orderId, clock.now());
    expect(om.modify(r.orderId, { price: 97 })).toEqual({ ok: true, orderId: r.orderId, mode: 'replace' });
    expect(sent).toEqual([`submit ${r.orderId} 95`, `cancel ${r.orderId}`]);
    // A second change while the first is in flight is refused rather than queued behind it.
    expect(om.modify(r.orderId, { price: 98 })).toMatchObject({ ok: false, reason: /being cancelled/ });
    cb().cancelled(r.orderId, clock.now());
    const replacement = om.workingOrders().find((o: Order) => o.replaces === r.orderId)!;
    expect(replacement).toMatchObject({ price: 97, qty: 2, tag: 'entry', ledger: 'trend-1' });
    expect(sent.at(-1)).toBe(`submit ${replacement.id} 97`);
    expect(events.find((e) => e.kind === 'cancelled')).toMatchObject({ reason: 'replaced: price 97' });
  });

  it('cancel-replace after a partial fill replaces only what had not filled', () => {
    const { om, sent, cb, clock } = cancelReplaceRig();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 2, price: 95 });
    if (!r.ok) throw new Error('refused');
    cb().accepted(r.orderId, clock.now());
    om.modify(r.orderId, { price: 97, qty: 3 });
    cb().filled(r.orderId, { qty: 0.5, price: 95, fee: 0, liquidity: 'maker', ts: clock.now() });
    cb().cancelled(r.orderId, clock.now());
    expect(om.workingOrders().find((o: Order) => o.replaces === r.orderId)).toMatchObject({ qty: 2.5, price: 97 });
    expect(sent).toHaveLength(3);
  });

  it('cancel-replace when the order fills before the cancel lands: no replacement, and the trader is told', () => {
    const { om, events, sent, cb, clock } = cancelReplaceRig();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    if (!r.ok) throw new Error('refused');
    cb().accepted(r.orderId, clock.now());
    om.modify(r.orderId, { price: 97 });
    cb().filled(r.orderId, { qty: 1, price: 95, fee: 0, liquidity: 'maker', ts: clock.now() });
    cb().cancelRejected(r.orderId, 'order already filled', clock.now());
    expect(sent).toHaveLength(2); // no second submit
    expect(om.workingOrders()).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'accepted', 'filled', 'modify_rejected']);
    expect(events.at(-1)).toMatchObject({ reason: 'the order was filled before it could be replaced', changes: { price: 97 } });
  });

  it('a cancel the venue refuses leaves the order working and able to change again', () => {
    const { om, events, cb, clock } = cancelReplaceRig();
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    if (!r.ok) throw new Error('refused');
    cb().accepted(r.orderId, clock.now());
    om.cancel(r.orderId);
    cb().cancelRejected(r.orderId, 'exchange busy', clock.now());
    expect(events.at(-1)).toMatchObject({ kind: 'cancel_rejected', reason: 'exchange busy', order: { status: 'accepted' } });
    expect(om.modify(r.orderId, { price: 96 })).toMatchObject({ ok: true, mode: 'replace' });
  });
});
