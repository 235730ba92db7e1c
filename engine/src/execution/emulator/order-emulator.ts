import type { Clock } from '../../core/clock';
import { badInput } from '../../core/errors';
import type { IdGenerator } from '../../core/ids';
import type { Bar } from '../../model/bar';
import { ORDER_TYPES, type OrderRequest, type OrderSnapshot, type OrderType } from '../../model/order';
import type { Trade } from '../../model/trade';
import type { Quote } from '../../model/quote';
import type { OrderEvent } from '../types';
import { OcoGroup } from './oco-group';
import { TrailingStop } from './trailing-stop';
import type { BracketRequest, EmulatedResult, EmulatorRecord, OrderRouter } from './types';
import { validateTrail } from './trailing';

export interface EmulatorOptions {
  router: OrderRouter;
  clock: Clock;
  /** Makes group ids and the clientOrderIds of every order the emulator places. */
  ids: IdGenerator;
  /** Order types the venue handles itself; others the emulator does. Only trailing_stop is ever emulated. */
  nativeTypes?: ReadonlySet<OrderType>;
}

/**
 * Order kinds done by the engine rather than the venue: OCO pairs, brackets and (when the
 * venue lacks them) trailing stops. It sits between the caller and the order manager: every
 * order it makes goes through the router's place(), so through pre-trade risk, and carries
 * source 'emulated' with its group in ocoGroup/parentId. It learns what happened only from
 * order events, matched on the clientOrderIds it gave, so it works whether events arrive
 * during place() (simulated venues) or later (paper and live).
 */
export class OrderEmulator {
  readonly records: EmulatorRecord[] = [];
  private readonly router: OrderRouter;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly native: ReadonlySet<OrderType>;
  private readonly groups = new Map<string, OcoGroup>();
  private readonly trails = new Map<string, TrailingStop>();
  /** clientOrderId -> who placed it. */
  private readonly owners = new Map<string, OcoGroup | TrailingStop>();
  /** order id -> who placed it: a fallback should risk hand back a request without our clientOrderId. */
  private readonly ownersById = new Map<string, OcoGroup | TrailingStop>();
  private readonly lastBar = new Map<string, Bar>();
  private readonly lastPrice = new Map<string, number>();
  /** The finest feed seen per symbol (0 bars, 1 prints, 2 quotes). */
  private readonly feed = new Map<string, number>();
  private readonly listeners: ((r: EmulatorRecord) => void)[] = [];
  private readonly unsubscribe: () => void;

  constructor(opts: EmulatorOptions) {
    this.router = opts.router;
    this.clock = opts.clock;
    this.ids = opts.ids;
    this.native = opts.nativeTypes ?? new Set<OrderType>(ORDER_TYPES.filter((t) => t !== 'trailing_stop'));
    this.unsubscribe = opts.router.onEvent((e) => this.onOrderEvent(e));
  }

  /** A plain order goes straight to the router; a trailing stop the venue cannot do is held here. */
  place(request: OrderRequest): EmulatedResult {
    if (request.type !== 'trailing_stop' || this.native.has('trailing_stop')) {
      const r = this.router.place(request);
      return r.ok ? { ok: true, id: r.orderId, orderIds: [r.orderId] } : r;
    }
    validateTrail(request, `trailing stop ${request.side} ${request.symbol}`);
    if (!(request.qty! > 0)) throw badInput('an emulated trailing stop needs a positive qty', `trailing stop ${request.side} ${request.symbol}`);
    const id = this.ids.next('trail');
    const t = new TrailingStop(id, request, this.lastPrice.get(request.symbol), this.ctx());
    this.trails.set(id, t);
    return { ok: true, id, orderIds: [] };
  }

  /** Two orders of which a fill on one cancels (or, on a partial fill, shrinks) the other. Both need the same qty. */
  placeOco(first: OrderRequest, second: OrderRequest): EmulatedResult {
    const where = `OCO ${first.symbol}`;
    if (first.symbol !== second.symbol) throw badInput(`both legs must be on one symbol (${first.symbol} vs ${second.symbol})`, where);
    if (!(first.qty! > 0) || first.qty !== second.qty) throw badInput(`both legs need the same positive qty (${first.qty} vs ${second.qty})`, where);
    const id = this.ids.next('oco');
    const g = new OcoGroup(id, [
      { role: 'first', template: first },
      { role: 'second', template: second },
    ], first.qty!, undefined, this.ctx());
    this.groups.set(id, g);
    g.reconcile();
    const orderIds = g.orderIds();
    if (orderIds.length < 2) {
      g.cancelAll();
      return { ok: false, check: 'oco', reason: `an OCO leg was refused: ${g.lastDenial() ?? 'unknown reason'}` };
    }
    return { ok: true, id, orderIds };
  }

  /** Places the entry now; its take-profit and stop-loss go out when (and as far as) it fills. */
  placeBracket(b: BracketRequest): EmulatedResult {
    const e = b.entry;
    const where = `bracket ${e.side} ${e.symbol}`;
    if (!(b.takeProfit > 0) || !(b.stopLoss > 0)) throw badInput(`takeProfit and stopLoss must be positive (got ${b.takeProfit}, ${b.stopLoss})`, where);
    if (e.side === 'buy' ? b.takeProfit <= b.stopLoss : b.takeProfit >= b.stopLoss) {
      throw badInput(`a ${e.side} bracket needs its take-profit ${e.side === 'buy' ? 'above' : 'below'} its stop-loss (got ${b.takeProfit} and ${b.stopLoss})`, where);
    }
    const id = this.ids.next('bracket');
    const exit = e.side === 'buy' ? 'sell' : 'buy';
    const base = { symbol: e.symbol, side: exit, reduceOnly: true, owner: e.owner, ledger: e.ledger } as const;
    const g = new OcoGroup(
      id,
      [
        // The stop first: if only one child gets through risk, let it be the protective one.
        { role: 'stop_loss', template: { ...base, type: 'stop', stopPrice: b.stopLoss, tag: 'stop_loss' } },
        { role: 'take_profit', template: { ...base, type: 'limit', price: b.takeProfit, tag: 'take_profit' } },
      ],
      0,
      // The entry is not in the children's OCO group: its unfilled rest must never compete with them.
      { ...e, tag: e.tag ?? 'bracket_entry', clientOrderId: this.ids.next('cid') },
      this.ctx(),
    );
    this.groups.set(id, g);
    const r = g.placeEntry();
    if (!r.ok) {
      this.groups.delete(id);
      return r;
    }
    return { ok: true, id, orderIds: [r.orderId] };
  }

  /** Cancels everything working under an OCO, bracket or emulated trailing stop id. False if unknown or finished. */
  cancel(id: string): boolean {
    const g = this.groups.get(id);
    if (g) return g.cancelAll();
    const t = this.trails.get(id);
    if (!t) return false;
    const ok = t.cancel();
    if (t.isDone) this.trails.delete(id);
    return ok;
  }

  /**
   * The bar a synchronous (backtest) venue is about to match, so fills reported inside it are
   * checked for the one-bar ambiguity against that bar. Call before the order manager's onBar.
   * Paper and live venues report after the bar, so they need only onBar.
   */
  noteBar(symbol: string, bar: Bar): void {
    if (this.useFeed(symbol, 'bar')) this.lastBar.set(symbol, bar);
  }

  /**
   * Feeds a closed bar, after the venue has matched it: moves emulated trails (a trail that
   * fires sends a market order that can fill only on a later bar) and remembers the bar for
   * the one-bar ambiguity check.
   */
  onBar(symbol: string, bar: Bar): void {
    if (!this.useFeed(symbol, 'bar')) return;
    this.lastBar.set(symbol, bar);
    this.lastPrice.set(symbol, bar.close);
    for (const t of [...this.trails.values()]) if (t.symbol === symbol) t.onPrices(bar, bar.ts);
  }

  /** Feeds a print from a trade stream (a bar of one price). From the first print on, the symbol's bars move nothing here. */
  onTrade(symbol: string, trade: Trade): void {
    if (!this.useFeed(symbol, 'trade')) return;
    this.lastBar.delete(symbol); // a print reaches one price: no same-bar ambiguity to record
    this.lastPrice.set(symbol, trade.price);
    const ev = { open: trade.price, high: trade.price, low: trade.price };
    for (const t of [...this.trails.values()]) if (t.symbol === symbol) t.onPrices(ev, trade.ts);
  }

  /** Feeds a top-of-book update: a sell trail follows and fires on the bid, a buy trail on the ask. */
  onQuote(symbol: string, q: Quote): void {
    if (!this.useFeed(symbol, 'quote')) return;
    this.lastBar.delete(symbol);
    this.lastPrice.set(symbol, (q.bid + q.ask) / 2);
    for (const t of [...this.trails.values()]) {
      if (t.symbol !== symbol) continue;
      const p = t.side === 'sell' ? q.bid : q.ask;
      t.onPrices({ open: p, high: p, low: p }, q.ts);
    }
  }

  /** Bars, then prints, then quotes: once a symbol has a finer feed, coarser events repeat its prices and move nothing. */
  private useFeed(symbol: string, kind: 'bar' | 'trade' | 'quote'): boolean {
    const rank = kind === 'bar' ? 0 : kind === 'trade' ? 1 : 2;
    if (rank < (this.feed.get(symbol) ?? 0)) return false;
    this.feed.set(symbol, rank);
    return true;
  }

  onRecord(listener: (r: EmulatorRecord) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Emulated trailing stops still tracking, with their best price and level, for the blotter. */
  trailing(): { id: string; symbol: string; side: string; qty: number; best: number | undefined; level: number | undefined }[] {
    return [...this.trails.values()].filter((t) => t.isTracking).map((t) => t.view());
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onOrderEvent(e: OrderEvent): void {
    if (e.kind === 'denied') return; // place() already returned the denial to whoever asked
    const owner = this.owners.get(e.order.clientOrderId) ?? this.ownersById.get(e.order.id);
    if (!owner) return;
    owner.onEvent(e, e.order as OrderSnapshot);
    if (e.kind === 'filled' || e.kind === 'cancelled' || e.kind === 'rejected' || e.kind === 'expired') {
      this.owners.delete(e.order.clientOrderId);
      this.ownersById.delete(e.order.id);
    }
    if (owner instanceof OcoGroup && owner.isDone) this.groups.delete(owner.id);
    if (owner instanceof TrailingStop && owner.isDone) this.trails.delete(owner.id);
  }

  private ctx(): EmulatorContext {
    return {
      now: () => this.clock.now(),
      nextClientId: () => this.ids.next('cid'),
      place: (req, owner) => {
        // Registered before place(): a simulated venue may answer inside it.
        this.owners.set(req.clientOrderId!, owner);
        const r = this.router.place({ ...req, source: 'emulated' });
        if (r.ok) this.ownersById.set(r.orderId, owner);
        else this.owners.delete(req.clientOrderId!);
        return r;
      },
      placeAsCaller: (req, owner) => {
        this.owners.set(req.clientOrderId!, owner);
        const r = this.router.place(req);
        if (r.ok) this.ownersById.set(r.orderId, owner);
        else this.owners.delete(req.clientOrderId!);
        return r;
      },
      cancel: (orderId) => this.router.cancel(orderId),
      lastBar: (symbol) => this.lastBar.get(symbol),
      record: (r) => {
        this.records.push(r);
        for (const l of this.listeners.slice()) l(r);
      },
    };
  }
}

/** What groups and trails may do: place and cancel through the router, and record. */
export interface EmulatorContext {
  now(): number;
  nextClientId(): string;
  /** Places an emulated child (source 'emulated'). */
  place(req: OrderRequest, owner: OcoGroup | TrailingStop): { ok: true; orderId: string } | { ok: false; check: string; reason: string };
  /** Places the caller's own order (a bracket's entry) keeping its source. */
  placeAsCaller(req: OrderRequest, owner: OcoGroup): { ok: true; orderId: string } | { ok: false; check: string; reason: string };
  cancel(orderId: string): boolean;
  lastBar(symbol: string): Bar | undefined;
  record(r: EmulatorRecord): void;
}
