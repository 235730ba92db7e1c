import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Account } from '../../src/model/account';
import type { Fill } from '../../src/model/fill';
import { Position } from '../../src/model/position';

let n = 0;
const fill = (side: 'buy' | 'sell', qty: number, price: number, fee = 0, symbol = 'X'): Fill => ({
  id: `f${++n}`, orderId: 'o', clientOrderId: 'c', symbol, side, qty, price, fee, liquidity: 'taker', ts: n,
});

describe('netting position', () => {
  it('averages in, realises on the way out, and flips past flat at the fill price', () => {
    const p = new Position('X');
    p.apply(fill('buy', 1, 100));
    p.apply(fill('buy', 3, 110));
    expect(p.qty).toBe(4);
    expect(p.avgPrice).toBe(107.5);
    expect(p.apply(fill('sell', 1, 120))).toBeCloseTo(12.5, 12);
    expect(p.qty).toBe(3);
    expect(p.avgPrice).toBe(107.5);
    // sell 5: closes 3 (realises 3 * (100 - 107.5)), opens a short of 2 at 100
    expect(p.apply(fill('sell', 5, 100))).toBeCloseTo(-22.5, 12);
    expect(p.qty).toBe(-2);
    expect(p.avgPrice).toBe(100);
    expect(p.unrealizedPnl(90)).toBe(20);
    expect(p.realizedPnl).toBeCloseTo(-10, 12);
  });

  it('a position equals the sum of its signed fills, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ buy: fc.boolean(), qty: fc.integer({ min: 1, max: 1000 }), price: fc.integer({ min: 1, max: 10_000 }) }), { maxLength: 60 }), (seq) => {
        const p = new Position('X');
        let sum = 0;
        for (const s of seq) {
          p.apply(fill(s.buy ? 'buy' : 'sell', s.qty / 100, s.price / 10));
          sum += (s.buy ? 1 : -1) * s.qty;
        }
        expect(p.qty).toBeCloseTo(sum / 100, 9);
      }),
    );
  });
});

describe('account', () => {
  it('keeps equity = cash + qty × mark for longs and shorts, fees included', () => {
    const a = new Account(10_000);
    a.applyFill(fill('buy', 10, 100, 1, 'A'));
    expect(a.cash).toBe(10_000 - 1000 - 1);
    a.applyFill(fill('sell', 5, 50, 0.25, 'B')); // short B
    a.mark('A', 110);
    a.mark('B', 40);
    expect(a.equity()).toBeCloseTo(a.cash + 10 * 110 - 5 * 40, 9);
    expect(a.unrealizedPnl()).toBeCloseTo(10 * 10 + 5 * 10, 9);
    expect(a.grossExposure()).toBeCloseTo(1100 + 200, 9);
    expect(a.feesPaid).toBe(1.25);
    expect(a.equity() - a.startingCash).toBeCloseTo(a.realizedPnl + a.unrealizedPnl() - a.feesPaid, 9);
  });

  it('PnL identity holds after any sequence of fills and marks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ buy: fc.boolean(), qty: fc.integer({ min: 1, max: 50 }), price: fc.integer({ min: 50, max: 150 }), fee: fc.integer({ min: 0, max: 5 }) }), { maxLength: 40 }),
        fc.integer({ min: 50, max: 150 }),
        (seq, mark) => {
          const a = new Account(1_000_000);
          for (const s of seq) a.applyFill(fill(s.buy ? 'buy' : 'sell', s.qty, s.price, s.fee));
          a.mark('X', mark);
          expect(a.equity() - a.startingCash).toBeCloseTo(a.realizedPnl + a.unrealizedPnl() - a.feesPaid, 6);
        },
      ),
    );
  });
});
