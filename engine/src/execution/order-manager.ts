/**
 * The one way an order leaves the engine, in every mode: risk check -> persist -> venue, and
 * venue reports -> journal -> order state -> account -> risk -> listeners. Backtest, paper
 * and live differ only in the Venue and Clock given here. It sits in the backtest loop, so
 * events are built only when someone listens and terminal orders are let go at once.
 *
 * Durable first: a venue report changes memory only once the journal has accepted it, so a
 * journal that throws (a full disk, a duplicate venue trade id) leaves the order and account
 * as they were, and durable and in-memory state never disagree. Such an error never escapes
 * the venue callback: it goes to the onError listeners (the desk fails closed on it); with
 * none registered it is thrown to the venue's caller, so a backtest or test fails loudly.
 *
 * Events raised while an event is being delivered (a listener that places or cancels) are
 * queued and delivered after it, to every listener: each listener sees them in causal order.
 */
import type { Clock } from '../core/clock';
import { KeelError, badInput } from '../core/errors';
import type { IdGenerator } from '../core/ids';
import type { Account } from '../model/account';
import type { Bar } from '../model/bar';
import type { Fill } from '../model/fill';
import type { Instrument } from '../model/instrument';
import { Emitter } from '../core/emitter';
import { isWorking as isWorkingStatus, needsLimitPrice, needsStopPrice, Order, orderFromSnapshot, ORDER_TYPES, SIDES, type OrderChanges, type OrderRequest, type OrderSnapshot, type OrderStatus } from '../model/order';
import type { OrderEvent, OrderJournal, OrderStatusReport, PreTradeRisk, RiskView, Venue, VenueCallbacks, VenueConnection } from './types';

/** The outcome of place(): the order's id, or the check that refused it. */
export type PlaceOutcome = { ok: true; orderId: string } | { ok: false; check: string; reason: string };

/**
 * The outcome of modify(). 'amend': the venue changes the order in place, confirmed by a
 * 'modified' event. 'replace': the venue cannot amend, so the order is cancelled and, once
 * the cancel is confirmed, a new order with the changes (its `replaces` naming this one)
 * goes out; if the old order fills first, no replacement is sent and 'modify_rejected' says so.
 */
export type ModifyOutcome = { ok: true; orderId: string; mode: 'amend' | 'replace' } | { ok: false; check: string; reason: string };

/** One ledger's positions, for risk checks that measure an order against its own ledger. */
export interface LedgerPositions {
  qty(ledger: string, symbol: string): number;
}

export type OrderListener = (event: OrderEvent) => void;
/** Told of each fill after the account has applied it, before order events go out. */
export type FillListener = (fill: Fill, order: Order) => void;

/**
 * A venue report that went wrong. kind 'journal': the journal refused it and nothing was
 * applied. kind 'listener': it was applied and made durable, then a listener threw.
 */
export interface OrderError {
  kind: 'journal' | 'listener';
  /** Which report: 'accepted', 'filled', ... */
  where: string;
  orderId: string;
  error: unknown;
  message: string;
  ts: number;
}
export type ErrorListener = (e: OrderError) => void;

export interface CancelFilter {
  symbol?: string;
  owner?: string;
  ledger?: string;
  side?: Order['side'];
}

const ORDER_TYPE_SET: ReadonlySet<string> = new Set(ORDER_TYPES);
const SIDE_SET: ReadonlySet<string> = new Set(SIDES);

export interface OrderManagerOptions {
  /**
   * Every order's clientOrderId is its order id, whatever the request asked: a live venue's
   * ids carry the instance's prefix and fit the exchange's limits (the id generator makes them so).
   */
  ownClientIds?: boolean;
  /**
   * Whether an order the venue has just acknowledged must be cancelled at once (the desk: while
   * the kill switch is engaged, anything but the engine's own reducing orders).
   */
  cancelOnAck?: (order: Order) => boolean;
}

/** Venue trade ids applied, newest kept: a venue that sends a fill twice (a stream and a snapshot, a resent message) is heard once. */
const RECENT_TRADES = 200_000;

export class OrderManager implements RiskView {
  private readonly byId = new Map<string, Order>();
  private readonly working: Order[] = [];
  private readonly listeners: OrderListener[] = [];
  private readonly fillListeners: FillListener[] = [];
  private readonly errorListeners: ErrorListener[] = [];
  /** Events waiting while another is delivered; `emitting` marks a delivery in progress. */
  private readonly queue: OrderEvent[] = [];
  private emitting = false;
  /** The last error unapplied() let through to the venue's caller, so place() can tell it from a venue refusal. */
  private unappliedReport: unknown;
  private readonly refPrices = new Map<string, { price: number; ts: number }>();
  /** The last symbol's reference slot: a single-symbol backtest updates it with no lookup. */
  private lastRef: { price: number; ts: number } | undefined;
  private lastRefSymbol = '';
  private readonly instruments: Map<string, Instrument>;
  private readonly callbacks: VenueCallbacks;
  /** Orders being cancel-replaced: old order id -> the changes to apply once its cancel is confirmed. */
  private readonly replacing = new Map<string, OrderChanges>();
  private ledgerBook: LedgerPositions | undefined;
  private connectionState: VenueConnection = 'connected';
  readonly connectionChanged = new Emitter<{ state: VenueConnection; ts: number; detail?: string }>();
  /** Venue trade ids applied, with their order (insertion order: the oldest are let go past RECENT_TRADES). */
  private readonly appliedTrades = new Map<string, string>();
  /** Fills a venue reported again, dropped. */
  duplicateFills = 0;
  private readonly ownClientIds: boolean;
  private readonly cancelOnAck: ((order: Order) => boolean) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly risk: PreTradeRisk,
    private readonly journal: OrderJournal,
    private readonly venue: Venue,
    readonly account: Account,
    instruments: Iterable<Instrument>,
    opts: OrderManagerOptions = {},
  ) {
    this.ownClientIds = opts.ownClientIds ?? false;
    this.cancelOnAck = opts.cancelOnAck;
    this.instruments = new Map([...instruments].map((i) => [i.symbol, i]));
    // The venue callback boundary: nothing thrown while applying a report escapes to the venue
    // (a timer, live). Written out per callback: no closure per report in the backtest loop.
    this.callbacks = {
      accepted: (id, ts, venueOrderId) => {
        try {
          this.onAccepted(id, ts, venueOrderId);
        } catch (e) {
          this.unapplied('accepted', id, e);
        }
      },
      rejected: (id, reason, ts) => {
        try {
          this.onTerminal(id, 'rejected', ts, reason);
        } catch (e) {
          this.unapplied('rejected', id, e);
        }
      },
      cancelled: (id, ts, reason) => {
        try {
          this.onTerminal(id, 'cancelled', ts, reason);
        } catch (e) {
          this.unapplied('cancelled', id, e);
        }
      },
      expired: (id, ts) => {
        try {
          this.onTerminal(id, 'expired', ts);
        } catch (e) {
          this.unapplied('expired', id, e);
        }
      },
      filled: (id, f) => {
        try {
          this.onFilled(id, f);
        } catch (e) {
          this.unapplied('filled', id, e);
        }
      },
      modified: (id, ts, changes) => {
        try {
          this.onModified(id, ts, changes);
        } catch (e) {
          this.unapplied('modified', id, e);
        }
      },
      modifyRejected: (id, reason, ts) => {
        try {
          const o = this.known(id);
          if (o) this.emitChange('modify_rejected', o, {}, ts, reason);
        } catch (e) {
          this.unapplied('modify rejected', id, e);
        }
      },
      cancelRejected: (id, reason, ts) => {
        try {
          const o = this.known(id);
          if (!o) return;
          // Not acknowledged yet (the venue could not cancel it in flight): the request stands,
          // and the cancel goes out again the moment the order is acknowledged.
          if (o.status === 'submitted') return;
          const before = remember(o);
          o.cancelRequested = false;
          this.persist(o, before);
          this.replacing.delete(id);
          if (this.listeners.length > 0) this.emit({ kind: 'cancel_rejected', order: o.snapshot(), reason, ts });
        } catch (e) {
          this.unapplied('cancel rejected', id, e);
        }
      },
      connection: (state, ts, detail) => {
        this.connectionState = state;
        this.connectionChanged.emit(detail === undefined ? { state, ts } : { state, ts, detail });
      },
    };
    venue.connect(this.callbacks);
  }

  /** Whether the venue's link is up, as it last said. */
  get connection(): VenueConnection {
    return this.connectionState;
  }

  /**
   * The venue's report path, for reconciliation: what a snapshot finds is applied exactly as
   * if the venue had reported it, through the same journal-first checks (a fill seen before
   * is dropped by its trade id, a late status on a final order changes nothing).
   */
  get venueReports(): VenueCallbacks {
    return this.callbacks;
  }

  /**
   * After a restart on a persistent venue: the orders the journal holds as working are worked
   * again, their applied fills remembered by trade id, and the venue is handed them so its
   * reports find them. Orders already held are left as they are.
   */
  restore(orders: readonly OrderSnapshot[], fills: readonly Fill[]): Order[] {
    for (const f of fills) if (f.venueTradeId !== undefined) this.rememberTrade(f.venueTradeId, f.orderId);
    const restored: Order[] = [];
    for (const s of orders) {
      if (this.byId.has(s.id) || !isWorkingStatus(s.status)) continue;
      const o = orderFromSnapshot(s);
      this.byId.set(o.id, o);
      this.working.push(o);
      restored.push(o);
    }
    if (restored.length > 0) this.venue.restore?.(restored);
    // A cancel asked for before the restart and not confirmed is sent again, and the cancelOnAck
    // rule (a kill switch still engaged) applies to what is working; an order still in flight
    // is dealt with when it is acknowledged (reconciliation finds it).
    for (const o of restored) if (o.status !== 'submitted') this.acknowledged(o);
    return restored;
  }

  /**
   * Takes an order placed outside Keel (found at the venue by reconciliation) into the
   * journal, as the trader asked: from now on it is worked like any other, its fills are
   * applied to `ledger`. Its id is made from the venue's, so adopting twice is one order.
   */
  adopt(report: OrderStatusReport, ledger: string): Order {
    const id = `ext-${report.venueOrderId ?? report.clientOrderId}`;
    const held = this.byId.get(id);
    if (held) return held;
    if (report.status !== 'working') throw new KeelError('CONFLICT', `order ${report.clientOrderId} is ${report.status} at the venue: only a working order can be adopted`, { where: 'adopt' });
    const now = this.clock.now();
    const o = new Order(id, report.clientOrderId, { symbol: report.symbol, side: report.side, type: report.type, qty: report.qty, price: report.price, stopPrice: report.stopPrice, source: 'manual', owner: 'adopted', ledger }, report.ts);
    o.venueOrderId = report.venueOrderId;
    o.transition('submitted', now);
    o.transition('accepted', now, 'adopted: placed outside Keel');
    this.journal.orderChanged(o);
    this.byId.set(id, o);
    this.working.push(o);
    this.venue.restore?.([o]);
    this.emitOrder('accepted', o, now, o.reason);
    return o;
  }

  private rememberTrade(id: string, orderId: string): void {
    this.appliedTrades.set(id, orderId);
    if (this.appliedTrades.size > RECENT_TRADES) this.appliedTrades.delete(this.appliedTrades.keys().next().value as string);
  }

  /** Positions per ledger (the desk's ledgers); without one, every ledger is the whole account (a backtest's one book). */
  setLedgerPositions(book: LedgerPositions): void {
    this.ledgerBook = book;
  }

  // ---------- placing and cancelling ----------

  place(request: OrderRequest): PlaceOutcome {
    checkShape(request);
    this.instrument(request.symbol);
    const verdict = this.risk.check(request, this);
    if (!verdict.ok) {
      if (this.listeners.length > 0) {
        this.emit({ kind: 'denied', request, check: verdict.check, reason: verdict.reason, ts: this.clock.now() });
      }
      return verdict;
    }
    const req = verdict.request;
    if (req !== request) checkShape(req);
    const now = this.clock.now();
    const id = this.ids.next('order');
    const order = new Order(id, this.ownClientIds ? id : (req.clientOrderId ?? id), req, now);
    if (req.replaces !== undefined) order.replaces = req.replaces;
    order.transition('submitted', now);
    // Durable before it leaves: after a crash, a 'submitted' order is looked up at the venue.
    this.journal.orderChanged(order);
    this.byId.set(id, order);
    this.working.push(order);
    // A listener that throws on 'submitted' must not strand a journaled order short of the
    // venue: its error is thrown once the order has gone out.
    let listenerFailed = false;
    let listenerError: unknown;
    try {
      this.emitOrder('submitted', order, now);
    } catch (e) {
      listenerFailed = true;
      listenerError = e;
    }
    try {
      this.venue.submit(order);
    } catch (e) {
      // A synchronous venue's report we failed to apply is our error, not the venue refusing.
      if (e === this.unappliedReport) throw e;
      const reason = `venue refused the order: ${e instanceof Error ? e.message : String(e)}`;
      if (order.isWorking) this.onTerminal(id, 'rejected', this.clock.now(), reason);
      return { ok: false, check: 'venue', reason };
    }
    if (listenerFailed) throw listenerError;
    // A venue that answers at once may already have rejected it: say so to the caller too.
    if (order.status === 'rejected') return { ok: false, check: 'venue', reason: order.reason ?? 'rejected by the venue' };
    return { ok: true, orderId: id };
  }

  /**
   * Cancelling is always allowed (never risk-checked). False when the order is not working.
   * An order still on its way (submitted, not acknowledged; or UNKNOWN at a live venue) is
   * marked in the journal as cancel-requested: the venue cancels it in flight where it can, and
   * in any case it is cancelled the moment it is acknowledged (a fill before that is booked).
   */
  cancel(orderId: string): boolean {
    const order = this.byId.get(orderId);
    if (!order || !order.isWorking) return false;
    const refused = this.markCancel(order);
    this.venue.cancel(order);
    // The cancel has gone out either way: a cancel is never held back by a journal that failed.
    if (refused !== undefined) this.unapplied('cancel request', order.id, new JournalRefused(refused));
    return true;
  }

  /** Records that a cancel was asked for; the journal's error, if it refused, for the caller to report once the cancel has gone. */
  private markCancel(o: Order): unknown {
    if (o.cancelRequested) return undefined;
    o.cancelRequested = true;
    try {
      this.journal.orderChanged(o);
      return undefined;
    } catch (e) {
      return e;
    }
  }

  cancelAll(filter: CancelFilter = {}): number {
    const targets = this.working.filter(
      (o) =>
        (filter.symbol === undefined || o.symbol === filter.symbol) &&
        (filter.owner === undefined || o.owner === filter.owner) &&
        (filter.ledger === undefined || o.ledger === filter.ledger) &&
        (filter.side === undefined || o.side === filter.side),
    );
    let n = 0;
    for (const o of targets) if (this.cancel(o.id)) n++;
    return n;
  }

  /**
   * Changes a working order's price, stop price or total quantity. The change is risk-checked
   * as the order it would become (the order itself left out of the book), then amended at the
   * venue where it can, else cancelled and replaced (see ModifyOutcome). Never changes an
   * order whose cancel is on its way, or one already being changed by cancel-replace.
   */
  modify(orderId: string, changes: OrderChanges): ModifyOutcome {
    const o = this.byId.get(orderId);
    const refuse = (reason: string): ModifyOutcome => ({ ok: false, check: 'modify', reason });
    if (!o || !o.isWorking) return refuse(`order ${orderId} is not working`);
    if (o.cancelRequested) return refuse(`order ${orderId} is being cancelled`);
    const problem = changeProblem(o, changes);
    if (problem) return refuse(problem);
    const req: OrderRequest = {
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty: (changes.qty ?? o.qty) - o.filledQty,
      price: changes.price ?? o.price,
      stopPrice: changes.stopPrice ?? o.stopPrice,
      trailingPercent: o.trailingPercent,
      trailingAmount: o.trailingAmount,
      tif: o.tif,
      reduceOnly: o.reduceOnly,
      source: o.source,
      owner: o.owner,
      tag: o.tag,
      ledger: o.ledger,
      amends: o.id,
    };
    checkShape(req);
    const verdict = this.risk.check(req, this);
    if (!verdict.ok) {
      if (this.listeners.length > 0) this.emit({ kind: 'denied', request: req, check: verdict.check, reason: verdict.reason, ts: this.clock.now() });
      return verdict;
    }
    if (this.venue.capabilities.amend && this.venue.modify) {
      this.venue.modify(o, changes);
      return { ok: true, orderId: o.id, mode: 'amend' };
    }
    this.replacing.set(o.id, changes);
    o.cancelRequested = true;
    this.venue.cancel(o);
    return { ok: true, orderId: o.id, mode: 'replace' };
  }

  /**
   * Reduce-only market orders (source 'risk') that take every open position, or the one in
   * `symbol`, to flat. What the kill switch's flatten calls; each goes through pre-trade risk,
   * which lets reducing risk orders through a kill switch or a halt.
   */
  flatten(symbol?: string): PlaceOutcome[] {
    const out: PlaceOutcome[] = [];
    for (const p of this.account.openPositions()) {
      if (symbol !== undefined && p.symbol !== symbol) continue;
      out.push(this.place({ symbol: p.symbol, side: p.qty > 0 ? 'sell' : 'buy', type: 'market', qty: Math.abs(p.qty), reduceOnly: true, source: 'risk', owner: 'flatten' }));
    }
    return out;
  }

  get(orderId: string): Order | undefined {
    return this.byId.get(orderId);
  }

  /** Feeds a closed bar to the venue (which may fill working orders) and records its close as the reference price. */
  onBar(symbol: string, bar: Bar): void {
    if (this.working.length > 0) this.venue.onBar?.(symbol, bar);
    const ref = this.refSlot(symbol);
    ref.price = bar.close;
    ref.ts = this.clock.now();
  }

  /**
   * A fresh reference price from a print or a quote, for risk when live data is finer than
   * bars. An update older than the one held is ignored (feeds may deliver out of order).
   */
  updateReference(symbol: string, price: number, ts: number): void {
    if (!(price > 0 && price < Infinity) || !Number.isFinite(ts)) throw badInput(`reference price must be positive at a finite time, got ${price} @ ${ts}`, `reference ${symbol}`);
    const ref = this.refSlot(symbol);
    if (ts < ref.ts) return;
    ref.price = price;
    ref.ts = ts;
  }

  private refSlot(symbol: string): { price: number; ts: number } {
    let ref = this.lastRef;
    if (symbol !== this.lastRefSymbol || ref === undefined) {
      ref = this.refPrices.get(symbol);
      if (!ref) {
        ref = { price: 0, ts: 0 };
        this.refPrices.set(symbol, ref);
      }
      this.lastRef = ref;
      this.lastRefSymbol = symbol;
    }
    return ref;
  }

  onEvent(listener: OrderListener): () => void {
    this.listeners.push(listener);
    return () => remove(this.listeners, listener);
  }

  onFill(listener: FillListener): () => void {
    this.fillListeners.push(listener);
    return () => remove(this.fillListeners, listener);
  }

  /** Told of each venue report that could not be applied; see the header for what state it leaves. */
  onError(listener: ErrorListener): () => void {
    this.errorListeners.push(listener);
    return () => remove(this.errorListeners, listener);
  }

  /** Learns or updates an instrument, e.g. a symbol imported while the engine runs. */
  addInstrument(i: Instrument): void {
    this.instruments.set(i.symbol, i);
  }

  // ---------- RiskView ----------

  now(): number {
    return this.clock.now();
  }

  instrument(symbol: string): Instrument {
    const i = this.instruments.get(symbol);
    if (!i) throw new KeelError('NOT_FOUND', `no instrument "${symbol}" (known: ${[...this.instruments.keys()].join(', ')})`, { where: 'order.symbol' });
    return i;
  }

  referencePrice(symbol: string): { price: number; ts: number } | undefined {
    return this.refPrices.get(symbol);
  }

  ledgerQty(ledger: string, symbol: string): number {
    return this.ledgerBook ? this.ledgerBook.qty(ledger, symbol) : this.account.position(symbol).qty;
  }

  workingOrders(): readonly Order[] {
    return this.working;
  }

  // ---------- venue reports ----------

  private known(orderId: string): Order | undefined {
    const o = this.byId.get(orderId);
    // Late reports about an order already final (a cancel racing a fill) change nothing.
    return o && !o.isTerminal ? o : undefined;
  }

  private onAccepted(orderId: string, ts: number, venueOrderId: string | undefined): void {
    const o = this.known(orderId);
    if (!o || o.status !== 'submitted') return;
    const before = remember(o);
    o.transition('accepted', ts);
    if (venueOrderId !== undefined) o.venueOrderId = venueOrderId;
    this.persist(o, before);
    this.emitOrder('accepted', o, ts);
    this.acknowledged(o);
  }

  /**
   * An order known to be at the venue (just acknowledged by an ack, a fill or a lookup that
   * found it open; or restored after a restart) whose cancel was asked for and not confirmed,
   * or that the cancelOnAck rule refuses, is cancelled now.
   */
  private acknowledged(o: Order): void {
    if (!o.isWorking) return;
    if (!o.cancelRequested && !this.cancelOnAck?.(o)) return;
    const refused = this.markCancel(o);
    this.venue.cancel(o);
    if (refused !== undefined) this.unapplied('cancel request', o.id, new JournalRefused(refused));
  }

  private onTerminal(orderId: string, status: 'rejected' | 'cancelled' | 'expired', ts: number, reason?: string): void {
    const o = this.known(orderId);
    if (!o) return;
    const changes = this.replacing.get(orderId);
    const replacing = changes !== undefined && status === 'cancelled';
    const before = remember(o);
    o.transition(status, ts, replacing ? `replaced: ${describeChanges(changes)}` : reason);
    this.persist(o, before);
    this.retire(o);
    this.emitOrder(status, o, ts, o.reason);
    if (changes === undefined) return;
    this.replacing.delete(orderId);
    if (!replacing) {
      this.emitChange('modify_rejected', o, changes, ts, `the order was ${status} before it could be replaced`);
      return;
    }
    this.sendReplacement(o, changes);
  }

  /** The second half of a cancel-replace: the cancelled order again, with the changes, for what had not filled. */
  private sendReplacement(old: Order, changes: OrderChanges): void {
    const qty = (changes.qty ?? old.qty) - old.filledQty;
    const r = this.place({
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      qty,
      price: changes.price ?? old.price,
      stopPrice: changes.stopPrice ?? old.stopPrice,
      trailingPercent: old.trailingPercent,
      trailingAmount: old.trailingAmount,
      tif: old.tif,
      reduceOnly: old.reduceOnly,
      source: old.source,
      owner: old.owner,
      tag: old.tag,
      parentId: old.parentId,
      ocoGroup: old.ocoGroup,
      ledger: old.ledger,
      replaces: old.id,
    });
    if (!r.ok) this.emitChange('modify_rejected', old, changes, this.clock.now(), `cancelled, but its replacement was refused: ${r.check}: ${r.reason}`);
  }

  private onModified(orderId: string, ts: number, changes: OrderChanges): void {
    const o = this.known(orderId);
    if (!o) return;
    const before = { ...remember(o), price: o.price, stopPrice: o.stopPrice, qty: o.qty };
    o.amend(changes, ts);
    try {
      this.journal.orderChanged(o);
    } catch (e) {
      Object.assign(o, before);
      throw new JournalRefused(e);
    }
    this.emitChange('modified', o, changes, ts);
  }

  private emitChange(kind: 'modified' | 'modify_rejected', o: Order, changes: OrderChanges, ts: number, reason?: string): void {
    if (this.listeners.length === 0) return;
    this.emit(reason === undefined ? { kind, order: o.snapshot(), changes, ts } : { kind, order: o.snapshot(), changes, reason, ts });
  }

  private onFilled(orderId: string, f: Parameters<VenueCallbacks['filled']>[1]): void {
    // The same execution heard again (the stream and a snapshot, a resent message): dropped. The
    // same trade id on another order is no repeat but a contradiction: it goes on to the journal,
    // whose unique index refuses it and stops trading.
    if (f.venueTradeId !== undefined && this.appliedTrades.get(f.venueTradeId) === orderId) {
      this.duplicateFills++;
      return;
    }
    const o = this.byId.get(orderId);
    if (!o || o.isTerminal) {
      // Money moved that we cannot attribute: never drop it silently.
      throw new KeelError('INTERNAL', `venue reported a fill of ${f.qty} @ ${f.price} for ${o ? `${o.status} ` : 'unknown '}order ${orderId}`, { where: 'order manager' });
    }
    const problem = fillProblem(o, f.qty, f.price, f.fee);
    if (problem) throw new KeelError('BAD_INPUT', problem, { where: `order ${o.id}` });
    const fill: Fill = {
      // A persistent venue's fills are named by its trade ids: the same fill found again (after a crash, by a snapshot) has the same id.
      id: this.venue.capabilities.persistent && f.venueTradeId !== undefined ? `fill:${f.venueTradeId}` : this.ids.next('fill'),
      orderId: o.id,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      liquidity: f.liquidity,
      ts: f.ts,
      venueTradeId: f.venueTradeId,
      ledger: o.ledger,
    };
    if (f.feeAsset !== undefined) fill.feeAsset = f.feeAsset;
    if (f.feeNative !== undefined) fill.feeNative = f.feeNative;
    // The commit point: the journal records the fill with its order's fill fields and the
    // position in one transaction. If it refuses, nothing below has happened.
    try {
      this.journal.fillAdded(fill);
    } catch (e) {
      throw new JournalRefused(e);
    }
    if (f.venueTradeId !== undefined) this.rememberTrade(f.venueTradeId, o.id);
    const ackedNow = o.status === 'submitted';
    if (ackedNow) o.transition('accepted', f.ts);
    o.applyFill(f.qty, f.price, f.fee, f.ts);
    this.account.applyFill(fill);
    // The fill is durable and applied; an order row that fails to save here lags only in
    // fields the fill transaction has already written, so the error is reported, not undone.
    this.journal.orderChanged(o);
    this.risk.onFill?.(fill, this);
    if (o.isTerminal) this.retire(o);
    for (let i = 0; i < this.fillListeners.length; i++) this.fillListeners[i]!(fill, o);
    if (this.listeners.length > 0) this.emit({ kind: o.status === 'filled' ? 'filled' : 'partially_filled', order: o.snapshot(), fill, ts: f.ts });
    if (ackedNow) this.acknowledged(o);
    if (o.isTerminal && this.replacing.size > 0) {
      const changes = this.replacing.get(o.id);
      if (changes !== undefined) {
        this.replacing.delete(o.id);
        this.emitChange('modify_rejected', o, changes, f.ts, 'the order was filled before it could be replaced');
      }
    }
  }

  private retire(o: Order): void {
    this.byId.delete(o.id);
    remove(this.working, o);
  }

  private emitOrder(kind: Extract<OrderStatus, 'submitted' | 'accepted' | 'cancelled' | 'expired' | 'rejected'>, o: Order, ts: number, reason?: string): void {
    if (this.listeners.length === 0) return;
    this.emit(reason === undefined ? { kind, order: o.snapshot(), ts } : { kind, order: o.snapshot(), reason, ts });
  }

  private emit(e: OrderEvent): void {
    this.queue.push(e);
    if (this.emitting) return;
    this.emitting = true;
    let failed = false;
    let failure: unknown;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const ev = this.queue[i]!;
        // A copy: a listener may unsubscribe (or subscribe) while being told.
        for (const l of this.listeners.slice()) {
          try {
            l(ev);
          } catch (err) {
            // The other listeners still hear of it; the first failure goes to the caller after.
            if (!failed) failure = err;
            failed = true;
          }
        }
      }
    } finally {
      this.queue.length = 0;
      this.emitting = false;
    }
    if (failed) throw failure;
  }

  /** Saves an order's change, or puts it back as it was and rethrows: memory never runs ahead of the journal. */
  private persist(o: Order, before: Remembered): void {
    try {
      this.journal.orderChanged(o);
    } catch (e) {
      Object.assign(o, before);
      throw new JournalRefused(e);
    }
  }

  /** A venue report that could not be applied goes to the error listeners; with none, to the venue's caller. */
  private unapplied(where: string, orderId: string, error: unknown): void {
    const journal = error instanceof JournalRefused;
    const cause = journal ? error.cause : error;
    if (this.errorListeners.length === 0) {
      this.unappliedReport = cause;
      throw cause;
    }
    const text = cause instanceof Error ? cause.message : String(cause);
    const message = journal
      ? `${where} report for order ${orderId} not applied: ${text}`
      : `${where} report for order ${orderId} applied, then a listener failed: ${text}`;
    const e: OrderError = { kind: journal ? 'journal' : 'listener', where, orderId, error: cause, message, ts: this.clock.now() };
    for (const l of this.errorListeners.slice()) l(e);
  }
}

/** Marks an error as the journal's, so the callback boundary can say what was and was not applied. */
class JournalRefused extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

type Remembered = Pick<Order, 'status' | 'updatedAt' | 'reason' | 'venueOrderId' | 'cancelRequested'>;

function remember(o: Order): Remembered {
  return { status: o.status, updatedAt: o.updatedAt, reason: o.reason, venueOrderId: o.venueOrderId, cancelRequested: o.cancelRequested };
}

/** Why Order.applyFill would refuse this fill, checked before the journal records it. */
function fillProblem(o: Order, qty: number, price: number, fee: number): string | undefined {
  if (!(qty > 0) || !(price > 0) || !(fee >= 0)) return `fill of ${qty} @ ${price} (fee ${fee}) is not valid`;
  if (o.qty > 0 && o.filledQty + qty > o.qty * (1 + 1e-12)) return `fill of ${qty} overfills order (${o.filledQty} of ${o.qty} filled)`;
  return undefined;
}

/** Removes one item in place, keeping the order (splice would allocate the removed part). */
function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  for (let k = i + 1; k < list.length; k++) list[k - 1] = list[k]!;
  list.pop();
}

function positive(x: number | undefined): boolean {
  return x !== undefined && x > 0 && x < Infinity;
}

/** A malformed request is a caller's bug: it throws, naming the field, before risk sees it. */
function checkShape(r: OrderRequest): void {
  if (!SIDE_SET.has(r.side)) throw shapeError(r, `side must be ${SIDES.join(' or ')}, got ${String(r.side)}`);
  if (!ORDER_TYPE_SET.has(r.type)) throw shapeError(r, `unknown order type ${String(r.type)}`);
  const hasQty = r.qty !== undefined;
  const hasQuote = r.quoteQty !== undefined;
  if (hasQty === hasQuote) throw shapeError(r, 'give exactly one of qty and quoteQty');
  if (hasQty && !positive(r.qty)) throw shapeError(r, `qty must be a positive number, got ${r.qty}`);
  if (hasQuote && !positive(r.quoteQty)) throw shapeError(r, `quoteQty must be a positive number, got ${r.quoteQty}`);
  if (needsLimitPrice(r.type) && !positive(r.price)) throw shapeError(r, `${r.type} order needs a positive price, got ${r.price}`);
  if (needsStopPrice(r.type) && !positive(r.stopPrice)) throw shapeError(r, `${r.type} order needs a positive stopPrice, got ${r.stopPrice}`);
  if (r.type === 'trailing_stop' && !positive(r.trailingPercent) && !positive(r.trailingAmount)) {
    throw shapeError(r, 'trailing_stop needs a positive trailingPercent or trailingAmount');
  }
}

/** Why a change cannot apply to this order, before risk sees it. */
function changeProblem(o: Order, c: OrderChanges): string | undefined {
  if (c.price === undefined && c.stopPrice === undefined && c.qty === undefined) return 'nothing to change: give a price, a stop price or a quantity';
  if (c.price !== undefined && !positive(c.price)) return `price must be a positive number, got ${c.price}`;
  if (c.stopPrice !== undefined && !positive(c.stopPrice)) return `stop price must be a positive number, got ${c.stopPrice}`;
  if (c.qty !== undefined && !positive(c.qty)) return `quantity must be a positive number, got ${c.qty}`;
  if (c.price !== undefined && o.type !== 'limit' && o.type !== 'stop_limit') return `a ${o.type} order has no limit price to change`;
  if (c.stopPrice !== undefined && o.type !== 'stop' && o.type !== 'stop_limit') return `a ${o.type} order has no stop price to change`;
  if (c.qty !== undefined && o.qty === 0) return 'a quote-sized order has no quantity to change until it fills';
  if (c.qty !== undefined && !(c.qty > o.filledQty)) return `new quantity ${c.qty} must be above what has filled (${o.filledQty})`;
  return undefined;
}

function describeChanges(c: OrderChanges): string {
  const parts: string[] = [];
  if (c.price !== undefined) parts.push(`price ${c.price}`);
  if (c.stopPrice !== undefined) parts.push(`stop ${c.stopPrice}`);
  if (c.qty !== undefined) parts.push(`qty ${c.qty}`);
  return parts.join(', ');
}

function shapeError(r: OrderRequest, message: string): KeelError {
  return badInput(message, `order ${String(r.side)} ${String(r.symbol)}${r.owner ? ` from ${r.owner}` : ''}`);
}
