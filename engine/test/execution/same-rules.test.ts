import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../src/model/order';
import { BAR_MS, mkBar, venueRig } from '../paper/helpers';
import { SYM, harness } from './harness';

type Req = Pick<OrderRequest, 'side' | 'type'> & Partial<OrderRequest>;
type Ohlc = [number, number, number, number];

/** Runs one order over the same bars on the backtest venue and on the paper venue (bar feed, no slippage). */
function both(req: Req, bars: Ohlc[]) {
  const fees = { makerFee: 0.001, takerFee: 0.002 };
  const bt = harness({ ...fees, slippage: 0 });
  const r = bt.om.place({ symbol: SYM, qty: 1, ...req });
  if (!r.ok) throw new Error(r.reason);
  for (const [o, h, l, c] of bars) bt.bar(o, h, l, c);
  const backtest = bt.fills().map((f) => ({ price: f.price, liquidity: f.liquidity, fee: f.fee }));

  const pv = venueRig({ seed: 1, ...fees, slippageBps: 0, latency: { kind: 'fixed', ms: 0 }, maxVolumeShare: null });
  pv.submit({ qty: 1, ...req });
  bars.forEach(([o, h, l, c], i) => pv.bar(mkBar(i * BAR_MS, o, h, l, c)));
  pv.scheduler.drain();
  const paper = pv.fills().map((f) => ({ price: f.price, liquidity: f.liquidity, fee: f.fee }));
  return { backtest, paper };
}

describe('backtest and paper venues fill by one rule (matching.ts)', () => {
  it('a trailing stop: the bar open moves the trail before the rest of the bar is tested', () => {
    const { backtest, paper } = both({ side: 'sell', type: 'trailing_stop', trailingAmount: 5 }, [
      [100, 102, 99, 101], // best 102, level 97: not reached
      [108, 108, 102.5, 103], // the open lifts the trail to 103, then the low reaches it
      [104, 106, 103.5, 105], // trailing only from earlier bars' extremes (the old backtest rule) would never fire
    ]);
    expect(backtest).toEqual([{ price: 103, liquidity: 'taker', fee: expect.closeTo(103 * 0.002, 12) }]);
    expect(paper).toEqual(backtest);
  });

  it('a limit that is marketable when it arrives is a taker at the open; one the range reaches later is a maker at its price', () => {
    const marketable = both({ side: 'buy', type: 'limit', price: 105 }, [[100, 101, 99, 100]]);
    expect(marketable.backtest).toEqual([{ price: 100, liquidity: 'taker', fee: expect.closeTo(0.2, 12) }]);
    expect(marketable.paper).toEqual(marketable.backtest);
    const resting = both({ side: 'buy', type: 'limit', price: 95 }, [
      [100, 101, 99, 100],
      [99, 99, 94, 96],
    ]);
    expect(resting.backtest).toEqual([{ price: 95, liquidity: 'maker', fee: expect.closeTo(0.095, 12) }]);
    expect(resting.paper).toEqual(resting.backtest);
  });
});

describe('SimulatedVenue: cancels made inside its own fill callbacks', () => {
  it('a listener cancelling other working orders while a bar fills does not disturb the bar (the list is compacted after it)', () => {
    const { om, bar, events } = harness();
    const a = om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    const b = om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90 });
    const c = om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 150 });
    if (!a.ok || !b.ok || !c.ok) throw new Error('refused');
    om.onEvent((e) => {
      if (e.kind === 'filled' && e.order.id === a.orderId) om.cancelAll({ side: 'buy' });
    });
    bar(100, 160, 80, 120);
    const final = (id: string) => events.filter((e) => e.kind !== 'denied' && e.order.id === id).at(-1)?.kind;
    expect([final(a.orderId), final(b.orderId), final(c.orderId)]).toEqual(['filled', 'cancelled', 'filled']);
    expect(om.workingOrders()).toEqual([]);
  });
});
