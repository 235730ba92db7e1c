import { describe, expect, it } from 'vitest';
import type { PreTradeRisk } from '../../src/execution/types';
import { BAR_MS, mkBar } from './helpers';
import { SYMBOL, sessionRig } from './session-helpers';

const T0 = 1_700_000_000_000;
const at = (i: number): number => T0 + i * BAR_MS;
const fixed = { latency: { kind: 'fixed' as const, ms: 100 } };

describe('emulator: OCO', () => {
  it('a full fill on one leg cancels the other', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const oco = r.s.emulator.placeOco(
      { symbol: SYMBOL, side: 'sell', type: 'limit', price: 110, qty: 1 },
      { symbol: SYMBOL, side: 'sell', type: 'stop', stopPrice: 95, qty: 1 },
    );
    expect(oco.ok).toBe(true);
    if (!oco.ok) return;
    const [tp, sl] = oco.orderIds as [string, string];
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    r.s.feedBar(SYMBOL, mkBar(at(1), 100, 111, 99, 109)); // target only
    r.s.close();
    expect(r.statusOf(tp)).toBe('filled');
    expect(r.statusOf(sl)).toBe('cancelled');
    expect(r.records.map((x) => x.kind)).toEqual(['sibling_cancelled', 'group_done']);
    const legs = r.ordersWith((o) => o.ocoGroup === oco.id);
    expect(legs.every((o) => o.source === 'emulated')).toBe(true);
    expect(r.s.account.position(SYMBOL).qty).toBeCloseTo(-1, 12);
  });

  it('a partial fill on one leg shrinks the other (cancel, then re-place the rest)', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const oco = r.s.emulator.placeOco(
      { symbol: SYMBOL, side: 'sell', type: 'limit', price: 110, qty: 1 },
      { symbol: SYMBOL, side: 'sell', type: 'stop', stopPrice: 95, qty: 1 },
    );
    if (!oco.ok) throw new Error('refused');
    const [tp, sl] = oco.orderIds as [string, string];
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    r.s.feedBar(SYMBOL, mkBar(at(1), 100, 111, 99, 109, 4)); // 10% of 4: the target fills 0.4
    r.s.advanceTo(at(2) + 10_000); // fill report, cancel, confirmation, re-place, acknowledgement
    expect(r.statusOf(tp)).toBe('partially_filled');
    expect(r.statusOf(sl)).toBe('cancelled');
    const resized = r.records.find((x) => x.kind === 'leg_resized');
    expect(resized).toMatchObject({ role: 'second', fromQty: 1, toQty: expect.closeTo(0.6, 12) });
    const newStop = r.ordersWith((o) => o.id === (resized as { orderId: string }).orderId)[0]!;
    expect(newStop).toMatchObject({ type: 'stop', stopPrice: 95, ocoGroup: oco.id, source: 'emulated', status: 'accepted' });
    expect(newStop.qty).toBeCloseTo(0.6, 12);
    r.s.feedBar(SYMBOL, mkBar(at(2), 109, 112, 108, 110)); // the target finishes
    r.s.close();
    expect(r.statusOf(tp)).toBe('filled');
    expect(r.statusOf(newStop.id)).toBe('cancelled');
    expect(r.s.account.position(SYMBOL).qty).toBeCloseTo(-1, 12);
    expect(r.records.at(-1)).toMatchObject({ kind: 'group_done', filled: expect.closeTo(1, 12) });
  });
});

describe('emulator: OCO edge cases', () => {
  const legs = () =>
    [
      { symbol: SYMBOL, side: 'sell', type: 'limit', price: 110, qty: 1 },
      { symbol: SYMBOL, side: 'sell', type: 'stop', stopPrice: 95, qty: 1 },
    ] as const;

  it('on prints, the sibling can fill while its cancel is in flight: both fills stand and the overfill is recorded', () => {
    const r = sessionRig({ start: at(0), venue: { ...fixed, maxVolumeShare: null } });
    const oco = r.s.emulator.placeOco(...legs());
    if (!oco.ok) throw new Error('refused');
    r.s.feedTrade(SYMBOL, { ts: at(0) + 500, price: 111, amount: 5, side: 'buy' }); // target trades
    r.s.feedTrade(SYMBOL, { ts: at(0) + 650, price: 94, amount: 5, side: 'sell' }); // target's fill report (due +600) is in, the cancel of the stop (due +700) is not
    r.s.close();
    expect(oco.orderIds.map((id) => r.statusOf(id))).toEqual(['filled', 'filled']);
    expect(r.records).toContainEqual(expect.objectContaining({ kind: 'overfill', groupId: oco.id, target: 1, filled: 2 }));
    expect(r.s.account.position(SYMBOL).qty).toBeCloseTo(-2, 12);
  });

  it('still tracks its orders when risk hands back a request without the clientOrderId it gave', () => {
    const risk: PreTradeRisk = { check: (req) => ({ ok: true, request: { ...req, clientOrderId: undefined } }) };
    const r = sessionRig({ start: at(0), venue: fixed, risk });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    r.s.feedBar(SYMBOL, mkBar(at(1), 100, 111, 99, 110)); // target
    r.s.close();
    const children = r.ordersWith((o) => o.parentId === b.orderIds[0]);
    expect(children.map((o) => [o.tag, o.status])).toEqual([
      ['stop_loss', 'cancelled'],
      ['take_profit', 'filled'],
    ]);
    expect(r.s.account.position(SYMBOL).isFlat).toBe(true);
  });

  it('a leg cancelled from outside the emulator is lost; the other keeps working alone', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const oco = r.s.emulator.placeOco(...legs());
    if (!oco.ok) throw new Error('refused');
    r.s.orders.cancel(oco.orderIds[0]!);
    r.s.advanceTo(at(0) + 5_000);
    expect(r.records).toEqual([expect.objectContaining({ kind: 'leg_lost', role: 'first', status: 'cancelled' })]);
    expect(r.statusOf(oco.orderIds[1]!)).toBe('accepted');
  });
});

describe('emulator: bracket', () => {
  it('places the children only after the entry fills, sized to what filled, and grows them as it fills more', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'limit', price: 100, qty: 2 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    const entryId = b.orderIds[0]!;
    // The entry is linked to its children by their parentId, and is not itself in their OCO group.
    expect(r.ordersWith((o) => o.id === entryId)[0]).toMatchObject({ tag: 'bracket_entry', ocoGroup: undefined, source: 'manual' });
    r.s.feedBar(SYMBOL, mkBar(at(0), 101, 102, 100.5, 101)); // entry not reached
    r.s.advanceTo(at(1) + 5_000);
    expect(r.ordersWith((o) => o.parentId === entryId)).toEqual([]);
    r.s.feedBar(SYMBOL, mkBar(at(1), 101, 101, 99, 100, 5)); // entry fills 0.5 of 2
    r.s.advanceTo(at(2) + 5_000);
    const first = r.ordersWith((o) => o.parentId === entryId && o.status === 'accepted');
    expect(first.map((o) => [o.tag, o.side, o.type, o.qty])).toEqual([
      ['stop_loss', 'sell', 'stop', 0.5],
      ['take_profit', 'sell', 'limit', 0.5],
    ]);
    expect(first.every((o) => o.source === 'emulated' && o.ocoGroup === b.id && o.reduceOnly)).toBe(true);
    // The children were created at the moment the entry's first fill was reported: the bar's
    // close plus the venue's 100 ms, after the fill itself (stamped when it executed, in the bar).
    const entryFill = r.fills().find((e) => e.order.id === entryId)!;
    expect(entryFill.fill.ts).toBe(at(1));
    expect(first.every((o) => o.createdAt === at(2) + 100)).toBe(true);
    expect(r.records[0]).toMatchObject({ kind: 'children_placed', qty: 0.5, ts: at(2) + 100 });

    r.s.feedBar(SYMBOL, mkBar(at(2), 100, 101, 99.5, 100)); // fills the other 1.5
    r.s.advanceTo(at(3) + 5_000);
    const working = r.ordersWith((o) => o.parentId === entryId && o.status === 'accepted');
    expect(working.map((o) => [o.tag, o.qty])).toEqual([
      ['stop_loss', 2],
      ['take_profit', 2],
    ]);
    r.s.feedBar(SYMBOL, mkBar(at(3), 100, 111, 99.5, 110)); // the target takes it all
    r.s.close();
    expect(r.s.account.position(SYMBOL).isFlat).toBe(true);
    expect(r.records.at(-1)).toMatchObject({ kind: 'group_done', filled: 2 });
  });

  it('an entry fill that races the bracket cancel places no children', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100)); // the entry fills at the venue; its report is on the way
    expect(r.s.emulator.cancel(b.id)).toBe(true);
    r.s.close();
    expect(r.statusOf(b.orderIds[0]!)).toBe('filled');
    expect(r.ordersWith((o) => o.source === 'emulated')).toEqual([]);
  });

  it('an entry cancelled before any fill leaves no children', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'sell', type: 'limit', price: 120, qty: 1 }, takeProfit: 90, stopLoss: 125 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    expect(r.s.emulator.cancel(b.id)).toBe(true);
    r.s.close();
    expect(r.statusOf(b.orderIds[0]!)).toBe('cancelled');
    expect(r.ordersWith((o) => o.source === 'emulated')).toEqual([]);
    expect(r.records.map((x) => x.kind)).toEqual(['group_done']);
  });

  it('cancelling a bracket after its entry filled cancels both children', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    r.s.advanceTo(at(1) + 5_000);
    expect(r.s.emulator.cancel(b.id)).toBe(true);
    r.s.close();
    const children = r.ordersWith((o) => o.parentId === b.orderIds[0]);
    expect(children.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(r.records.filter((x) => x.kind === 'sibling_cancelled').map((x) => (x as { because: string }).because)).toEqual(['the group was cancelled', 'the group was cancelled']);
    expect(r.s.emulator.cancel(b.id)).toBe(false);
    expect(r.s.account.position(SYMBOL).qty).toBe(1); // the position stays: cancelling a bracket is not closing it
  });

  it('refuses a bracket whose take-profit is on the wrong side of its stop', () => {
    const r = sessionRig();
    expect(() => r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 90, stopLoss: 95 })).toThrow(/take-profit above/);
  });

  it('a stop and a target both inside one bar: the stop fills, the target is cancelled, and it is recorded', () => {
    const r = sessionRig({ start: at(0), venue: fixed });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100)); // entry fills at 100.05
    r.s.feedBar(SYMBOL, mkBar(at(1), 100, 101, 99, 100)); // children now working
    r.s.feedBar(SYMBOL, mkBar(at(2), 100, 112, 93, 100)); // both reachable
    r.s.close();
    const children = r.ordersWith((o) => o.parentId === b.orderIds[0]);
    const stop = children.find((o) => o.tag === 'stop_loss')!;
    const target = children.find((o) => o.tag === 'take_profit')!;
    expect(r.statusOf(stop.id)).toBe('filled');
    expect(r.statusOf(target.id)).toBe('cancelled');
    expect(r.records).toContainEqual(expect.objectContaining({ kind: 'same_bar_ambiguity', barTs: at(2), filled: 'stop_loss', alsoReachable: 'take_profit', pessimistic: true }));
    expect(r.s.venue.ocoResolutions).toEqual([expect.objectContaining({ ocoGroup: b.id, filled: stop.id, skipped: [target.id], rule: 'stop_first' })]);
    const exit = r.fills().find((f) => f.order.id === stop.id)!;
    expect(exit.fill.price).toBeCloseTo(95 * (1 - 0.0005), 9);
    expect(r.s.account.position(SYMBOL).isFlat).toBe(true);
  });

  it('every child goes through risk: a refused take-profit is recorded and the stop still protects', () => {
    const risk: PreTradeRisk = { check: (req) => (req.tag === 'take_profit' ? { ok: false, check: 'test', reason: 'no targets today' } : { ok: true, request: req }) };
    const r = sessionRig({ start: at(0), venue: fixed, risk });
    const b = r.s.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 101, 99, 100));
    r.s.advanceTo(at(1) + 5_000);
    expect(r.records).toContainEqual(expect.objectContaining({ kind: 'child_denied', role: 'take_profit', check: 'test' }));
    expect(r.events.filter((e) => e.kind === 'denied')).toHaveLength(1);
    expect(r.ordersWith((o) => o.tag === 'stop_loss' && o.status === 'accepted')).toHaveLength(1);
  });
});

describe('emulator: trailing stop', () => {
  it('tracks the best price by percent and sends a market order when the pullback reaches the trail', () => {
    const r = sessionRig({ start: at(0), venue: fixed, emulateTrailingStops: true });
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 100, 100, 100));
    const t = r.s.emulator.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', trailingPercent: 0.05, qty: 1 });
    if (!t.ok) throw new Error('refused');
    expect(t.orderIds).toEqual([]); // held by the engine, nothing at the venue
    r.s.feedBar(SYMBOL, mkBar(at(1), 100, 110, 99, 108));
    expect(r.s.emulator.trailing()[0]).toMatchObject({ best: 110, level: expect.closeTo(104.5, 9) });
    r.s.feedBar(SYMBOL, mkBar(at(2), 108, 120, 105, 118));
    expect(r.s.emulator.trailing()[0]).toMatchObject({ best: 120, level: expect.closeTo(114, 9) });
    expect(r.events).toEqual([]);
    r.s.feedBar(SYMBOL, mkBar(at(3), 118, 119, 113, 115)); // 113 <= 114
    expect(r.records).toEqual([expect.objectContaining({ kind: 'trailing_triggered', trailId: t.id, level: expect.closeTo(114, 9), triggeredAt: expect.closeTo(114, 9) })]);
    expect(r.s.emulator.trailing()).toEqual([]);
    r.s.feedBar(SYMBOL, mkBar(at(4), 115, 116, 112, 113)); // the market order fills at this open
    r.s.close();
    const [f] = r.fills();
    expect(f!.order).toMatchObject({ type: 'market', side: 'sell', source: 'emulated', parentId: t.id });
    expect(f!.fill.price).toBeCloseTo(115 * (1 - 0.0005), 9);
  });

  it('by amount on a trade stream, and can be cancelled while tracking', () => {
    const r = sessionRig({ start: at(0), venue: fixed, emulateTrailingStops: true });
    const t = r.s.emulator.place({ symbol: SYMBOL, side: 'buy', type: 'trailing_stop', trailingAmount: 2, qty: 1 });
    const u = r.s.emulator.place({ symbol: SYMBOL, side: 'buy', type: 'trailing_stop', trailingAmount: 2, qty: 1 });
    if (!t.ok || !u.ok) throw new Error('refused');
    expect(r.s.emulator.cancel(u.id)).toBe(true);
    const prices = [100, 98, 97, 98.5, 99.2];
    prices.forEach((p, i) => r.s.feedTrade(SYMBOL, { ts: at(0) + 1000 * (i + 1), price: p, amount: 100, side: undefined }));
    expect(r.records).toEqual([expect.objectContaining({ kind: 'trailing_triggered', trailId: t.id, level: 99, triggeredAt: 99.2 })]);
    r.s.feedTrade(SYMBOL, { ts: at(0) + 10_000, price: 99.5, amount: 100, side: undefined });
    // A bar of the same period repeats prices the trail has seen: it neither moves nor fires a trail.
    const v = r.s.emulator.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', trailingAmount: 2, qty: 1 });
    if (!v.ok) throw new Error('refused');
    r.s.feedBar(SYMBOL, mkBar(at(0), 100, 104, 90, 99.5));
    expect(r.s.emulator.trailing()).toEqual([expect.objectContaining({ id: v.id, best: 99.5, level: 97.5 })]);
    r.s.close();
    expect(r.fills().map((f) => f.fill.price)).toEqual([expect.closeTo(99.5 * 1.0005, 9)]);
  });

  it('on quotes, a sell trail follows the bid', () => {
    const r = sessionRig({ start: at(0), venue: fixed, emulateTrailingStops: true });
    const t = r.s.emulator.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', trailingAmount: 1, qty: 1 });
    if (!t.ok) throw new Error('refused');
    const q = (i: number, bid: number) => r.s.feedQuote(SYMBOL, { ts: at(0) + 1000 * i, bid, ask: bid + 0.5 });
    q(1, 100);
    q(2, 102); // best bid 102, level 101
    expect(r.s.emulator.trailing()[0]).toMatchObject({ best: 102, level: 101 });
    q(3, 101.2);
    expect(r.records).toEqual([]);
    q(4, 100.9); // the bid reaches 101
    expect(r.records).toEqual([expect.objectContaining({ kind: 'trailing_triggered', level: 101, triggeredAt: 100.9 })]);
    q(5, 100.8);
    r.s.close();
    expect(r.fills().map((f) => f.fill.price)).toEqual([100.8]);
  });
});
