import { describe, expect, it } from 'vitest';
import { canTransition, Order, orderFromSnapshot, type OrderStatus } from '../../src/model/order';
import { KeelError } from '../../src/core/errors';

const ALL: OrderStatus[] = ['new', 'submitted', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'];
const LEGAL = new Set([
  'new>submitted', 'new>rejected',
  'submitted>accepted', 'submitted>rejected', 'submitted>cancelled', 'submitted>expired',
  'accepted>partially_filled', 'accepted>filled', 'accepted>cancelled', 'accepted>expired',
  'partially_filled>partially_filled', 'partially_filled>filled', 'partially_filled>cancelled', 'partially_filled>expired',
]);

const order = (qty = 2) => new Order('o-1', 'c-1', { symbol: 'BTC/USDT', side: 'buy', type: 'limit', qty, price: 100 }, 1000);

describe('order state machine', () => {
  it('allows exactly the documented transitions', () => {
    for (const from of ALL) for (const to of ALL) expect(canTransition(from, to), `${from} -> ${to}`).toBe(LEGAL.has(`${from}>${to}`));
  });

  it('throws INVALID_TRANSITION naming the order and both states', () => {
    const o = order();
    try {
      o.transition('filled', 1001);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KeelError);
      expect((e as KeelError).code).toBe('INVALID_TRANSITION');
      expect((e as KeelError).message).toContain('o-1 cannot go from new to filled');
    }
    expect(o.status).toBe('new');
  });

  it('fills partially then fully, keeping a volume-weighted average price and fees', () => {
    const o = order(2);
    o.transition('submitted', 1001);
    o.transition('accepted', 1002);
    o.applyFill(0.5, 100, 0.05, 1003);
    expect(o.status).toBe('partially_filled');
    expect(o.remainingQty).toBe(1.5);
    o.applyFill(1.5, 104, 0.156, 1004);
    expect(o.status).toBe('filled');
    expect(o.avgFillPrice).toBeCloseTo((0.5 * 100 + 1.5 * 104) / 2, 12);
    expect(o.fees).toBeCloseTo(0.206, 12);
    expect(o.isTerminal).toBe(true);
    expect(() => o.applyFill(0.1, 100, 0, 1005)).toThrow(/overfills/);
  });

  it('refuses nonsense fills and leaves the order untouched', () => {
    const o = order();
    o.transition('submitted', 1);
    o.transition('accepted', 2);
    expect(() => o.applyFill(0, 100, 0, 3)).toThrow(/not valid/);
    expect(() => o.applyFill(1, -5, 0, 3)).toThrow(/not valid/);
    expect(() => o.applyFill(1, 100, -1, 3)).toThrow(/not valid/);
    expect(o.filledQty).toBe(0);
    expect(o.status).toBe('accepted');
  });

  it('a quote-quantity order takes its size from its fill', () => {
    const o = new Order('o-2', 'c-2', { symbol: 'X', side: 'buy', type: 'market', quoteQty: 1000 }, 0);
    o.transition('submitted', 1);
    o.transition('accepted', 2);
    o.applyFill(9.99, 100, 0.999, 3);
    expect(o.qty).toBe(9.99);
    expect(o.status).toBe('filled');
  });

  it('round-trips through a snapshot', () => {
    const o = order();
    o.transition('submitted', 5);
    const copy = orderFromSnapshot(JSON.parse(JSON.stringify(o.snapshot())));
    expect(copy.snapshot()).toEqual(o.snapshot());
    expect(copy.remainingQty).toBe(2);
    copy.transition('accepted', 6);
    expect(copy.status).toBe('accepted');
  });
});

describe('order snapshot', () => {
  it('copies every own field of the order and nothing derived', () => {
    const o = order();
    o.venueOrderId = 'v-9';
    o.tag = 't';
    o.cancelRequested = true;
    const snap = o.snapshot() as unknown as Record<string, unknown>;
    const own = Object.keys(o);
    expect(Object.keys(snap).sort()).toEqual(own.sort());
    for (const k of own) expect(snap[k], k).toBe((o as unknown as Record<string, unknown>)[k]);
  });
});
