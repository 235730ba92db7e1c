import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitFillPrice, marketPrice, qtyForQuote, stopLimitTriggerFill, stopTriggerPrice } from '../../src/execution/matching';
import { SimulatedClock } from '../../src/core/clock';
import { SimulatedVenue } from '../../src/execution/simulated-venue';
import { Order } from '../../src/model/order';
import { SYM, callbacks, harness } from './harness';

describe('matching rules', () => {
  const bar = { open: 100, high: 105, low: 95 };
  it('market: open moved against the order by slippage', () => {
    expect(marketPrice('buy', 100, 0.01)).toBe(101);
    expect(marketPrice('sell', 100, 0.01)).toBe(99);
  });
  it('limit: at the limit when the range reaches it, at the open when the bar opens through it', () => {
    expect(limitFillPrice('buy', 96, bar)).toBe(96);
    expect(limitFillPrice('buy', 102, bar)).toBe(100);
    expect(limitFillPrice('buy', 94, bar)).toBeNaN();
    expect(limitFillPrice('sell', 104, bar)).toBe(104);
    expect(limitFillPrice('sell', 98, bar)).toBe(100);
    expect(limitFillPrice('sell', 106, bar)).toBeNaN();
  });
  it('stop: at the stop, or the worse open on a gap', () => {
    expect(stopTriggerPrice('sell', 96, bar)).toBe(96);
    expect(stopTriggerPrice('sell', 101, bar)).toBe(100);
    expect(stopTriggerPrice('sell', 94, bar)).toBeNaN();
    expect(stopTriggerPrice('buy', 104, bar)).toBe(104);
    expect(stopTriggerPrice('buy', 99, bar)).toBe(100);
    expect(stopTriggerPrice('buy', 106, bar)).toBeNaN();
  });
  it('stop-limit: fills at once only when the trigger is within the limit', () => {
    expect(stopLimitTriggerFill('buy', 104, 105, 0)).toBe(104);
    expect(stopLimitTriggerFill('buy', 104, 104.5, 0.01)).toBe(104.5); // slippage capped at the limit
    expect(stopLimitTriggerFill('buy', 106, 105, 0)).toBeNaN();
    expect(stopLimitTriggerFill('sell', 96, 95, 0)).toBe(96);
    expect(stopLimitTriggerFill('sell', 94, 95, 0)).toBeNaN();
  });
  it('quote quantity: fees included', () => {
    const q = qtyForQuote('buy', 1000, 50, 0.001);
    expect(q * 50 * (1 + 0.001)).toBeCloseTo(1000, 10);
  });
});

describe('matching rules hold for any bar (property)', () => {
  const arbBar = fc
    .tuple(fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([a, b, u, v]) => {
      const low = Math.min(a, b);
      const high = Math.max(a, b);
      return { open: low + u * (high - low), high, low, close: low + v * (high - low) };
    });
  const side = fc.constantFrom('buy' as const, 'sell' as const);
  const level = fc.double({ min: 1, max: 1000, noNaN: true });

  it('a limit fills only inside the bar, never worse than its limit', () => {
    fc.assert(
      fc.property(arbBar, side, level, (bar, s, limit) => {
        const p = limitFillPrice(s, limit, bar);
        const reachable = s === 'buy' ? bar.low <= limit : bar.high >= limit;
        expect(p === p).toBe(reachable);
        if (p === p) {
          expect(p).toBeGreaterThanOrEqual(bar.low);
          expect(p).toBeLessThanOrEqual(bar.high);
          if (s === 'buy') expect(p).toBeLessThanOrEqual(limit);
          else expect(p).toBeGreaterThanOrEqual(limit);
        }
      }),
    );
  });

  it('a stop triggers only when reached, never better than its stop, and slippage only hurts', () => {
    fc.assert(
      fc.property(arbBar, side, level, fc.double({ min: 0, max: 0.05, noNaN: true }), (bar, s, stop, slip) => {
        const t = stopTriggerPrice(s, stop, bar);
        const reachable = s === 'buy' ? bar.high >= stop : bar.low <= stop;
        expect(t === t).toBe(reachable);
        if (t === t) {
          expect(t).toBeGreaterThanOrEqual(bar.low);
          expect(t).toBeLessThanOrEqual(bar.high);
          if (s === 'buy') expect(t).toBeGreaterThanOrEqual(stop);
          else expect(t).toBeLessThanOrEqual(stop);
          const filled = marketPrice(s, t, slip);
          if (s === 'buy') expect(filled).toBeGreaterThanOrEqual(t);
          else expect(filled).toBeLessThanOrEqual(t);
        }
      }),
    );
  });
});

describe('SimulatedVenue', () => {
  it('a market order fills at the next bar open with slippage and the taker fee; none without a next bar', () => {
    const h = harness({ slippage: 0.001, takerFee: 0.002, makerFee: 0 });
    h.bar(100, 100, 100, 100);
    const r = h.om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 2 });
    expect(h.fills()).toEqual([]); // nothing until a bar arrives
    expect(h.om.get(r.ok ? r.orderId : '')!.status).toBe('accepted');
    const b = h.bar(110, 112, 108, 111);
    const [f] = h.fills();
    expect(f).toMatchObject({ side: 'buy', qty: 2, liquidity: 'taker', ts: b.ts });
    expect(f!.price).toBeCloseTo(110 * 1.001, 12);
    expect(f!.fee).toBeCloseTo(2 * 110 * 1.001 * 0.002, 12);
    h.om.place({ symbol: SYM, side: 'sell', type: 'market', qty: 2 });
    h.bar(120, 121, 119, 120);
    expect(h.fills()[1]!.price).toBeCloseTo(120 * 0.999, 12);
    expect(h.account.position(SYM).qty).toBe(0);
  });

  it('a quoteQty market buy spends that much, fees included, at the fill price', () => {
    const h = harness({ slippage: 0.0005, takerFee: 0.001, capital: 1000 });
    h.bar(50, 50, 50, 50);
    h.om.place({ symbol: SYM, side: 'buy', type: 'market', quoteQty: 1000 });
    h.bar(52, 53, 51, 52);
    const price = 52 * 1.0005;
    expect(h.fills()[0]!.qty).toBeCloseTo(1000 / (price * 1.001), 12);
    expect(h.account.cash).toBeCloseTo(0, 9);
  });

  it('limit orders rest until the range reaches them, fill at the better open on a gap, and pay the maker fee', () => {
    const h = harness({ makerFee: 0.001, takerFee: 0.005, slippage: 0.01 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 95 });
    h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90 });
    h.bar(100, 101, 96, 97); // reaches neither
    expect(h.fills()).toEqual([]);
    h.bar(97, 98, 94, 95); // reaches 95
    expect(h.fills()).toMatchObject([{ price: 95, liquidity: 'maker', fee: 95 * 0.001 }]);
    h.bar(88, 89, 87, 88); // opens through 90: fills at the better open
    expect(h.fills()[1]!.price).toBe(88);
  });

  it('stops trigger when the range reaches them and fill at the worse of open and stop, with slippage', () => {
    const h = harness({ slippage: 0.001 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 2 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1, stopPrice: 95 });
    h.om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1, stopPrice: 90 });
    h.bar(100, 101, 96, 97);
    expect(h.fills().length).toBe(1);
    h.bar(96, 97, 93, 94);
    expect(h.fills()[1]!.price).toBeCloseTo(95 * 0.999, 12);
    h.bar(85, 86, 84, 85); // gaps through 90
    expect(h.fills()[2]!.price).toBeCloseTo(85 * 0.999, 12);
    expect(h.account.position(SYM).qty).toBe(0);
  });

  it('a stop-limit fills at the trigger when within its limit, and rests as a limit when the bar gapped past it', () => {
    const h = harness();
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'stop_limit', qty: 1, stopPrice: 105, price: 106 });
    h.om.place({ symbol: SYM, side: 'buy', type: 'stop_limit', qty: 1, stopPrice: 110, price: 111 });
    h.bar(100, 105.5, 99, 105); // first triggers at 105, within 106
    expect(h.fills().map((f) => f.price)).toEqual([105]);
    h.bar(113, 115, 112, 114); // second: gaps to 113, above its limit 111: triggered, rests
    expect(h.fills().length).toBe(1);
    h.bar(114, 114, 110.5, 111); // comes back to 111: fills as a limit
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([
      [105, 'taker'],
      [111, 'maker'],
    ]);
  });

  it('a trailing stop trails the best price since placement and triggers off the level set by earlier bars', () => {
    const h = harness();
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'sell', type: 'trailing_stop', qty: 1, trailingPercent: 0.1 });
    h.bar(100, 120, 100, 118); // trail from 100 (stop 90), then high 120 raises it to 108
    expect(h.fills().length).toBe(1);
    h.bar(115, 116, 107, 109); // reaches 108
    expect(h.fills()[1]!.price).toBeCloseTo(108, 12);
  });

  it('stop and target both reachable in one bar: the stop fills first, the bar is counted', () => {
    const h = harness({ slippage: 0.001 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 105, reduceOnly: true, tag: 'target' });
    h.om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1, stopPrice: 95, reduceOnly: true, tag: 'stop' });
    h.bar(101, 104, 96, 103); // neither
    expect(h.venue.stopTargetBars).toBe(0);
    h.bar(103, 110, 90, 100); // both reachable
    expect(h.venue.stopTargetBars).toBe(1);
    const fills = h.fills();
    expect(fills.length).toBe(2);
    expect(fills[1]!.price).toBeCloseTo(95 * 0.999, 12);
    // The target, reduce-only with no position left, is cancelled rather than opening a short.
    expect(h.events.at(-1)).toMatchObject({ kind: 'cancelled', order: { tag: 'target' }, reason: 'reduce-only: no position left to reduce' });
    expect(h.account.position(SYM).qty).toBe(0);
  });

  it('only a target reachable: the target fills and nothing is counted', () => {
    const h = harness();
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1 });
    h.bar(100, 100, 100, 100);
    h.om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 1, price: 105, reduceOnly: true });
    h.om.place({ symbol: SYM, side: 'sell', type: 'stop', qty: 1, stopPrice: 95, reduceOnly: true });
    h.bar(100, 106, 99, 105);
    expect(h.venue.stopTargetBars).toBe(0);
    expect(h.fills()[1]!.price).toBe(105);
  });

  it('IOC orders live for one bar; DAY orders expire when the UTC day changes', () => {
    const h = harness();
    h.bar(100, 100, 100, 100);
    const ioc = h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90, tif: 'IOC' });
    h.bar(100, 101, 95, 99);
    expect(h.events.at(-1)).toMatchObject({ kind: 'expired', order: { id: ioc.ok && ioc.orderId } });
    const day = h.om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 1, price: 90, tif: 'DAY' });
    for (let i = 0; i < 1440; i++) h.bar(100, 101, 95, 99);
    expect(h.events.at(-1)).toMatchObject({ kind: 'expired', order: { id: day.ok && day.orderId } });
  });

  it('rejects, on its own, an order it cannot work (defence behind the order manager)', () => {
    const clock = new SimulatedClock(0);
    const venue = new SimulatedVenue(clock);
    const said: string[] = [];
    venue.connect(
      callbacks({
        accepted: (id) => said.push(`accepted ${id}`),
        rejected: (id, reason) => said.push(`rejected ${id}: ${reason}`),
      }),
    );
    venue.submit(new Order('o1', 'c1', { symbol: SYM, side: 'buy', type: 'limit', qty: 1 }, 0));
    venue.submit(new Order('o2', 'c2', { symbol: SYM, side: 'buy', type: 'market' }, 0));
    expect(said).toEqual(['rejected o1: limit order needs a positive price', 'rejected o2: order needs a positive qty or quoteQty']);
    expect(venue.workingCount).toBe(0);
  });
});
