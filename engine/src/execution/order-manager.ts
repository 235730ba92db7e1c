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
import { needsLimitPrice, needsStopPrice, Order, ORDER_TYPES, SIDES, type OrderRequest, type OrderStatus } from '../model/order';
import type { OrderEvent, OrderJournal, PreTradeRisk, RiskView, Venue, VenueCallbacks } from './types';

/** The outcome of place(): the order's id, or the check that refused it. */
export type PlaceOutcome = { ok: true; orderId: string } | { ok: false; check: string; reason: string };

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
  side?: Order['side'];
}

const ORDER_TYPE_SET: ReadonlySet<string> = new Set(ORDER_TYPES);
const SIDE_SET: ReadonlySet<string> = new Set(SIDES);

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

  constructor(
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly risk: PreTradeRisk,
    private readonly journal: OrderJournal,
    private readonly venue: Venue,
    readonly account: Account,
    instruments: Iterable<Instrument>,
  ) {
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
    };
    venue.connect(this.callbacks);
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
    const order = new Order(id, req.clientOrderId ?? id, req, now);
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

  /** Cancelling is always allowed (never risk-checked). False when the order is not working. */
  cancel(orderId: string): boolean {
    const order = this.byId.get(orderId);
    if (!order || !order.isWorking) return false;
    this.venue.cancel(order);
    return true;
  }

  cancelAll(filter: CancelFilter = {}): number {
    const targets = this.working.filter(
      (o) => (filter.symbol === undefined || o.symbol === filter.symbol) && (filter.owner === undefined || o.owner === filter.owner) && (filter.side === undefined || o.side === filter.side),
    );
    let n = 0;
    for (const o of targets) if (this.cancel(o.id)) n++;
    return n;
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
  }

  private onTerminal(orderId: string, status: 'rejected' | 'cancelled' | 'expired', ts: number, reason?: string): void {
    const o = this.known(orderId);
    if (!o) return;
    const before = remember(o);
    o.transition(status, ts, reason);
    this.persist(o, before);
    this.retire(o);
    this.emitOrder(status, o, ts, reason);
  }

  private onFilled(orderId: string, f: Parameters<VenueCallbacks['filled']>[1]): void {
    const o = this.byId.get(orderId);
    if (!o || o.isTerminal) {
      // Money moved that we cannot attribute: never drop it silently.
      throw new KeelError('INTERNAL', `venue reported a fill of ${f.qty} @ ${f.price} for ${o ? `${o.status} ` : 'unknown '}order ${orderId}`, { where: 'order manager' });
    }
    const problem = fillProblem(o, f.qty, f.price, f.fee);
    if (problem) throw new KeelError('BAD_INPUT', problem, { where: `order ${o.id}` });
    const fill: Fill = {
      id: this.ids.next('fill'),
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
    };
    // The commit point: the journal records the fill with its order's fill fields and the
    // position in one transaction. If it refuses, nothing below has happened.
    try {
      this.journal.fillAdded(fill);
    } catch (e) {
      throw new JournalRefused(e);
    }
    if (o.status === 'submitted') o.transition('accepted', f.ts);
    o.applyFill(f.qty, f.price, f.fee, f.ts);
    this.account.applyFill(fill);
    // The fill is durable and applied; an order row that fails to save here lags only in
    // fields the fill transaction has already written, so the error is reported, not undone.
    this.journal.orderChanged(o);
    this.risk.onFill?.(fill, this);
    if (o.isTerminal) this.retire(o);
    for (let i = 0; i < this.fillListeners.length; i++) this.fillListeners[i]!(fill, o);
    if (this.listeners.length > 0) this.emit({ kind: o.status === 'filled' ? 'filled' : 'partially_filled', order: o.snapshot(), fill, ts: f.ts });
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

type Remembered = Pick<Order, 'status' | 'updatedAt' | 'reason' | 'venueOrderId'>;

function remember(o: Order): Remembered {
  return { status: o.status, updatedAt: o.updatedAt, reason: o.reason, venueOrderId: o.venueOrderId };
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

function shapeError(r: OrderRequest, message: string): KeelError {
  return badInput(message, `order ${String(r.side)} ${String(r.symbol)}${r.owner ? ` from ${r.owner}` : ''}`);
}
