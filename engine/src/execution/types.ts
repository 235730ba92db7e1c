import type { Account } from '../model/account';
import type { Bar } from '../model/bar';
import type { Fill } from '../model/fill';
import type { Instrument } from '../model/instrument';
import type { Order, OrderRequest, OrderSnapshot } from '../model/order';

/**
 * The order path's seams. Strategy or ticket -> PreTradeRisk -> OrderManager (persists via
 * OrderJournal before anything leaves) -> Venue -> VenueCallbacks -> portfolio and events.
 * Backtest, paper and live differ only in the Venue and the Clock behind these.
 */

/** What the order manager tells the rest of the engine (strategies, UI, journal). */
export type OrderEvent =
  | { kind: 'denied'; request: OrderRequest; check: string; reason: string; ts: number }
  | { kind: 'submitted' | 'accepted' | 'cancelled' | 'expired' | 'rejected'; order: OrderSnapshot; reason?: string; ts: number }
  | { kind: 'filled' | 'partially_filled'; order: OrderSnapshot; fill: Fill; ts: number };

export type RiskVerdict =
  | { ok: true; /** the request as it may go out, e.g. rounded to tick and lot */ request: OrderRequest }
  | { ok: false; check: string; reason: string };

/** What pre-trade risk may look at. Read-only by contract. */
export interface RiskView {
  now(): number;
  account: Account;
  instrument(symbol: string): Instrument;
  /** Last trusted price and its time, or undefined when none has been seen. */
  referencePrice(symbol: string): { price: number; ts: number } | undefined;
  workingOrders(): readonly Order[];
}

export interface PreTradeRisk {
  /** Runs for every new order from any source, in every mode. Must be cheap: it sits in the backtest loop. */
  check(request: OrderRequest, view: RiskView): RiskVerdict;
  /** Told of every fill, so limits that depend on realised PnL or rates stay current. */
  onFill?(fill: Fill, view: RiskView): void;
}

/** A risk hook that allows everything: for research runs that ask for none. */
export const NO_RISK: PreTradeRisk = { check: (request) => ({ ok: true, request }) };

/** Where orders and fills are made durable. SQLite in paper and live; memory in backtests. */
export interface OrderJournal {
  orderChanged(order: Order): void;
  fillAdded(fill: Fill): void;
}

export const NO_JOURNAL: OrderJournal = { orderChanged: () => {}, fillAdded: () => {} };

/** How a venue reports back. Called synchronously by simulated venues, later by live ones. */
export interface VenueCallbacks {
  accepted(orderId: string, ts: number, venueOrderId?: string): void;
  rejected(orderId: string, reason: string, ts: number): void;
  cancelled(orderId: string, ts: number, reason?: string): void;
  expired(orderId: string, ts: number): void;
  filled(orderId: string, fill: { qty: number; price: number; fee: number; liquidity: 'maker' | 'taker'; ts: number; venueTradeId?: string }): void;
}

export interface Venue {
  readonly kind: 'simulated' | 'paper' | 'live';
  readonly name: string;
  connect(callbacks: VenueCallbacks): void;
  submit(order: Order): void;
  cancel(order: Order): void;
  /** Simulated and paper venues match working orders against each new bar (before the strategy sees it). */
  onBar?(symbol: string, bar: Bar): void;
}
