import { describe, expect, it } from 'vitest';
import type { RiskVerdict } from '../../src/execution/types';
import type { OrderRequest } from '../../src/model/order';
import { RiskEngine, type RiskEvent } from '../../src/risk/engine';
import type { RiskLimits } from '../../src/risk/limits';
import { MemoryRiskPersistence } from '../../src/risk/persistence';
import { LOOSE, TestView } from './helpers';

function setup(limits: Partial<RiskLimits> = {}) {
  const view = new TestView(100_000);
  view.setPrice('BTC/USDT', 50_000);
  view.setPrice('ETH/USDT', 2_000);
  view.setPrice('SOL/USDT', 100);
  const persistence = new MemoryRiskPersistence();
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ persistence, clock: view.clock, limits: { ...LOOSE, ...limits }, onEvent: (e) => events.push(e) });
  return { view, risk, persistence, events };
}

const buy = (qty: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({ symbol: 'BTC/USDT', side: 'buy', type: 'market', qty, ...extra });
const sell = (qty: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({ symbol: 'BTC/USDT', side: 'sell', type: 'market', qty, ...extra });

function denied(v: RiskVerdict): { check: string; reason: string } {
  if (v.ok) throw new Error(`expected a denial, got ${JSON.stringify(v.request)}`);
  return { check: v.check, reason: v.reason };
}

describe('each check denies with its id and a reason', () => {
  it('order_shape', () => {
    const { view, risk } = setup();
    expect(denied(risk.check(buy(1, { symbol: 'DOGE/USDT' }), view))).toEqual({ check: 'order_shape', reason: 'DOGE/USDT is not a known instrument' });
    expect(denied(risk.check(buy(1, { quoteQty: 10 }), view)).reason).toBe('exactly one of qty and quoteQty must be given');
    expect(denied(risk.check(buy(1, { type: 'limit' }), view)).reason).toBe('a limit order needs a positive price, got undefined');
    expect(denied(risk.check(buy(1, { type: 'stop', price: 5 }), view)).reason).toBe('a stop order takes no price');
    expect(denied(risk.check({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quoteQty: 100, price: 50_000 }, view)).reason).toMatch(/quoteQty is only for market orders/);
    expect(denied(risk.check(buy(1, { type: 'limit', price: 0.004 }), view)).reason).toBe('price 0.004 rounds to 0 at tick 0.01');
    expect(denied(risk.check(buy(-1), view)).reason).toBe('qty must be a positive number, got -1');
  });

  it('kill_switch', () => {
    const { view, risk } = setup();
    risk.killSwitch.engage({ reason: 'fat finger on desk 2', actor: 'test' });
    expect(denied(risk.check(buy(0.01), view))).toEqual({ check: 'kill_switch', reason: 'kill switch engaged (fat finger on desk 2): no new orders until it is reset' });
    risk.killSwitch.reset('test');
    expect(risk.check(buy(0.01), view).ok).toBe(true);
  });

  it('trading_halted: nothing new, not even a reducing order', () => {
    const { view, risk } = setup();
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    risk.setTradingState('HALTED', 'test', 'manual halt');
    expect(denied(risk.check(buy(0.01), view))).toEqual({ check: 'trading_halted', reason: 'trading is HALTED (manual halt): no new orders; cancels are allowed' });
    expect(denied(risk.check(sell(0.05), view)).check).toBe('trading_halted');
  });

  it('trading_reducing: only orders that reduce, never past flat, counting working orders; passed orders go out reduce-only', () => {
    const { view, risk } = setup();
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    risk.setTradingState('REDUCING', 'test', 'cool down');
    expect(denied(risk.check(buy(0.01), view))).toEqual({
      check: 'trading_reducing',
      reason: 'trading is REDUCING (cool down): only orders that reduce a position, not past flat (position 0.1)',
    });
    expect(denied(risk.check(sell(0.11), view)).check).toBe('trading_reducing');
    expect(denied(risk.check(sell(0.01, { symbol: 'ETH/USDT' }), view)).check).toBe('trading_reducing');
    const ok = risk.check(sell(0.06), view);
    expect(ok).toEqual({ ok: true, request: { ...sell(0.06), reduceOnly: true } });
    view.rest(sell(0.06, { type: 'limit', price: 50_100 }));
    expect(denied(risk.check(sell(0.05), view)).check).toBe('trading_reducing');
    expect(risk.check(sell(0.04), view).ok).toBe(true);
  });

  it('reduce_only: a reduce-only order that would open or go past flat', () => {
    const { view, risk } = setup();
    expect(denied(risk.check(sell(0.01, { reduceOnly: true }), view))).toEqual({
      check: 'reduce_only',
      reason: 'reduce-only order of sell 0.01 would not only reduce position 0 (working buys 0, sells 0)',
    });
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    expect(denied(risk.check(sell(0.2, { reduceOnly: true }), view)).check).toBe('reduce_only');
    expect(risk.check(sell(0.1, { reduceOnly: true }), view).ok).toBe(true);
  });

  it('stale_price: no price, or one older than maxPriceAgeMs, for any order type', () => {
    const { view, risk } = setup({ maxPriceAgeMs: 5_000 });
    view.prices.delete('SOL/USDT');
    expect(denied(risk.check(buy(1, { symbol: 'SOL/USDT' }), view))).toEqual({ check: 'stale_price', reason: 'no reference price for SOL/USDT' });
    view.advance(5_001);
    expect(denied(risk.check(buy(0.01), view))).toEqual({ check: 'stale_price', reason: 'reference price for BTC/USDT is 5001 ms old (limit 5000 ms)' });
    expect(denied(risk.check(buy(0.01, { type: 'limit', price: 50_000 }), view)).check).toBe('stale_price');
    view.setPrice('BTC/USDT', 50_000);
    expect(risk.check(buy(0.01), view).ok).toBe(true);
    view.prices.set('ETH/USDT', { price: 0, ts: view.now() });
    expect(denied(risk.check(buy(1, { symbol: 'ETH/USDT' }), view)).reason).toBe('reference price for ETH/USDT is 0, not a usable price');
  });

  it('price_collar: limit and stop prices within the collar of the reference price', () => {
    const { view, risk } = setup({ priceCollarPct: 5 });
    expect(denied(risk.check(buy(0.01, { type: 'limit', price: 53_000 }), view))).toEqual({
      check: 'price_collar',
      reason: 'price 53000 is 6.00% from the reference price 50000 (collar 5%)',
    });
    expect(denied(risk.check(sell(0.01, { type: 'stop', stopPrice: 47_000 }), view)).reason).toMatch(/^stopPrice 47000 is 6.00%/);
    expect(risk.check(buy(0.01, { type: 'limit', price: 52_500 }), view).ok).toBe(true);
  });

  it('min_qty: below the lot after rounding down, or below the instrument minimum', () => {
    const { view, risk } = setup();
    expect(denied(risk.check(buy(0.00009), view))).toEqual({ check: 'min_qty', reason: 'qty rounds to 0 at lot size 0.0001' });
    expect(denied(risk.check(buy(0.00019), view))).toEqual({ check: 'min_qty', reason: 'qty 0.0001 is below the instrument minimum 0.0002' });
  });

  it('min_notional', () => {
    const { view, risk } = setup();
    expect(denied(risk.check(buy(0.04, { symbol: 'SOL/USDT' }), view))).toEqual({ check: 'min_notional', reason: 'notional 4 is below the instrument minimum 5' });
    expect(denied(risk.check({ symbol: 'SOL/USDT', side: 'buy', type: 'market', quoteQty: 4 }, view)).check).toBe('min_notional');
  });

  it('max_order_qty', () => {
    const { view, risk } = setup({ maxOrderQty: 10 });
    expect(denied(risk.check(buy(11, { symbol: 'SOL/USDT' }), view))).toEqual({ check: 'max_order_qty', reason: 'qty 11 exceeds the per-order maximum 10' });
    expect(risk.check(buy(10, { symbol: 'SOL/USDT' }), view).ok).toBe(true);
  });

  it('max_order_notional: at the limit price, else the stop, else the reference price', () => {
    const { view, risk } = setup({ maxOrderNotional: 1_000 });
    expect(denied(risk.check(buy(0.021), view))).toEqual({ check: 'max_order_notional', reason: 'notional 1050.00 exceeds the per-order maximum 1000' });
    expect(denied(risk.check(buy(0.02, { type: 'limit', price: 50_100 }), view)).check).toBe('max_order_notional');
    expect(risk.check(buy(0.02, { type: 'limit', price: 49_900 }), view).ok).toBe(true);
    expect(denied(risk.check({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quoteQty: 1_001 }, view)).check).toBe('max_order_notional');
  });

  it('self_match: a buy at or above our working sell, a sell at or below our working buy, a market order against our resting side', () => {
    const { view, risk } = setup();
    const ask = view.rest(sell(0.01, { type: 'limit', price: 50_100, reduceOnly: false }));
    expect(denied(risk.check(buy(0.01, { type: 'limit', price: 50_100 }), view))).toEqual({ check: 'self_match', reason: `would cross our own working sell ${ask.id} at 50100` });
    expect(denied(risk.check(buy(0.01), view)).check).toBe('self_match');
    expect(risk.check(buy(0.01, { type: 'limit', price: 50_099.99 }), view).ok).toBe(true);
    view.working = [];
    view.rest(buy(0.01, { type: 'limit', price: 49_900 }));
    expect(denied(risk.check(sell(0.01, { type: 'limit', price: 49_900 }), view)).check).toBe('self_match');
    expect(risk.check(sell(0.01, { type: 'limit', price: 49_900.01 }), view).ok).toBe(true);
  });

  it('max_position: the worst case of position plus working orders on one side', () => {
    const { view, risk } = setup({ maxPositionNotional: 10_000 });
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    view.rest(buy(0.05, { type: 'limit', price: 49_000 }));
    expect(denied(risk.check(buy(0.06), view))).toEqual({ check: 'max_position', reason: 'BTC/USDT position could reach 10500.00 notional (limit 10000)' });
    expect(risk.check(buy(0.05), view).ok).toBe(true);
    // over the limit already (the limit was lowered): reducing still passes
    risk.setLimits({ maxPositionNotional: 1_000 }, 'test');
    expect(risk.check(sell(0.05, { type: 'limit', price: 50_000 }), view).ok).toBe(true);
    expect(denied(risk.check(buy(0.001, { type: 'limit', price: 49_000 }), view)).check).toBe('max_position');
  });

  it('max_exposure: gross worst-case exposure within maxExposurePct of equity (30% by default)', () => {
    const { view, risk } = setup({ maxExposurePct: 30 });
    view.fill('ETH/USDT', 'buy', 10, 2_000); // 20k of 100k
    expect(denied(risk.check(buy(0.21), view))).toEqual({
      check: 'max_exposure',
      reason: 'gross exposure could reach 30500.00, over 30% of equity 100000.00 (30000.00)',
    });
    expect(risk.check(buy(0.2), view).ok).toBe(true);
    // a short counts as exposure too
    expect(denied(risk.check(sell(0.21), view)).check).toBe('max_exposure');
  });

  it('max_open_positions: a third symbol when two are open or opening (default 2)', () => {
    const { view, risk } = setup({ maxOpenPositions: 2 });
    view.fill('ETH/USDT', 'buy', 1, 2_000);
    view.rest(buy(0.01, { type: 'limit', price: 49_000 }));
    expect(denied(risk.check(buy(1, { symbol: 'SOL/USDT' }), view))).toEqual({
      check: 'max_open_positions',
      reason: '2 positions open or opening (limit 2); SOL/USDT would be another',
    });
    expect(risk.check(buy(0.01), view).ok).toBe(true);
    expect(risk.check(buy(1, { symbol: 'ETH/USDT' }), view).ok).toBe(true);
  });

  it('working_notional: opening orders covered by the free balance; reducing orders need none', () => {
    const { view, risk } = setup();
    view.fill('ETH/USDT', 'buy', 40, 2_000); // 80k used, 20k free
    view.rest(buy(0.3, { type: 'limit', price: 49_000 })); // 14.7k reserved
    expect(denied(risk.check(buy(0.11), view))).toEqual({
      check: 'working_notional',
      reason: 'working orders would commit 20200.00, more than the free balance 20000.00',
    });
    expect(risk.check(buy(0.1), view).ok).toBe(true);
    expect(risk.check(sell(40, { symbol: 'ETH/USDT' }), view).ok).toBe(true);
  });

  it('duplicate: same symbol, side, quantity and price within the window', () => {
    const { view, risk } = setup({ duplicateWindowMs: 1_000 });
    expect(risk.check(buy(0.01, { type: 'limit', price: 49_000 }), view).ok).toBe(true);
    view.advance(999);
    view.setPrice('BTC/USDT', 50_000);
    expect(denied(risk.check(buy(0.01, { type: 'limit', price: 49_000 }), view))).toEqual({
      check: 'duplicate',
      reason: 'same buy 0.01 BTC/USDT @ 49000 as an order 999 ms ago (window 1000 ms)',
    });
    expect(risk.check(buy(0.01, { type: 'limit', price: 49_000.01 }), view).ok).toBe(true);
    view.advance(1);
    expect(risk.check(buy(0.01, { type: 'limit', price: 49_000 }), view).ok).toBe(true);
  });

  it('order_rate: a burst, then ordersPerSecond; denied orders spend no token', () => {
    const { view, risk } = setup({ ordersPerSecond: 2, orderBurst: 3 });
    for (let i = 0; i < 3; i++) expect(risk.check(buy(0.01 + i * 0.001), view).ok).toBe(true);
    expect(denied(risk.check(buy(0.02), view))).toEqual({ check: 'order_rate', reason: 'more than 2 orders/s (burst 3)' });
    view.advance(499);
    expect(denied(risk.check(buy(0.02), view)).check).toBe('order_rate');
    view.advance(1);
    expect(risk.check(buy(0.02), view).ok).toBe(true);
    expect(denied(risk.check(buy(0.021), view)).check).toBe('order_rate');
  });
});

describe('denials are events and audit rows', () => {
  it('each denial emits an event and appends an audit row with check, reason and request', () => {
    const { view, risk, persistence, events } = setup({ maxOrderQty: 1 });
    const req = buy(2, { owner: 'sma-cross', source: 'strategy' });
    risk.check(req, view);
    expect(events).toEqual([{ kind: 'denied', request: req, check: 'max_order_qty', reason: 'qty 2 exceeds the per-order maximum 1', ts: view.now() }]);
    expect(persistence.auditTrail).toEqual([
      { ts: view.now(), actor: 'sma-cross', action: 'risk.denied', before: undefined, after: { check: 'max_order_qty', reason: 'qty 2 exceeds the per-order maximum 1', request: req } },
    ]);
    expect(risk.snapshot(view.account).lastDenial).toEqual({ check: 'max_order_qty', reason: 'qty 2 exceeds the per-order maximum 1', ts: view.now() });
  });
});

describe('preview', () => {
  it('gives the verdict check() would, with no audit row, no event, no token spent and nothing remembered', () => {
    const { view, risk, persistence, events } = setup({ ordersPerSecond: 1, orderBurst: 1, duplicateWindowMs: 1_000, maxOrderQty: 1 });
    const order = buy(0.01, { type: 'limit', price: 49_000 });
    for (let i = 0; i < 3; i++) expect(risk.preview(order, view)).toEqual({ ok: true, request: order });
    expect(risk.preview(buy(2), view)).toEqual({ ok: false, check: 'max_order_qty', reason: 'qty 2 exceeds the per-order maximum 1' });
    expect(persistence.auditTrail).toEqual([]);
    expect(events).toEqual([]);
    expect(risk.check(order, view).ok).toBe(true); // the one token is still there, and no duplicate was remembered
    expect(risk.preview(order, view)).toMatchObject({ ok: false, check: 'duplicate' });
  });
});

describe('the in-memory audit trail (backtests)', () => {
  it('keeps the newest rows within its cap and counts the dropped ones', () => {
    const view = new TestView();
    view.setPrice('BTC/USDT', 50_000);
    const persistence = new MemoryRiskPersistence(10);
    const risk = new RiskEngine({ persistence, clock: view.clock, limits: { ...LOOSE, maxOrderQty: 1 } });
    for (let i = 0; i < 40; i++) risk.check(buy(2 + i), view);
    expect(persistence.auditTrail.length + persistence.auditDropped).toBe(40);
    expect(persistence.auditTrail.length).toBeLessThanOrEqual(15);
    expect(persistence.auditTrail.at(-1)?.after).toMatchObject({ reason: 'qty 41 exceeds the per-order maximum 1' });
  });
});

describe('rounding to tick and lot never makes an order worse than asked', () => {
  it('qty rounds down; buy limit down, sell limit up; buy stop down, sell stop up', () => {
    const { view, risk } = setup();
    const out = (r: OrderRequest) => {
      const v = risk.check(r, view);
      if (!v.ok) throw new Error(v.reason);
      return v.request;
    };
    expect(out(buy(0.012345, { type: 'limit', price: 50_000.019 }))).toMatchObject({ qty: 0.0123, price: 50_000.01 });
    expect(out(sell(0.012345, { type: 'limit', price: 50_000.011 }))).toMatchObject({ qty: 0.0123, price: 50_000.02 });
    expect(out(buy(0.0124, { type: 'stop', stopPrice: 50_100.019 }))).toMatchObject({ stopPrice: 50_100.01 });
    expect(out(sell(0.0124, { type: 'stop_limit', stopPrice: 49_900.011, price: 49_890.001 }))).toMatchObject({ stopPrice: 49_900.02, price: 49_890.01 });
  });
});

describe("the risk engine's own flattening orders", () => {
  it('pass a kill switch and a halt when they only reduce, and nothing else does', () => {
    const { view, risk } = setup({ maxPriceAgeMs: 1_000 });
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    risk.killSwitch.engage({ reason: 'test', actor: 'test' });
    risk.setTradingState('HALTED', 'test');
    view.advance(60_000); // prices went stale: the flatten still goes
    expect(risk.check(sell(0.1, { source: 'risk' }), view)).toEqual({ ok: true, request: { ...sell(0.1, { source: 'risk' }), reduceOnly: true } });
    expect(denied(risk.check(sell(0.2, { source: 'risk' }), view)).check).toBe('kill_switch');
    expect(denied(risk.check(sell(0.1, { source: 'strategy' }), view)).check).toBe('kill_switch');
  });

  it('go out reduce-only in ACTIVE too', () => {
    const { view, risk } = setup();
    view.fill('BTC/USDT', 'buy', 0.1, 50_000);
    expect(risk.check(sell(0.1, { source: 'risk' }), view)).toEqual({ ok: true, request: { ...sell(0.1, { source: 'risk' }), reduceOnly: true } });
  });
});
