import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager, type OrderError } from '../../src/execution/order-manager';
import { NO_JOURNAL, NO_RISK, type OrderEvent, type OrderJournal, type Venue, type VenueCallbacks } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { NO_AMEND, SYM, harness } from './harness';

/** A venue that answers only when the test says so, like a live one. */
function manualVenue() {
  let cb: VenueCallbacks | undefined;
  const venue: Venue = { kind: 'paper', name: 'manual', capabilities: NO_AMEND, connect: (c) => (cb = c), submit: () => {}, cancel: (o) => cb!.cancelled(o.id, 0) };
  return { venue, cb: () => cb! };
}

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

describe('OrderManager event order', () => {
  it('delivers events raised by a listener after the current one, to every listener, in causal order', () => {
    const { om, bar } = harness();
    const seenByLate: string[] = [];
    // The first listener reacts to a fill by placing a protective stop (as a bracket does).
    om.onEvent((e) => {
      if (e.kind === 'filled' && e.order.tag === 'entry') om.place({ symbol: SYM, side: 'sell', type: 'stop', stopPrice: 90, qty: 1, tag: 'stop' });
    });
    om.onEvent((e) => seenByLate.push(`${e.kind} ${e.kind === 'denied' ? '' : e.order.tag}`));
    om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1, tag: 'entry' });
    bar(100, 101, 99, 100);
    // Without the queue the late listener would hear of the stop before the fill that caused it.
    expect(seenByLate).toEqual(['submitted entry', 'accepted entry', 'filled entry', 'submitted stop', 'accepted stop']);
  });

  it('a listener that throws does not keep the event from the others; the caller still hears of the error', () => {
    const { om } = harness();
    const heard: string[] = [];
    let broken = true;
    om.onEvent(() => {
      if (broken) throw new Error('listener bug');
    });
    om.onEvent((e) => heard.push(e.kind));
    expect(() => om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90 })).toThrow('listener bug');
    // The order still reached the venue: it is working there, not stranded as 'submitted'.
    expect(heard).toEqual(['submitted', 'accepted']);
    expect(om.workingOrders().map((o) => o.status)).toEqual(['accepted']);
    broken = false;
    om.cancelAll();
    expect(heard).toEqual(['submitted', 'accepted', 'cancelled']);
  });
});

describe('OrderManager.updateReference', () => {
  it('keeps the newest price from prints or quotes for risk, ignoring older ones, and bars still set it', () => {
    const { om, bar, clock } = harness();
    expect(om.referencePrice(SYM)).toBeUndefined();
    om.updateReference(SYM, 101.5, 5_000);
    expect(om.referencePrice(SYM)).toEqual({ price: 101.5, ts: 5_000 });
    om.updateReference(SYM, 99, 4_000); // late print
    expect(om.referencePrice(SYM)).toEqual({ price: 101.5, ts: 5_000 });
    bar(100, 100, 100, 100);
    expect(om.referencePrice(SYM)).toEqual({ price: 100, ts: clock.now() });
    expect(() => om.updateReference(SYM, NaN, 1)).toThrow(/reference price must be positive/);
  });
});

describe('OrderManager.flatten', () => {
  it('sends a reduce-only market order from risk for each open position, or for one symbol', () => {
    const clock = new SimulatedClock(0);
    const account = new Account(1_000_000);
    const { venue, cb } = manualVenue();
    const om = new OrderManager(clock, new SequentialIds(), NO_RISK, { orderChanged: () => {}, fillAdded: () => {} }, venue, account, [researchInstrument('A'), researchInstrument('B')]);
    const open = (symbol: string, side: 'buy' | 'sell', qty: number) => {
      const r = om.place({ symbol, side, type: 'market', qty });
      if (!r.ok) throw new Error(r.reason);
      cb().filled(r.orderId, { qty, price: 100, fee: 0, liquidity: 'taker', ts: 1 });
    };
    open('A', 'buy', 2);
    open('B', 'sell', 3);
    expect(om.flatten('B')).toHaveLength(1);
    const out = om.flatten();
    expect(out.every((r) => r.ok)).toBe(true);
    const flat = om.workingOrders().map((o) => [o.symbol, o.side, o.type, o.qty, o.reduceOnly, o.source]);
    expect(flat).toEqual([
      ['B', 'buy', 'market', 3, true, 'risk'],
      ['A', 'sell', 'market', 2, true, 'risk'],
      ['B', 'buy', 'market', 3, true, 'risk'],
    ]);
    // It is what the kill switch drives (engine/src/risk/kill-switch.ts OrderControl).
    const control: import('../../src/risk/kill-switch').OrderControl = om;
    expect(control.cancelAll()).toBe(3);
  });
});

describe('OrderManager when the journal refuses a venue report', () => {
  it('a duplicate venue trade id in the real SQLite journal: the fill is not applied, an error event says why, nothing is thrown at the venue', () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-om-'));
    homes.push(home);
    const store = StateStore.open(join(home, 'state.sqlite'));
    const clock = new SimulatedClock(1_000);
    const account = new Account(10_000);
    const { venue, cb } = manualVenue();
    const om = new OrderManager(clock, new SequentialIds(), NO_RISK, new SqliteOrderJournal(store), venue, account, [researchInstrument(SYM)]);
    const errors: OrderError[] = [];
    const events: OrderEvent[] = [];
    om.onError((e) => errors.push(e));
    om.onEvent((e) => events.push(e));
    const a = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 2, price: 100 });
    const b = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 100 });
    if (!a.ok || !b.ok) throw new Error('refused');
    cb().accepted(a.orderId, 1_001);
    cb().filled(a.orderId, { qty: 1, price: 100, fee: 0, liquidity: 'maker', ts: 1_002, venueTradeId: 't-1' });
    // The venue repeats a trade id on another order: SQLite's unique index refuses it.
    expect(() => cb().filled(b.orderId, { qty: 1, price: 100, fee: 0, liquidity: 'maker', ts: 1_003, venueTradeId: 't-1' })).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'journal', where: 'filled', orderId: b.orderId });
    expect(errors[0]!.message).toMatch(/UNIQUE/);
    // Memory agrees with the database: order b unfilled and still submitted, one fill in the account.
    const ob = om.get(b.orderId)!;
    expect([ob.status, ob.filledQty]).toEqual(['submitted', 0]);
    expect(account.position(SYM).qty).toBe(1);
    expect(account.cash).toBe(10_000 - 100);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM fills').get()).toEqual({ n: 1 });
    expect(events.filter((e) => e.kind === 'filled' || e.kind === 'partially_filled')).toHaveLength(1);
    // The same order still takes a good fill afterwards.
    cb().filled(b.orderId, { qty: 1, price: 99, fee: 0, liquidity: 'maker', ts: 1_004, venueTradeId: 't-2' });
    expect(account.position(SYM).qty).toBe(2);
    store.close();
  });

  it('a cancel the journal refuses leaves the order working in memory, as saved', () => {
    let refuse = false;
    const journal: OrderJournal = {
      orderChanged: (o) => {
        if (refuse && o.status === 'cancelled') throw new Error('disk full');
      },
      fillAdded: () => {},
    };
    const { venue, cb } = manualVenue();
    const om = new OrderManager(new SimulatedClock(0), new SequentialIds(), NO_RISK, journal, venue, new Account(1_000), [researchInstrument(SYM)]);
    const errors: OrderError[] = [];
    om.onError((e) => errors.push(e));
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 10 });
    if (!r.ok) throw new Error('refused');
    refuse = true;
    cb().cancelled(r.orderId, 5);
    expect(errors.map((e) => e.message)).toEqual([`cancelled report for order ${r.orderId} not applied: disk full`]);
    expect(om.get(r.orderId)).toMatchObject({ status: 'submitted', updatedAt: 0 });
    expect(om.workingOrders()).toHaveLength(1);
  });

  it('a listener that throws after a report was applied is told apart from a refused journal write', () => {
    const { venue, cb } = manualVenue();
    const account = new Account(1_000);
    const om = new OrderManager(new SimulatedClock(0), new SequentialIds(), NO_RISK, NO_JOURNAL, venue, account, [researchInstrument(SYM)]);
    const errors: OrderError[] = [];
    om.onError((e) => errors.push(e));
    om.onEvent((e) => {
      if (e.kind === 'filled') throw new Error('chart exploded');
    });
    const r = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 10 });
    if (!r.ok) throw new Error('refused');
    cb().filled(r.orderId, { qty: 1, price: 10, fee: 0, liquidity: 'maker', ts: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'listener', where: 'filled' });
    expect(errors[0]!.message).toBe(`filled report for order ${r.orderId} applied, then a listener failed: chart exploded`);
    expect(account.position(SYM).qty).toBe(1);
  });

  it('with no error listener the failure is thrown to the venue caller (a backtest fails loudly)', () => {
    const journal: OrderJournal = {
      orderChanged: () => {},
      fillAdded: () => {
        throw new Error('refused');
      },
    };
    const { venue, cb } = manualVenue();
    const account = new Account(1_000);
    const om = new OrderManager(new SimulatedClock(0), new SequentialIds(), NO_RISK, journal, venue, account, [researchInstrument(SYM)]);
    const r = om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    if (!r.ok) throw new Error('refused');
    expect(() => cb().filled(r.orderId, { qty: 1, price: 10, fee: 0, liquidity: 'taker', ts: 1 })).toThrow('refused');
    expect(account.position(SYM).qty).toBe(0);
  });
});
