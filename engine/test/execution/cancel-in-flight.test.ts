// A cancel asked for while an order is still on its way to the venue (not acknowledged, or
// UNKNOWN after a create that timed out) follows the order up: the order is cancelled the
// moment it is acknowledged, after a restart too; a fill before that is still booked. The venue
// here holds every acknowledgement back until the test releases it, and (as an exchange that
// cannot cancel by client id) refuses to cancel an order it has not acknowledged.
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { SimulatedScheduler } from '../../src/core/scheduler';
import { TradingDesk } from '../../src/desk/desk';
import { openLimits } from '../../src/desk/paper-run';
import { OrderManager } from '../../src/execution/order-manager';
import { PaperVenue } from '../../src/execution/paper/paper-venue';
import { NO_RISK, type OrderEvent, type Venue, type VenueCallbacks } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES, type Order } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { tempDbFile } from '../state/helpers';

const SYM = 'BTC/USDT';
const T0 = Date.UTC(2026, 0, 5, 10);

/** A persistent venue whose acknowledgements wait for the test; it cancels only what it has acknowledged. */
class HeldAckVenue implements Venue {
  readonly kind = 'live' as const;
  readonly name = 'held-ack';
  readonly capabilities = { amend: false, persistent: true, notFoundFinalAfterMs: 60_000 };
  cb!: VenueCallbacks;
  readonly submitted: Order[] = [];
  readonly cancels: string[] = [];
  private readonly acked = new Set<string>();
  private seq = 0;

  constructor(private readonly clock: SimulatedClock) {}

  connect(cb: VenueCallbacks): void {
    this.cb = cb;
  }

  submit(order: Order): void {
    this.submitted.push(order);
  }

  cancel(order: Order): void {
    this.cancels.push(order.id);
    if (!this.acked.has(order.id)) {
      this.cb.cancelRejected(order.id, 'not acknowledged yet', this.clock.now());
      return;
    }
    this.cb.cancelled(order.id, this.clock.now(), 'cancelled by request');
  }

  restore(): void {}

  /** The venue's acknowledgement arrives now. */
  ack(id: string): void {
    this.acked.add(id);
    this.cb.accepted(id, this.clock.now(), `v-${++this.seq}`);
  }
}

function manager(store: StateStore, clock: SimulatedClock, venue: HeldAckVenue) {
  const om = new OrderManager(clock, new SequentialIds(), NO_RISK, new SqliteOrderJournal(store), venue, new Account(100_000), [researchInstrument(SYM)]);
  const events: OrderEvent[] = [];
  om.onEvent((e) => events.push(e));
  return { om, events };
}

describe('a cancel of an order in flight', () => {
  it('cancelAll marks orders awaiting their acknowledgement in the journal, and cancels each the moment it is acknowledged', () => {
    const store = StateStore.open(tempDbFile());
    const clock = new SimulatedClock(T0);
    const venue = new HeldAckVenue(clock);
    const { om, events } = manager(store, clock, venue);
    const a = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 100 });
    const b = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 2, price: 99 });
    if (!a.ok || !b.ok) throw new Error('not placed');
    expect(om.cancelAll()).toBe(2);
    // The venue could not cancel them in flight: the request stands, durably, and is not reported as refused.
    expect(store.order(a.orderId)).toMatchObject({ status: 'submitted', cancelRequested: true });
    expect(store.order(b.orderId)).toMatchObject({ status: 'submitted', cancelRequested: true });
    expect(events.filter((e) => e.kind === 'cancel_rejected')).toEqual([]);
    venue.ack(a.orderId);
    expect(store.order(a.orderId)?.status).toBe('cancelled');
    expect(venue.cancels.filter((id) => id === a.orderId)).toHaveLength(2);
    expect(store.order(b.orderId)?.status).toBe('submitted');
    venue.ack(b.orderId);
    expect(store.order(b.orderId)?.status).toBe('cancelled');
    expect(om.workingOrders()).toEqual([]);
    expect(events.filter((e) => e.kind === 'accepted' || e.kind === 'cancelled').map((e) => `${e.kind} ${'order' in e ? e.order.id : ''}`)).toEqual([
      `accepted ${a.orderId}`,
      `cancelled ${a.orderId}`,
      `accepted ${b.orderId}`,
      `cancelled ${b.orderId}`,
    ]);
    store.close();
  });

  it('a fill that arrives before the acknowledgement is booked, and what is left is cancelled', () => {
    const store = StateStore.open(tempDbFile());
    const clock = new SimulatedClock(T0);
    const venue = new HeldAckVenue(clock);
    const { om } = manager(store, clock, venue);
    const a = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 3, price: 100 });
    if (!a.ok) throw new Error('not placed');
    om.cancelAll();
    // The exchange had the order and part of it traded before the cancel could reach it.
    venue['acked'].add(a.orderId);
    venue.cb.filled(a.orderId, { qty: 1, price: 100, fee: 0.1, liquidity: 'maker', ts: clock.now(), venueTradeId: 'BTCUSDT:1' });
    expect(store.fills(a.orderId).map((f) => f.qty)).toEqual([1]);
    expect(om.account.position(SYM).qty).toBe(1);
    expect(store.order(a.orderId)).toMatchObject({ status: 'cancelled', filledQty: 1 });
    store.close();
  });

  it('an order that was cancel-requested in flight and acknowledged after a restart is cancelled then', () => {
    const file = tempDbFile();
    const clock = new SimulatedClock(T0);
    let store = StateStore.open(file);
    let venue = new HeldAckVenue(clock);
    const first = manager(store, clock, venue);
    const a = first.om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 101 });
    if (!a.ok) throw new Error('not placed');
    first.om.cancelAll();
    store.close();

    // The engine restarts: the journal's working orders are worked again, and reconciliation finds this one open at the exchange.
    store = StateStore.open(file);
    venue = new HeldAckVenue(clock);
    const second = manager(store, clock, venue);
    const [restored] = second.om.restore(store.orders('working'), []);
    expect(restored).toMatchObject({ id: a.orderId, status: 'submitted', cancelRequested: true });
    expect(venue.cancels).toEqual([]);
    venue.ack(a.orderId);
    expect(venue.cancels).toEqual([a.orderId]);
    expect(store.order(a.orderId)?.status).toBe('cancelled');
    store.close();
  });

  it('after a restart, a working order whose cancel was not confirmed, or that the cancelOnAck rule refuses, is cancelled again', () => {
    const file = tempDbFile();
    const clock = new SimulatedClock(T0);
    let store = StateStore.open(file);
    const venue = new HeldAckVenue(clock);
    const first = manager(store, clock, venue);
    const asked = first.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90 });
    const other = first.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 91 });
    if (!asked.ok || !other.ok) throw new Error('not placed');
    venue.ack(asked.orderId);
    venue.ack(other.orderId);
    // The cancel went out and the engine died before the venue answered it.
    venue.cancel = () => {};
    first.om.cancel(asked.orderId);
    store.close();

    store = StateStore.open(file);
    const again = new HeldAckVenue(clock);
    for (const id of [asked.orderId, other.orderId]) again['acked'].add(id);
    let refuse = false;
    const om = new OrderManager(clock, new SequentialIds(), NO_RISK, new SqliteOrderJournal(store), again, new Account(100_000), [researchInstrument(SYM)], { cancelOnAck: () => refuse });
    om.restore(store.orders('working'), []);
    expect(again.cancels).toEqual([asked.orderId]);
    expect(store.order(other.orderId)?.status).toBe('accepted');
    // With the rule refusing (a kill switch engaged across the restart), every restored working order goes.
    refuse = true;
    const third = new HeldAckVenue(clock);
    third['acked'].add(other.orderId);
    const om3 = new OrderManager(clock, new SequentialIds(), NO_RISK, new SqliteOrderJournal(store), third, new Account(100_000), [researchInstrument(SYM)], { cancelOnAck: () => refuse });
    om3.restore(store.orders('working'), []);
    expect(third.cancels).toEqual([other.orderId]);
    expect(store.orders('working')).toEqual([]);
    store.close();
  });

  it('a cancel the venue refuses for an acknowledged order is withdrawn, and says so', () => {
    const store = StateStore.open(tempDbFile());
    const clock = new SimulatedClock(T0);
    const venue = new HeldAckVenue(clock);
    const { om, events } = manager(store, clock, venue);
    const a = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 100 });
    if (!a.ok) throw new Error('not placed');
    venue.ack(a.orderId);
    venue.cancel = (o) => venue.cb.cancelRejected(o.id, 'the exchange is busy', clock.now());
    om.cancel(a.orderId);
    expect(store.order(a.orderId)).toMatchObject({ status: 'accepted', cancelRequested: false });
    expect(events.at(-1)).toMatchObject({ kind: 'cancel_rejected', reason: 'the exchange is busy' });
    store.close();
  });
});

describe('the kill switch and orders acknowledged after it was engaged', () => {
  function desk(venue: Venue, clock: SimulatedClock) {
    const store = StateStore.open(tempDbFile());
    const d = new TradingDesk({
      clock,
      ids: new SequentialIds(),
      venue,
      risk: new RiskEngine({ clock, limits: openLimits() }),
      journal: new SqliteOrderJournal(store),
      instruments: [researchInstrument(SYM)],
      nativeTypes: new Set(ORDER_TYPES),
      persistence: store,
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    d.armKillSwitch();
    d.deposit(MANUAL_LEDGER, 100_000);
    return { d, store };
  }

  it('an order on its way when the kill switch is engaged is cancelled when acknowledged; the flatten it sends is left to work', () => {
    const clock = new SimulatedClock(T0);
    const venue = new HeldAckVenue(clock);
    const { d, store } = desk(venue, clock);
    d.onTrade(SYM, { ts: clock.now(), price: 100, amount: 1, side: undefined });
    // A long position to flatten, bought and filled before.
    const held = d.place({ symbol: SYM, side: 'buy', type: 'market', qty: 2 });
    if (!held.ok) throw new Error('not placed');
    venue.ack(held.orderId);
    venue.cb.filled(held.orderId, { qty: 2, price: 100, fee: 0, liquidity: 'taker', ts: clock.now(), venueTradeId: 'BTCUSDT:1' });
    const inFlight = d.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    if (!inFlight.ok) throw new Error('not placed');
    d.risk.killSwitch.engage({ reason: 'test', flatten: true, actor: 'test' });
    const flatten = venue.submitted.at(-1)!;
    expect(flatten).toMatchObject({ source: 'risk', owner: 'flatten', side: 'sell', qty: 2, reduceOnly: true });
    venue.ack(inFlight.orderId);
    venue.ack(flatten.id);
    expect(store.order(inFlight.orderId)?.status).toBe('cancelled');
    expect(store.order(flatten.id)?.status).toBe('accepted');
    expect(venue.cancels).not.toContain(flatten.id);
    store.close();
  });

  it('with the kill switch engaged, an order acknowledged that nobody asked to cancel (placed before, its cancel lost) is cancelled at once', () => {
    const clock = new SimulatedClock(T0);
    const venue = new HeldAckVenue(clock);
    const { d, store } = desk(venue, clock);
    d.onTrade(SYM, { ts: clock.now(), price: 100, amount: 1, side: undefined });
    const a = d.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    if (!a.ok) throw new Error('not placed');
    // The switch is engaged with nothing attached to sweep (another process latched it), so no cancel was asked for this order.
    d.risk.killSwitch.attach({ cancelAll: () => 0, flatten: () => {} });
    d.risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    expect(store.order(a.orderId)?.cancelRequested).toBe(false);
    venue.ack(a.orderId);
    expect(store.order(a.orderId)?.status).toBe('cancelled');
    store.close();
  });

  it('the paper venue with latency: a kill switch engaged before the acknowledgement leaves no order working', () => {
    const clock = new SimulatedClock(T0);
    const scheduler = new SimulatedScheduler(clock);
    let dref: TradingDesk | undefined;
    const venue = new PaperVenue({ scheduler, seed: 3, latency: { kind: 'fixed', ms: 250 }, slippageBps: 0, makerFee: 0, takerFee: 0, maxVolumeShare: null, positionOf: (s, l) => dref!.ledgers.qty(l, s) });
    const { d, store } = desk(venue, clock);
    dref = d;
    d.onTrade(SYM, { ts: clock.now(), price: 100, amount: 1, side: undefined });
    const ids = [0, 1, 2].map((i) => d.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90 - i })).map((r) => (r.ok ? r.orderId : ''));
    expect(store.orders('working').map((o) => o.status)).toEqual(['submitted', 'submitted', 'submitted']);
    d.risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    scheduler.advanceTo(clock.now() + 2_000);
    expect(store.orders('working')).toEqual([]);
    expect(ids.map((id) => store.order(id)?.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    store.close();
  });
});
