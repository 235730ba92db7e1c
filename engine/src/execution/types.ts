import type { Account } from '../model/account';
import type { Bar } from '../model/bar';
import type { Fill } from '../model/fill';
import type { Instrument } from '../model/instrument';
import type { Quote } from '../model/quote';
import type { Trade } from '../model/trade';
import type { Order, OrderChanges, OrderRequest, OrderSnapshot } from '../model/order';

/**
 * The order path's seams. Strategy or ticket -> PreTradeRisk -> OrderManager (persists via
 * OrderJournal before anything leaves) -> Venue -> VenueCallbacks -> portfolio and events.
 * Backtest, paper and live differ only in the Venue and the Clock behind these.
 */

/** What the order manager tells the rest of the engine (strategies, UI, journal). */
export type OrderEvent =
  | { kind: 'denied'; request: OrderRequest; check: string; reason: string; ts: number }
  | { kind: 'submitted' | 'accepted' | 'cancelled' | 'expired' | 'rejected'; order: OrderSnapshot; reason?: string; ts: number }
  | { kind: 'filled' | 'partially_filled'; order: OrderSnapshot; fill: Fill; ts: number }
  /** An amendment the venue confirmed (`order` as amended), or refused (`order` as it still is). */
  | { kind: 'modified' | 'modify_rejected'; order: OrderSnapshot; changes: OrderChanges; reason?: string; ts: number }
  /** The venue refused a cancel (the order had filled, or is unknown to it): the order stands as reported. */
  | { kind: 'cancel_rejected'; order: OrderSnapshot; reason: string; ts: number };

export type OrderEventKind = OrderEvent['kind'];

export type RiskVerdict =
  | { ok: true; /** the request as it may go out, e.g. rounded to tick and lot */ request: OrderRequest }
  | { ok: false; check: string; reason: string };

/** What pre-trade risk may look at. Read-only by contract. */
export interface RiskView {
  now(): number;
  /** The whole account: every ledger's cash and positions together, as the venue holds them. */
  account: Account;
  /** One ledger's signed position in `symbol`: what reduce-only and trading-state checks measure an order against. */
  ledgerQty(ledger: string, symbol: string): number;
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

export type VenueConnection = 'connected' | 'connecting' | 'disconnected';

/** One execution as a venue reports it. A venue trade id seen before is a duplicate: dropped. */
export interface VenueFill {
  qty: number;
  price: number;
  /** In quote currency. */
  fee: number;
  liquidity: 'maker' | 'taker';
  ts: number;
  /** Unique per venue (a live venue namespaces ids that are unique per symbol only). */
  venueTradeId?: string;
  /** The asset the venue charged and how much of it, where it is not the quote currency. */
  feeAsset?: string;
  feeNative?: number;
}

/** How a venue reports back. Called synchronously by simulated venues, later by live ones. */
export interface VenueCallbacks {
  accepted(orderId: string, ts: number, venueOrderId?: string): void;
  rejected(orderId: string, reason: string, ts: number): void;
  cancelled(orderId: string, ts: number, reason?: string): void;
  expired(orderId: string, ts: number): void;
  filled(orderId: string, fill: VenueFill): void;
  /** An amendment took effect at the venue. */
  modified(orderId: string, ts: number, changes: OrderChanges): void;
  modifyRejected(orderId: string, reason: string, ts: number): void;
  /** A cancel the venue would not carry out; the order stands as the venue last reported it. */
  cancelRejected(orderId: string, reason: string, ts: number): void;
  /** The link to the venue changed; while it is not 'connected' nothing sent is known to arrive. */
  connection(state: VenueConnection, ts: number, detail?: string): void;
}

/** One order as the venue knows it, for reconciliation against the journal. */
export interface OrderStatusReport {
  clientOrderId: string;
  /** Placed by someone else (another program, the exchange's website): never touched without the trader. */
  external?: boolean;
  venueOrderId: string | undefined;
  symbol: string;
  side: Order['side'];
  type: Order['type'];
  qty: number;
  filledQty: number;
  price: number | undefined;
  stopPrice: number | undefined;
  status: 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  ts: number;
}

export interface FillReport extends VenueFill {
  clientOrderId: string;
  symbol: string;
  side: Order['side'];
}

/**
 * What the venue says is true now: its working orders (and each order it was asked about,
 * whatever its state), the fills of those orders (from `since` on), net positions, and for an
 * exchange account its balances.
 */
export interface VenueStatus {
  asOf: number;
  orders: OrderStatusReport[];
  fills: FillReport[];
  positions: { symbol: string; qty: number }[];
  /** Client order ids it was asked about and does not know. */
  missing?: string[];
  /** Total (free and locked) per asset. */
  balances?: { asset: string; total: number }[];
}

export interface VenueCapabilities {
  /** The venue changes a working order's price or quantity in place; otherwise a change is a cancel, then a replacement. */
  amend: boolean;
  /** The venue keeps orders across an engine restart (a live exchange); a paper venue's die with it. */
  persistent: boolean;
  /**
   * A persistent venue: how long after an order was sent "not found" at the venue is final
   * (the order never reached it). Before that, not found may only mean not yet.
   */
  notFoundFinalAfterMs?: number;
}

export interface Venue {
  readonly kind: 'simulated' | 'paper' | 'live';
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  connect(callbacks: VenueCallbacks): void;
  submit(order: Order): void;
  cancel(order: Order): void;
  /** Only where capabilities.amend: changes a working order, answered by modified() or modifyRejected(). */
  modify?(order: Order, changes: OrderChanges): void;
  /** What the venue holds now, for reconciliation; fills from `since` on; `ask`: orders to look up one by one (a persistent venue). */
  status?(since: number, ask?: readonly OrderSnapshot[]): Promise<VenueStatus>;
  /** A persistent venue is handed the orders the journal holds as working after a restart (or adopted), so their reports find them. */
  restore?(orders: readonly Order[]): void;
  /** Simulated and paper venues match working orders against each new bar (before the strategy sees it). */
  onBar?(symbol: string, bar: Bar): void;
  /** A paper venue matches against prints and quotes too; a live venue's exchange does its own matching. */
  onTrade?(symbol: string, trade: Trade): void;
  onQuote?(symbol: string, quote: Quote): void;
}
