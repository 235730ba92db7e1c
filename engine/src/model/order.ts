import { KeelError } from '../core/errors';

/*
 * The order vocabulary, listed once. Every other copy (the wire's zod enums, the venues'
 * supported sets, the emulator's native types, the ticket's options) is derived from these
 * lists; engine/test/architecture.test.ts refuses a literal list of them anywhere else.
 */
export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIMES_IN_FORCE = ['GTC', 'IOC', 'FOK', 'DAY'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** How a ticket gives its size: a quantity, a quote-currency notional, or a % of equity risked to a stop. */
export const SIZE_MODES = ['qty', 'notional', 'riskPercent'] as const;
export type SizeMode = (typeof SIZE_MODES)[number];

/** Orders that rest at a limit price. */
export const needsLimitPrice = (t: OrderType): boolean => t === 'limit' || t === 'stop_limit';
/** Orders that wait for a stop price to trade before they act. */
export const needsStopPrice = (t: OrderType): boolean => t === 'stop' || t === 'stop_limit';

export type OrderStatus =
  | 'new'
  | 'submitted'
  | 'accepted'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired';

/** Where an order came from: the ticket, a strategy, the kill switch's flatten, a bracket. */
export type OrderSource = 'manual' | 'strategy' | 'risk' | 'emulated';

/**
 * What a caller asks for, before risk has seen it. Exactly one of qty and quoteQty is set:
 * quoteQty ("spend this much quote currency, fees included") is resolved to a quantity at
 * the fill price, like a venue's quote-quantity market order.
 */
export interface OrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  qty?: number;
  quoteQty?: number;
  price?: number;
  stopPrice?: number;
  /** For trailing stops: distance as a fraction of price (0.02 = 2%) or in price units. */
  trailingPercent?: number;
  trailingAmount?: number;
  tif?: TimeInForce;
  reduceOnly?: boolean;
  source?: OrderSource;
  /** A strategy id or "ticket"; shown in blotters and the journal. */
  owner?: string;
  tag?: string;
  /** Links orders emulated together: an OCO pair, or a bracket's parent and children. */
  parentId?: string;
  ocoGroup?: string;
  /** Given by the caller for idempotency (live venues dedupe on it); generated if absent. */
  clientOrderId?: string;
  /**
   * The book the order and its fills belong to: `manual` for the ticket, a running strategy's
   * own ledger for its orders. Reduce-only and a strategy's view of its position are
   * measured against this ledger, never against the whole account.
   */
  ledger?: string;
  /** Set by the order manager when this request is a working order as a change would make it: risk leaves that order out of the book. */
  amends?: string;
  /** Set on a cancel-replace's new order: the id of the order it replaces. */
  replaces?: string;
}

/** The ledger of orders that name none: the trader's own, from the ticket. */
export const MANUAL_LEDGER = 'manual';

/** A change to a working order: a new limit or stop price, or a new total quantity. */
export interface OrderChanges {
  price?: number;
  stopPrice?: number;
  qty?: number;
}

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/** The order state machine. Anything not listed is an invalid transition and throws. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ['submitted', 'rejected'],
  submitted: ['accepted', 'rejected', 'cancelled', 'expired'],
  accepted: ['partially_filled', 'filled', 'cancelled', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isWorking(status: OrderStatus): boolean {
  return status === 'submitted' || status === 'accepted' || status === 'partially_filled';
}

export interface OrderSnapshot extends Required<Pick<OrderRequest, 'symbol' | 'side' | 'type'>> {
  id: string;
  clientOrderId: string;
  venueOrderId: string | undefined;
  qty: number;
  quoteQty: number | undefined;
  price: number | undefined;
  stopPrice: number | undefined;
  trailingPercent: number | undefined;
  trailingAmount: number | undefined;
  tif: TimeInForce;
  reduceOnly: boolean;
  source: OrderSource;
  owner: string;
  tag: string | undefined;
  parentId: string | undefined;
  ocoGroup: string | undefined;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: number;
  fees: number;
  reason: string | undefined;
  createdAt: number;
  updatedAt: number;
  ledger: string;
  /** Set on an order placed to replace another (cancel-replace, where the venue cannot amend). */
  replaces: string | undefined;
  /**
   * A cancel has been asked for and not confirmed. Kept in the journal: an order that was still
   * on its way to the venue (not acknowledged, or UNKNOWN) is cancelled the moment it is
   * acknowledged, after a restart too.
   */
  cancelRequested: boolean;
}

/**
 * An order and its life. Mutated only through transition() and applyFill(), so every state
 * it reaches is a legal one; the order manager persists it after each change.
 */
export class Order implements OrderSnapshot {
  id: string;
  clientOrderId: string;
  venueOrderId: string | undefined = undefined;
  symbol: string;
  side: Side;
  type: OrderType;
  /** 0 until resolved when the request gave quoteQty. */
  qty: number;
  quoteQty: number | undefined;
  price: number | undefined;
  stopPrice: number | undefined;
  trailingPercent: number | undefined;
  trailingAmount: number | undefined;
  tif: TimeInForce;
  reduceOnly: boolean;
  source: OrderSource;
  owner: string;
  tag: string | undefined;
  parentId: string | undefined;
  ocoGroup: string | undefined;
  status: OrderStatus = 'new';
  filledQty = 0;
  avgFillPrice = 0;
  fees = 0;
  reason: string | undefined = undefined;
  createdAt: number;
  updatedAt: number;
  /**
   * A cancel has been asked for and not yet confirmed. The order may still fill until the venue
   * answers, so exposure limits keep counting it; but it no longer stands in the way of an
   * order that only reduces (a flatten after its exits were cancelled).
   */
  cancelRequested = false;
  ledger: string;
  replaces: string | undefined = undefined;

  constructor(id: string, clientOrderId: string, req: OrderRequest, ts: number) {
    this.id = id;
    this.clientOrderId = clientOrderId;
    this.symbol = req.symbol;
    this.side = req.side;
    this.type = req.type;
    this.qty = req.qty ?? 0;
    this.quoteQty = req.quoteQty;
    this.price = req.price;
    this.stopPrice = req.stopPrice;
    this.trailingPercent = req.trailingPercent;
    this.trailingAmount = req.trailingAmount;
    this.tif = req.tif ?? 'GTC';
    this.reduceOnly = req.reduceOnly ?? false;
    this.source = req.source ?? 'manual';
    this.owner = req.owner ?? (this.source === 'manual' ? 'ticket' : this.source);
    this.tag = req.tag;
    this.parentId = req.parentId;
    this.ocoGroup = req.ocoGroup;
    this.createdAt = ts;
    this.updatedAt = ts;
    this.ledger = req.ledger ?? MANUAL_LEDGER;
  }

  get remainingQty(): number {
    return Math.max(0, this.qty - this.filledQty);
  }

  get isWorking(): boolean {
    return isWorking(this.status);
  }

  get isTerminal(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  transition(to: OrderStatus, ts: number, reason?: string): void {
    if (!canTransition(this.status, to)) {
      throw new KeelError('INVALID_TRANSITION', `order ${this.id} cannot go from ${this.status} to ${to}`, {
        where: `order ${this.id}`,
        details: { from: this.status, to },
      });
    }
    this.status = to;
    // Monotone: a report can carry an earlier time than the last change (a fill stamped when it
    // executed, a replay's market time), and a reader must never take the newer state for the older.
    this.updatedAt = Math.max(this.updatedAt, ts);
    if (reason !== undefined) this.reason = reason;
  }

  /** Records a fill and moves to partially_filled or filled. */
  applyFill(qty: number, price: number, fee: number, ts: number): void {
    if (!(qty > 0) || !(price > 0) || !(fee >= 0)) {
      throw new KeelError('BAD_INPUT', `fill of ${qty} @ ${price} (fee ${fee}) is not valid`, { where: `order ${this.id}` });
    }
    if (this.qty > 0 && this.filledQty + qty > this.qty * (1 + 1e-12)) {
      throw new KeelError('BAD_INPUT', `fill of ${qty} overfills order (${this.filledQty} of ${this.qty} filled)`, { where: `order ${this.id}` });
    }
    if (this.qty === 0) this.qty = qty; // a quoteQty order's size is fixed by its single fill
    const newFilled = this.filledQty + qty;
    this.avgFillPrice = (this.avgFillPrice * this.filledQty + price * qty) / newFilled;
    this.filledQty = newFilled;
    this.fees += fee;
    const done = this.qty - newFilled <= this.qty * 1e-12;
    if (done) this.filledQty = this.qty;
    this.transition(done ? 'filled' : 'partially_filled', ts);
  }

  /** A plain copy for events, the journal and the wire. Field by field: it runs on every order event. */
  snapshot(): OrderSnapshot {
    return {
      id: this.id,
      clientOrderId: this.clientOrderId,
      venueOrderId: this.venueOrderId,
      symbol: this.symbol,
      side: this.side,
      type: this.type,
      qty: this.qty,
      quoteQty: this.quoteQty,
      price: this.price,
      stopPrice: this.stopPrice,
      trailingPercent: this.trailingPercent,
      trailingAmount: this.trailingAmount,
      tif: this.tif,
      reduceOnly: this.reduceOnly,
      source: this.source,
      owner: this.owner,
      tag: this.tag,
      parentId: this.parentId,
      ocoGroup: this.ocoGroup,
      status: this.status,
      filledQty: this.filledQty,
      avgFillPrice: this.avgFillPrice,
      fees: this.fees,
      reason: this.reason,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      ledger: this.ledger,
      replaces: this.replaces,
      cancelRequested: this.cancelRequested,
    };
  }

  /** Applies a confirmed amendment (the venue has accepted it). */
  amend(changes: OrderChanges, ts: number): void {
    if (changes.price !== undefined) this.price = changes.price;
    if (changes.stopPrice !== undefined) this.stopPrice = changes.stopPrice;
    if (changes.qty !== undefined) {
      if (!(changes.qty > this.filledQty)) throw new KeelError('BAD_INPUT', `new quantity ${changes.qty} is not above what has filled (${this.filledQty})`, { where: `order ${this.id}` });
      this.qty = changes.qty;
    }
    this.updatedAt = Math.max(this.updatedAt, ts);
  }
}

export function orderFromSnapshot(s: OrderSnapshot): Order {
  const o = new Order(s.id, s.clientOrderId, s, s.createdAt);
  Object.assign(o, s);
  o.cancelRequested = s.cancelRequested === true;
  return o;
}
