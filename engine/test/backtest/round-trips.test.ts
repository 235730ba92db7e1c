import { describe, expect, it } from 'vitest';
import { RoundTripLedger } from '../../src/backtest/round-trips';
import type { Fill } from '../../src/model/fill';
import { Order } from '../../src/model/order';

let n = 0;
function fill(side: 'buy' | 'sell', qty: number, price: number, fee: number, ts: number): Fill {
  n++;
  return { id: `f${n}`, orderId: `o${n}`, clientOrderId: `c${n}`, symbol: 'X', side, qty, price, fee, liquidity: 'taker', ts };
}
const order = (tag?: string) => new Order('o', 'c', { symbol: 'X', side: 'buy', type: 'market', qty: 1, tag }, 0);

describe('round trips', () => {
  it('a long with a scale-in: average entry, pnl net of every fee', () => {
    const l = new RoundTripLedger();
    l.onFill(fill('buy', 1, 100, 0.1, 1), order());
    l.onFill(fill('buy', 1, 110, 0.11, 2), order());
    expect(l.trades).toEqual([]);
    l.onFill(fill('sell', 2, 120, 0.24, 3), order('tp'));
    expect(l.trades).toHaveLength(1);
    const t = l.trades[0]!;
    expect(t).toMatchObject({ side: 'buy', entryTime: 1, exitTime: 3, qty: 2, entryPrice: 105, exitPrice: 120, exitReason: 'tp' });
    expect(t.pnl).toBeCloseTo(240 - 210 - 0.45, 12);
    expect(t.returnPct).toBeCloseTo(t.pnl / 210, 12);
  });

  it('a short makes money when the price falls', () => {
    const l = new RoundTripLedger();
    l.onFill(fill('sell', 2, 50, 0, 1), order());
    l.onFill(fill('buy', 2, 40, 0, 2), order());
    expect(l.trades[0]).toMatchObject({ side: 'sell', pnl: 20, entryPrice: 50, exitPrice: 40 });
  });

  it('a fill through flat closes one trade and opens the next, its fee split pro rata', () => {
    const l = new RoundTripLedger();
    l.onFill(fill('buy', 1, 100, 0, 1), order());
    l.onFill(fill('sell', 3, 110, 0.3, 2), order());
    expect(l.trades).toHaveLength(1);
    expect(l.trades[0]!.pnl).toBeCloseTo(10 - 0.1, 12);
    l.onFill(fill('buy', 2, 100, 0, 3), order());
    expect(l.trades[1]).toMatchObject({ side: 'sell', entryTime: 2, qty: 2, entryPrice: 110 });
    expect(l.trades[1]!.pnl).toBeCloseTo(20 - 0.2, 12);
  });

  it('a partial exit is not a trade until the position is flat', () => {
    const l = new RoundTripLedger();
    l.onFill(fill('buy', 4, 10, 0, 1), order());
    l.onFill(fill('sell', 1, 12, 0, 2), order());
    expect(l.trades).toEqual([]);
    l.onFill(fill('sell', 3, 8, 0, 3), order());
    expect(l.trades[0]).toMatchObject({ qty: 4, exitPrice: 9, pnl: 12 + 24 - 40 });
  });
});
