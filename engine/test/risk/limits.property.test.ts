import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RiskView } from '../../src/execution/types';
import { isOnStep } from '../../src/model/instrument';
import type { OrderRequest, OrderType, Side } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import type { RiskLimits } from '../../src/risk/limits';
import { INSTRUMENTS, TestView } from './helpers';

/**
 * No sequence of orders gets one past a limit: every order the engine accepts satisfies
 * every limit given the state at that moment. The limits are computed here from their
 * documented definitions (docs/risk.md), independently of the engine's check modules.
 */

const SYMBOLS: readonly string[] = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const START: Record<string, number> = { 'BTC/USDT': 50_000, 'ETH/USDT': 2_000, 'SOL/USDT': 100 };
const EPS = 1e-9;

type Action =
  | { kind: 'order'; symbol: number; side: Side; type: OrderType; notional: number; offsetPct: number; reduceOnly: boolean; rest: boolean }
  | { kind: 'tick'; dt: number; moves: number[]; stale: number }
  | { kind: 'fill'; index: number }
  | { kind: 'cancel'; index: number }
  | { kind: 'state'; to: 'ACTIVE' | 'REDUCING' | 'HALTED' }
  | { kind: 'repeat'; dt: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      symbol: fc.integer({ min: 0, max: 2 }),
      side: fc.constantFrom<Side>('buy', 'sell'),
      type: fc.constantFrom<OrderType>('market', 'limit', 'stop', 'stop_limit'),
      // log-uniform from 5 to 40k: small orders and fat fingers alike
      notional: fc.integer({ min: 0, max: 1_000 }).map((k) => 5 * Math.pow(8_000, k / 1_000)),
      offsetPct: fc.double({ min: -8, max: 8, noNaN: true }),
      reduceOnly: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      rest: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 4_000 }), moves: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 3, maxLength: 3 }), stale: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fill' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), dt: fc.integer({ min: 0, max: 1_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('state' as const), to: fc.constantFrom('ACTIVE' as const, 'ACTIVE' as const, 'REDUCING' as const, 'HALTED' as const) }) },
);

const tightArb = fc.record({
  maxOrderQty: fc.constantFrom(5, 100, 1_000),
  maxOrderNotional: fc.constantFrom(3_000, 8_000, 50_000),
  priceCollarPct: fc.constantFrom(2, 5),
  maxPriceAgeMs: fc.constantFrom(2_000, 5_000),
  maxPositionNotional: fc.constantFrom(5_000, 15_000, 1_000_000),
  maxExposurePct: fc.constantFrom(10, 30, 300),
  maxOpenPositions: fc.constantFrom(1, 2),
  ordersPerSecond: fc.constantFrom(1, 3),
  orderBurst: fc.constantFrom(1, 4),
  duplicateWindowMs: fc.constantFrom(0, 1_000),
  maxDailyLossPct: fc.constant(100),
  maxDrawdownPct: fc.constant(100),
});

/** Exposure and position limits wide open, so the free-balance check is the one that binds. */
const marginArb = tightArb.map((l) => ({ ...l, maxExposurePct: 500, maxPositionNotional: 1e7, maxOrderNotional: 1e6, maxOrderQty: 1e6, maxOpenPositions: 3 }));

const limitsArb = fc.oneof({ weight: 3, arbitrary: tightArb }, { weight: 1, arbitrary: marginArb });

// ---------- the limits, from their definitions ----------

function positionOf(view: TestView, symbol: string): number {
  return view.account.snapshotPositions().find((p) => p.symbol === symbol)?.qty ?? 0;
}

function sideTotals(view: TestView, symbol: string): { buys: number; sells: number } {
  let buys = 0;
  let sells = 0;
  for (const o of view.working) {
    if (o.symbol !== symbol) continue;
    if (o.side === 'buy') buys += o.qty - o.filledQty;
    else sells += o.qty - o.filledQty;
  }
  return { buys, sells };
}

/** The largest |position| reachable if every working order on one side (and this order) filled. */
function worst(view: TestView, symbol: string, add: { side: Side; qty: number } | undefined): number {
  const pos = positionOf(view, symbol);
  const { buys, sells } = sideTotals(view, symbol);
  const b = add?.side === 'buy' ? add.qty : 0;
  const s = add?.side === 'sell' ? add.qty : 0;
  return Math.max(Math.abs(pos + buys + b), Math.abs(pos - sells - s));
}

function onlyReducesPosition(view: TestView, symbol: string, side: Side, qty: number): boolean {
  const pos = positionOf(view, symbol);
  if (pos === 0 || (side === 'buy') === pos > 0) return false;
  const { buys, sells } = sideTotals(view, symbol);
  return qty + (side === 'buy' ? buys : sells) <= Math.abs(pos) * (1 + 1e-12);
}

function activeSymbols(view: TestView): string[] {
  return SYMBOLS.filter((s) => positionOf(view, s) !== 0 || view.working.some((o) => o.symbol === s));
}

interface Accepted {
  ts: number;
  key: string;
}

function assertWithinLimits(view: TestView, l: RiskLimits, state: string, asked: OrderRequest, out: OrderRequest, history: Accepted[]): void {
  const now = view.now();
  const sym = out.symbol;
  const inst = INSTRUMENTS[sym]!;
  const ref = view.prices.get(sym)!;
  const qty = out.qty!;
  const where = JSON.stringify({ asked, out, state });

  expect(state, where).not.toBe('HALTED');
  if (state === 'REDUCING' || asked.reduceOnly) expect(onlyReducesPosition(view, sym, out.side, qty), where).toBe(true);
  if (state === 'REDUCING') expect(out.reduceOnly, where).toBe(true);

  // shape and rounding: never more than asked, never a worse price
  expect(isOnStep(qty, inst.lotSize) && qty <= asked.qty! && qty >= inst.minQty, where).toBe(true);
  if (out.price !== undefined) {
    expect(isOnStep(out.price, inst.tickSize), where).toBe(true);
    expect(out.side === 'buy' ? out.price <= asked.price! : out.price >= asked.price!, where).toBe(true);
  }
  if (out.stopPrice !== undefined) expect(isOnStep(out.stopPrice, inst.tickSize), where).toBe(true);

  // fresh price and collar
  expect(now - ref.ts <= l.maxPriceAgeMs, where).toBe(true);
  for (const p of [out.price, out.stopPrice]) if (p !== undefined) expect(Math.abs(p - ref.price) / ref.price <= l.priceCollarPct / 100 + EPS, where).toBe(true);

  // fat finger and instrument minimums
  const notional = qty * (out.price ?? out.stopPrice ?? ref.price);
  expect(qty <= l.maxOrderQty, where).toBe(true);
  expect(notional <= l.maxOrderNotional * (1 + EPS), where).toBe(true);
  expect(notional >= inst.minNotional, where).toBe(true);

  // self-match
  if (out.type === 'market' || out.type === 'limit') {
    for (const o of view.working) {
      if (o.symbol !== sym || o.side === out.side || o.type !== 'limit') continue;
      const crosses = out.type === 'market' || (out.side === 'buy' ? out.price! >= o.price! : out.price! <= o.price!);
      expect(crosses, `${where} crosses ${o.id}`).toBe(false);
    }
  }

  // position and exposure, worst case, unless the order does not raise it
  const add = { side: out.side, qty };
  const posAfter = worst(view, sym, add) * ref.price;
  const posBefore = worst(view, sym, undefined) * ref.price;
  expect(posAfter <= l.maxPositionNotional * (1 + EPS) || posAfter <= posBefore * (1 + EPS), `${where} position ${posAfter}`).toBe(true);
  const price = (s: string) => view.prices.get(s)!.price;
  let expAfter = 0;
  let expBefore = 0;
  for (const s of SYMBOLS) {
    expAfter += worst(view, s, s === sym ? add : undefined) * price(s);
    expBefore += worst(view, s, undefined) * price(s);
  }
  const equity = view.account.equity();
  expect(expAfter <= (l.maxExposurePct / 100) * equity * (1 + EPS) || expAfter <= expBefore * (1 + EPS), `${where} exposure ${expAfter}`).toBe(true);

  // open positions
  const open = SYMBOLS.filter((s) => positionOf(view, s) !== 0 || view.working.some((o) => o.symbol === s && !o.reduceOnly));
  if (!open.includes(sym) && !out.reduceOnly) expect(open.length < l.maxOpenPositions, where).toBe(true);

  // opening orders covered by the free balance
  if (!out.reduceOnly && !onlyReducesPosition(view, sym, out.side, qty)) {
    let used = 0;
    for (const s of SYMBOLS) used += Math.abs(positionOf(view, s)) * price(s);
    let reserved = 0;
    for (const o of view.working) {
      const pos = positionOf(view, o.symbol);
      const rem = o.qty - o.filledQty;
      const reducing = o.reduceOnly || (pos !== 0 && (o.side === 'buy') === pos < 0 && rem <= Math.abs(pos));
      if (!reducing) reserved += rem * (o.price ?? o.stopPrice ?? price(o.symbol));
    }
    expect(reserved + notional <= (equity - used) * (1 + EPS) + EPS, `${where} reserved ${reserved}`).toBe(true);
  }

  // duplicates and rate
  const key = [sym, out.side, out.type, qty, out.price ?? '', out.stopPrice ?? ''].join('|');
  if (l.duplicateWindowMs > 0) expect(history.some((h) => h.key === key && now - h.ts < l.duplicateWindowMs), where).toBe(false);
  const times = [...history.map((h) => h.ts), now];
  for (const t1 of times) {
    const n = times.filter((t) => t >= t1).length;
    expect(n <= l.orderBurst + (l.ordersPerSecond * (now - t1)) / 1000 + EPS, `${where} rate`).toBe(true);
  }
}

const DENIALS = new Map<string, number>();
function run(limits: RiskLimits, actions: Action[]): { accepted: number; denied: number } {
  const view = new TestView(60_000);
  for (const s of SYMBOLS) view.setPrice(s, START[s]!);
  const risk = new RiskEngine({ clock: view.clock, limits });
  const history: Accepted[] = [];
  let accepted = 0;
  let denied = 0;
  let last: { req: OrderRequest; rest: boolean } | undefined;
  const decide = (req: OrderRequest, rest: boolean): void => {
    const ref = view.prices.get(req.symbol)!.price;
    const state = risk.tradingState;
    const v = risk.check(req, view as RiskView);
    if (!v.ok) {
      denied += 1;
      DENIALS.set(v.check, (DENIALS.get(v.check) ?? 0) + 1);
      return;
    }
    accepted += 1;
    assertWithinLimits(view, limits, state, req, v.request, history);
    const out = v.request;
    history.push({ ts: view.now(), key: [out.symbol, out.side, out.type, out.qty, out.price ?? '', out.stopPrice ?? ''].join('|') });
    if (out.type === 'market' || !rest) view.fill(out.symbol, out.side, out.qty!, out.price ?? out.stopPrice ?? ref);
    else view.rest(out);
  };
  for (const a of actions) {
    switch (a.kind) {
      case 'tick': {
        view.advance(a.dt);
        SYMBOLS.forEach((s, i) => {
          if (i !== a.stale - 1) view.setPrice(s, Number((view.prices.get(s)!.price * (1 + a.moves[i]!)).toFixed(2)));
        });
        risk.onEquity(view.account.equity(), view.now());
        break;
      }
      case 'fill': {
        if (view.working.length === 0) break;
        const o = view.working[a.index % view.working.length]!;
        view.fill(o.symbol, o.side, o.qty - o.filledQty, o.price ?? o.stopPrice!);
        view.working = view.working.filter((w) => w !== o);
        risk.onFill({ id: 'x', orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty, price: o.price ?? o.stopPrice!, fee: 0, liquidity: 'maker', ts: view.now() }, view);
        break;
      }
      case 'cancel': {
        if (view.working.length > 0) view.working.splice(a.index % view.working.length, 1);
        break;
      }
      case 'state':
        risk.setTradingState(a.to, 'property');
        break;
      case 'repeat':
        view.advance(a.dt);
        if (last) decide(last.req, last.rest);
        break;
      case 'order': {
        const symbol = SYMBOLS[a.symbol]!;
        const ref = view.prices.get(symbol)!.price;
        const px = Number((ref * (1 + a.offsetPct / 100)).toFixed(4));
        const req: OrderRequest = { symbol, side: a.side, type: a.type, qty: Number((a.notional / ref).toPrecision(6)), reduceOnly: a.reduceOnly || undefined };
        if (a.type === 'limit' || a.type === 'stop_limit') req.price = px;
        if (a.type === 'stop' || a.type === 'stop_limit') req.stopPrice = px;
        last = { req, rest: a.rest };
        decide(req, a.rest);
        break;
      }
    }
  }
  return { accepted, denied };
}

describe('property: no order gets past a limit', () => {
  it('every accepted order satisfies every limit, for random orders, prices, fills and timings', () => {
    let accepted = 0;
    let denied = 0;
    fc.assert(
      fc.property(limitsArb, fc.array(action, { minLength: 5, maxLength: 80 }), (partial, actions) => {
        const limits = new RiskEngine({ limits: partial }).limits;
        const r = run(limits, actions);
        accepted += r.accepted;
        denied += r.denied;
      }),
      { numRuns: 300, seed: 20261122 },
    );
    // the property is only worth something if both outcomes happen a lot, and every check bites
    expect(accepted).toBeGreaterThan(500);
    expect(denied).toBeGreaterThan(500);
    expect([...DENIALS.keys()].sort()).toEqual(
      ['duplicate', 'max_exposure', 'max_open_positions', 'max_order_notional', 'max_order_qty', 'max_position', 'min_notional', 'min_qty', 'order_rate',
        'price_collar', 'reduce_only', 'self_match', 'stale_price', 'trading_halted', 'trading_reducing', 'working_notional'],
    );
  });
});
