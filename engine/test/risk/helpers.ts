import { SimulatedClock } from '../../src/core/clock';
import { badInput } from '../../src/core/errors';
import type { RiskView } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import type { Instrument } from '../../src/model/instrument';
import { Order, type OrderRequest, type Side } from '../../src/model/order';

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export const INSTRUMENTS: Record<string, Instrument> = {
  'BTC/USDT': { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, lotSize: 0.0001, minQty: 0.0002, minNotional: 5, makerFee: 0, takerFee: 0 },
  'ETH/USDT': { symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', tickSize: 0.01, lotSize: 0.001, minQty: 0.001, minNotional: 5, makerFee: 0, takerFee: 0 },
  'SOL/USDT': { symbol: 'SOL/USDT', base: 'SOL', quote: 'USDT', tickSize: 0.001, lotSize: 0.01, minQty: 0.01, minNotional: 5, makerFee: 0, takerFee: 0 },
};

/** A RiskView over a real Account, real instruments and real Orders, on a simulated clock. */
export class TestView implements RiskView {
  readonly clock = new SimulatedClock(T0);
  readonly account: Account;
  readonly prices = new Map<string, { price: number; ts: number }>();
  working: Order[] = [];
  private seq = 0;

  constructor(cash = 100_000) {
    this.account = new Account(cash, 'USDT');
  }

  now(): number {
    return this.clock.now();
  }

  instrument(symbol: string): Instrument {
    const i = INSTRUMENTS[symbol];
    if (!i) throw badInput(`unknown instrument ${symbol}`, 'test view');
    return i;
  }

  referencePrice(symbol: string): { price: number; ts: number } | undefined {
    return this.prices.get(symbol);
  }

  workingOrders(): readonly Order[] {
    return this.working;
  }

  ledgerQty(_ledger: string, symbol: string): number {
    return this.account.position(symbol).qty;
  }

  advance(ms: number): void {
    this.clock.set(this.clock.now() + ms);
  }

  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, { price, ts: this.now() });
    this.account.mark(symbol, price);
  }

  fill(symbol: string, side: Side, qty: number, price: number): void {
    this.seq += 1;
    this.account.applyFill({ id: `f${this.seq}`, orderId: `o${this.seq}`, clientOrderId: `c${this.seq}`, symbol, side, qty, price, fee: 0, liquidity: 'taker', ts: this.now() });
    this.account.mark(symbol, this.prices.get(symbol)?.price ?? price);
  }

  /** Adds an accepted (working) order as the order manager would hold it. */
  rest(req: OrderRequest): Order {
    this.seq += 1;
    const o = new Order(`w${this.seq}`, `cw${this.seq}`, req, this.now());
    o.transition('submitted', this.now());
    o.transition('accepted', this.now());
    this.working.push(o);
    return o;
  }
}

/** Limits loose enough that no check fires unless a test tightens it. */
export const LOOSE = {
  maxOrderQty: 1e9,
  maxOrderNotional: 1e12,
  priceCollarPct: 100,
  maxPositionNotional: 1e12,
  maxExposurePct: 1000,
  maxOpenPositions: 10_000,
  ordersPerSecond: 10_000,
  orderBurst: 100_000,
  duplicateWindowMs: 0,
  maxDailyLossPct: 100,
  maxDrawdownPct: 100,
} as const;
