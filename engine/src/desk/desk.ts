/**
 * The trading desk: one account split into ledgers (`manual` for the ticket, one per running
 * strategy), one order manager and one risk layer for all of them, in front of whichever
 * venue is plugged in (paper now, a ccxt exchange for live trading). The venue is swapped,
 * never the desk: everything here is venue-agnostic, and what only a paper venue does (it
 * keeps nothing across a restart) is read from the venue's capabilities and status.
 *
 * The desk raises events (orders, book changes, alerts, ledger breaches); the host process
 * maps them to whatever it serves. It never imports the wire protocol.
 */
import type { Clock } from '../core/clock';
import { Emitter } from '../core/emitter';
import { KeelError } from '../core/errors';
import type { IdGenerator } from '../core/ids';
import { OrderEmulator } from '../execution/emulator/order-emulator';
import { OrderManager, type CancelFilter, type ModifyOutcome, type PlaceOutcome } from '../execution/order-manager';
import { planReconciliation, type ReconcilePlan } from '../execution/reconcile';
import type { OrderEvent, OrderJournal, OrderStatusReport, RiskVerdict, RiskView, Venue, VenueConnection, VenueStatus } from '../execution/types';
import { Account, type AccountSnapshot } from '../model/account';
import type { Bar } from '../model/bar';
import type { Fill } from '../model/fill';
import type { Instrument } from '../model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES, type OrderChanges, type OrderRequest, type OrderSnapshot, type OrderType, type Side } from '../model/order';
import type { PositionSnapshot } from '../model/position';
import type { Trade } from '../model/trade';
import { dayNumber } from '../risk/breakers';
import type { RiskEngine } from '../risk/engine';
import type { LedgerRow, TransferRow } from '../state/store';
import { Ledgers, type Ledger, type LedgerKind, type LedgerLimits, type LedgerSnapshot, type LedgerTransfer } from './ledgers';

export interface DeskLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Where the desk keeps what is not an order or a fill (the order journal keeps those). */
/** The only orders a kill switch lets work: the engine's own reducing ones (a flatten). */
export function spareUnderKillSwitch(o: Pick<OrderSnapshot, 'source' | 'reduceOnly'>): boolean {
  return o.source === 'risk' && o.reduceOnly;
}

export interface DeskPersistence {
  ledgers(): LedgerRow[];
  saveLedger(row: LedgerRow): void;
  transfers(): TransferRow[];
  addTransfer(t: Omit<TransferRow, 'id'>): TransferRow;
  /** Every fill in the order it happened, or those of one order. */
  fills(orderId?: string): Fill[];
  orders(scope: 'working' | 'all'): OrderSnapshot[];
  order(id: string): OrderSnapshot | undefined;
  saveOrder(o: OrderSnapshot): void;
  addEquityPoints(points: readonly { ledger: string; ts: number; equity: number }[]): void;
  transaction<T>(fn: () => T): T;
}

export type DeskEvent =
  | { kind: 'order'; event: OrderEvent }
  /** Positions, cash or marks changed: a consumer coalesces these. */
  | { kind: 'book' }
  | { kind: 'alert'; level: 'warn' | 'error'; title: string; message: string; ts: number }
  | { kind: 'connection'; state: VenueConnection; ts: number; detail?: string }
  /** A strategy ledger went past one of its own limits; its strategy is paused by whoever runs it. */
  | { kind: 'ledger_breach'; ledger: string; reason: string; ts: number };

/** What a flatten did to one position of one ledger. */
export interface FlattenOutcome {
  ledger: string;
  symbol: string;
  cancelled: number;
  side: Side;
  qty: number;
  result: PlaceOutcome;
}

export interface DeskOptions {
  clock: Clock;
  ids: IdGenerator;
  venue: Venue;
  risk: RiskEngine;
  journal: OrderJournal;
  instruments: Iterable<Instrument>;
  /** Order types the venue works itself; the emulator holds the others (and every OCO pair and bracket). */
  nativeTypes?: ReadonlySet<OrderType>;
  persistence?: DeskPersistence;
  log: DeskLogger;
  currency?: string;
  /** Client order ids are the order ids (a live venue's, made to its limits with the instance prefix); see OrderManagerOptions. */
  ownClientIds?: boolean;
}

/** What a reconciliation did: orders closed, and against a persistent venue what it found (the plan it applied) and what the venue said. */
export interface ReconcileOutcome {
  closed: OrderSnapshot[];
  plan?: ReconcilePlan;
  status?: VenueStatus;
}

/** Why a new order may not go to the venue now (not reconciled, a stale user stream), as a check id and a reason. */
export type VenueGate = (req: OrderRequest) => { check: string; reason: string } | undefined;

/** The account's own equity-history key, beside each ledger's. */
export const ACCOUNT_LEDGER = '*';

export class TradingDesk {
  readonly account: Account;
  readonly ledgers = new Ledgers();
  readonly orders: OrderManager;
  readonly emulator: OrderEmulator;
  readonly events = new Emitter<DeskEvent>();
  readonly risk: RiskEngine;
  readonly clock: Clock;
  readonly venue: Venue;
  private readonly persistence: DeskPersistence | undefined;
  private readonly log: DeskLogger;
  /** Why a ledger may not open or add to a position now (its strategy is paused or stopped), or undefined. */
  private entryGate: (ledger: string) => string | undefined = () => undefined;
  private venueGate: VenueGate = () => undefined;
  private readonly breached = new Set<string>();

  constructor(opts: DeskOptions) {
    this.clock = opts.clock;
    this.risk = opts.risk;
    this.venue = opts.venue;
    this.persistence = opts.persistence;
    this.log = opts.log;
    this.account = new Account(0, opts.currency ?? 'USD');
    const gate = { check: (req: OrderRequest, view: RiskView) => this.check(req, view), onFill: (f: Fill, view: RiskView) => opts.risk.onFill(f, view) };
    this.orders = new OrderManager(opts.clock, opts.ids, gate, opts.journal, opts.venue, this.account, opts.instruments, {
      ownClientIds: opts.ownClientIds,
      // While the kill switch is engaged nothing may start working at the venue but the
      // engine's own reducing orders (a flatten): an order that was on its way when it was
      // engaged is cancelled the moment it is acknowledged, whoever sent it.
      cancelOnAck: (o) => opts.risk.killSwitch.engaged && !spareUnderKillSwitch(o),
    });
    this.orders.setLedgerPositions(this.ledgers);
    this.emulator = new OrderEmulator({ router: this.orders, clock: opts.clock, ids: opts.ids, nativeTypes: opts.nativeTypes ?? new Set(ORDER_TYPES) });
    this.orders.onFill((fill) => this.ledgers.applyFill(fill));
    this.orders.onEvent((event) => {
      this.events.emit({ kind: 'order', event });
      if (event.kind === 'filled' || event.kind === 'partially_filled') this.events.emit({ kind: 'book' });
    });
    this.orders.connectionChanged.on((c) => this.events.emit({ kind: 'connection', ...c }));
    this.orders.onError((e) => {
      // Fail closed either way: a refused journal write means memory and disk were kept equal
      // by not applying a venue report; a failing listener means someone saw less than happened.
      const reason = e.kind === 'journal' ? `journal write failed: ${e.message}` : `order event handling failed: ${e.message}`;
      this.alert('error', 'Trading stopped', reason);
      opts.risk.killSwitch.engage({ reason, actor: 'engine' });
    });
  }

  // ---------- building the book ----------

  /**
   * Rebuilds the book from what is stored: the ledgers, `startingCash` deposited into manual,
   * then every fill and transfer in the order they happened. The account is its fills, and
   * each ledger its fills and transfers, so replaying them gives back exactly what was there.
   */
  restore(startingCash: number, opts: { ledgers?: boolean } = {}): void {
    const p = this.requirePersistence();
    // The persistence is one account's rows (the paper desk's, or a live account's with its own
    // strategy ledgers); `ledgers: false` rebuilds the manual ledger alone.
    const withLedgers = opts.ledgers !== false;
    for (const row of withLedgers ? p.ledgers() : []) {
      if (row.id === MANUAL_LEDGER) continue;
      const l = this.ledgers.add(row.id, row.kind, row.label, row.limits as LedgerLimits);
      l.closed = row.closedAt !== undefined;
    }
    if (startingCash > 0) this.deposit(MANUAL_LEDGER, startingCash);
    const fills = p.fills();
    const transfers = withLedgers ? p.transfers() : [];
    let t = 0;
    for (const f of fills) {
      while (t < transfers.length && transfers[t]!.ts <= f.ts) this.ledgers.applyTransfer(transfers[t++]!);
      this.account.applyFill(f);
      this.ledgers.applyFill(f);
    }
    while (t < transfers.length) this.ledgers.applyTransfer(transfers[t++]!);
  }

  /** Cash from outside the account (the paper account's starting cash, a backtest's capital). */
  deposit(ledger: string, amount: number): void {
    if (!(amount > 0 && amount < Infinity)) throw new KeelError('BAD_INPUT', `a deposit must be a positive amount, got ${amount}`, { where: `ledger ${ledger}` });
    const l = this.ledgers.get(ledger);
    l.book.cash += amount;
    l.allocation += amount;
    this.account.cash += amount;
  }

  /** Arms the kill switch on this desk. After restore(): a latch engaged before a restart sweeps at once, and must see the real book. */
  armKillSwitch(): void {
    this.risk.killSwitch.attach({ cancelAll: () => this.cancelAll({}), flatten: () => void this.flatten({}, 'kill switch') });
  }

  /** Who may say a ledger must not open or add (the strategy host, for paused and stopped strategies). */
  setEntryGate(gate: (ledger: string) => string | undefined): void {
    this.entryGate = gate;
  }

  /** Who may hold new orders back for the venue's sake (the live desk: until reconciled, while its user stream is stale). */
  setVenueGate(gate: VenueGate): void {
    this.venueGate = gate;
  }

  /**
   * The journal against the venue. A venue that keeps nothing (paper) has lost the journal's
   * working orders for certain, so they are recorded as cancelled and the trader is told. A
   * venue that keeps orders (live) is asked about each of them, and what it says is applied
   * (reconcile.ts): acknowledgements, fills and final states that were missed, each once.
   */
  async reconcile(): Promise<ReconcileOutcome> {
    const p = this.requirePersistence();
    if (this.venue.capabilities.persistent) return this.reconcilePersistent(p);
    const working = p.orders('working');
    if (working.length === 0) return { closed: [] };
    const held = new Set((await this.venue.status?.(0))?.orders.map((o) => o.clientOrderId) ?? []);
    const gone = working.filter((o) => !held.has(o.clientOrderId));
    const now = this.clock.now();
    p.transaction(() => {
      for (const o of gone) p.saveOrder({ ...o, status: 'cancelled', reason: `engine restarted: the ${this.venue.kind} venue keeps no orders across a restart`, updatedAt: now });
    });
    if (gone.length > 0) this.log.warn(`${gone.length} ${this.venue.kind} orders from the previous run were cancelled: the ${this.venue.kind} venue keeps no orders across a restart`);
    return { closed: gone };
  }

  private async reconcilePersistent(p: DeskPersistence): Promise<ReconcileOutcome> {
    const status = this.venue.status;
    if (!status) throw new KeelError('UNAVAILABLE', `${this.venue.name} cannot report its orders: nothing to reconcile against`, { where: 'reconcile' });
    const working = p.orders('working');
    const fills = working.flatMap((o) => p.fills(o.id));
    this.orders.restore(working, fills);
    const since = working.reduce((m, o) => Math.min(m, o.createdAt), this.clock.now());
    const snapshot = await status.call(this.venue, since, working);
    // The journal may have moved while the venue answered (live reports keep coming): plan against it as it is now.
    const now = p.orders('working');
    const applied = new Set<string>();
    for (const o of now) for (const f of p.fills(o.id)) if (f.venueTradeId !== undefined) applied.add(f.venueTradeId);
    const plan = planReconciliation({
      now: this.clock.now(),
      venueName: this.venue.name,
      notFoundFinalAfterMs: this.venue.capabilities.notFoundFinalAfterMs ?? 60_000,
      working: now,
      appliedTradeIds: applied,
      status: snapshot,
    });
    const reports = this.orders.venueReports;
    const closed: OrderSnapshot[] = [];
    for (const a of plan.actions) {
      if (a.kind === 'accepted') reports.accepted(a.orderId, a.ts, a.venueOrderId);
      else if (a.kind === 'fill') reports.filled(a.orderId, a.fill);
      else {
        if (a.status === 'cancelled') reports.cancelled(a.orderId, a.ts, a.reason);
        else if (a.status === 'expired') reports.expired(a.orderId, a.ts);
        else reports.rejected(a.orderId, a.reason, a.ts);
        const o = p.order(a.orderId);
        if (o) closed.push(o);
      }
    }
    const fillsApplied = plan.actions.filter((a) => a.kind === 'fill').length;
    if (plan.actions.length > 0) this.log.info(`reconciled with ${this.venue.name}: ${plan.actions.length - fillsApplied - closed.length} acknowledged, ${fillsApplied} fills, ${closed.length} closed`);
    if (fillsApplied > 0) this.events.emit({ kind: 'book' });
    return { closed, plan, status: snapshot };
  }

  /** An order placed outside Keel, taken into the manual ledger as the trader asked (see OrderManager.adopt), with the fills it already had. */
  adopt(report: OrderStatusReport, fills: VenueStatus['fills']): OrderSnapshot {
    const o = this.orders.adopt(report, MANUAL_LEDGER);
    for (const f of fills) if (f.clientOrderId === report.clientOrderId) this.orders.venueReports.filled(o.id, f);
    if (fills.length > 0) this.events.emit({ kind: 'book' });
    return o.snapshot();
  }

  /**
   * Cash that moved outside Keel (a deposit, a withdrawal) that the trader accepts, booked to
   * the manual ledger; kept by whoever owns the baseline (the live desk), applied here in memory.
   */
  adjustCash(amount: number, reason: string): void {
    if (!Number.isFinite(amount) || amount === 0) return;
    const l = this.ledgers.manual;
    l.book.cash += amount;
    l.allocation += amount;
    this.account.cash += amount;
    this.log.info(`manual cash ${amount > 0 ? '+' : ''}${amount} (${reason})`);
    this.events.emit({ kind: 'book' });
  }

  // ---------- ledgers ----------

  openLedger(id: string, kind: LedgerKind, label: string, limits: LedgerLimits = {}): Ledger {
    const l = this.ledgers.add(id, kind, label, limits);
    this.persistence?.saveLedger({ id, kind, label, limits: { ...limits }, createdAt: this.clock.now(), closedAt: undefined });
    return l;
  }

  setLedgerLimits(id: string, limits: LedgerLimits): void {
    const l = this.ledgers.get(id);
    l.limits = { ...limits };
    this.breached.delete(id);
    this.persistence?.saveLedger({ id, kind: l.kind, label: l.label, limits: { ...limits }, createdAt: 0, closedAt: l.closed ? this.clock.now() : undefined });
  }

  /** Moves cash between ledgers (an allocation, a release), durably first. */
  transferCash(from: string, to: string, amount: number, actor: string, reason: string): void {
    const src = this.ledgers.get(from);
    this.ledgers.get(to);
    if (!(amount > 0 && amount < Infinity)) throw new KeelError('BAD_INPUT', `an amount must be positive, got ${amount}`, { where: 'allocation' });
    if (amount > src.cash + 1e-9) throw new KeelError('BAD_INPUT', `${src.label} has ${src.cash.toFixed(2)} in cash, less than ${amount}`, { where: 'allocation' });
    this.transfer({ ts: this.clock.now(), kind: 'cash', from, to, amount }, actor, reason);
  }

  /**
   * Moves one ledger's whole position in `symbol` to another at the current mark: the giver
   * realises its PnL up to that price, the taker holds it from there. How a trader takes a
   * strategy's position over by hand.
   */
  transferPosition(from: string, to: string, symbol: string, actor: string, reason: string): LedgerTransfer | undefined {
    const qty = this.ledgers.get(from).position(symbol).qty;
    if (qty === 0) return undefined;
    const price = this.account.markPrice(symbol) ?? this.ledgers.get(from).position(symbol).avgPrice;
    const t: LedgerTransfer = { ts: this.clock.now(), kind: 'position', from, to, amount: Math.abs(qty) * price, symbol, qty, price };
    this.transfer(t, actor, reason);
    return t;
  }

  private transfer(t: LedgerTransfer, actor: string, reason: string): void {
    this.persistence?.addTransfer({ ...t, symbol: t.symbol, qty: t.qty, price: t.price, actor, reason });
    this.ledgers.applyTransfer(t);
    this.log.info(`${t.kind} transfer ${t.from} -> ${t.to} by ${actor}: ${t.kind === 'cash' ? t.amount : `${t.qty} ${t.symbol} @ ${t.price}`} (${reason})`);
    this.events.emit({ kind: 'book' });
  }

  closeLedger(id: string): void {
    const l = this.ledgers.get(id);
    l.closed = true;
    this.persistence?.saveLedger({ id, kind: l.kind, label: l.label, limits: { ...l.limits }, createdAt: 0, closedAt: this.clock.now() });
  }

  // ---------- orders ----------

  /** Every order from outside the engine's own strategies enters here (the ticket, a chart, the CLI). */
  place(request: OrderRequest): PlaceOutcome {
    const r = this.emulator.place({ ...request, ledger: request.ledger ?? MANUAL_LEDGER });
    return r.ok ? { ok: true, orderId: r.id } : r;
  }

  cancel(orderId: string): boolean {
    return this.orders.cancel(orderId);
  }

  cancelAll(filter: CancelFilter): number {
    return this.orders.cancelAll(filter);
  }

  modify(orderId: string, changes: OrderChanges): ModifyOutcome {
    return this.orders.modify(orderId, changes);
  }

  /**
   * Takes positions to flat: each open position of each ledger in scope has its working
   * orders on that symbol (in that ledger) cancelled first, then a reduce-only market order
   * closes it. Closing orders come from 'risk', so they pass a kill switch or a halt. A close
   * that is refused raises an alert: nobody may believe they are flat when they are not.
   */
  flatten(scope: { symbol?: string; ledger?: string }, actor: string): FlattenOutcome[] {
    const out: FlattenOutcome[] = [];
    for (const l of this.ledgers.all()) {
      if (scope.ledger !== undefined && l.id !== scope.ledger) continue;
      for (const p of l.book.openPositions()) {
        if (scope.symbol !== undefined && p.symbol !== scope.symbol) continue;
        const cancelled = this.orders.cancelAll({ symbol: p.symbol, ledger: l.id });
        const side: Side = p.qty > 0 ? 'sell' : 'buy';
        const qty = Math.abs(p.qty);
        const result = this.orders.place({ symbol: p.symbol, side, type: 'market', qty, reduceOnly: true, source: 'risk', owner: 'flatten', ledger: l.id });
        out.push({ ledger: l.id, symbol: p.symbol, cancelled, side, qty, result });
        if (result.ok) this.log.info(`flatten ${l.id} ${p.symbol} by ${actor}: cancelled ${cancelled} working orders, sent a ${side} of ${qty}`);
        else this.alert('error', `Flatten ${p.symbol} (${l.label}) failed`, `${result.check}: ${result.reason}. The position of ${p.qty} ${p.symbol} is still open.`);
      }
    }
    return out;
  }

  /** The pre-trade gate: the order's ledger first (its own limits, a paused strategy), then the one risk layer. */
  private check(req: OrderRequest, view: RiskView): RiskVerdict {
    const id = req.ledger ?? MANUAL_LEDGER;
    const now = view.now();
    const held = this.venueGate(req);
    if (held) return this.risk.deny(req, held.check, held.reason, now);
    if (!this.ledgers.has(id)) return this.risk.deny(req, 'ledger', `no ledger "${id}"`, now);
    const l = this.ledgers.get(id);
    // The engine's own reducing orders (flatten, kill switch) are never held back by a ledger.
    if (req.source !== 'risk' && !reduces(l.position(req.symbol).qty, req)) {
      if (l.closed) return this.risk.deny(req, 'ledger_closed', `ledger ${l.label} is closed: no new positions`, now);
      const gate = this.entryGate(id);
      if (gate !== undefined) return this.risk.deny(req, 'strategy_paused', gate, now);
      if (l.kind === 'strategy' && req.side === 'buy') {
        const cash = this.cashDenial(l, req, view);
        if (cash !== undefined) return this.risk.deny(req, 'ledger_cash', cash, now);
      }
      const max = l.limits.maxExposure;
      if (max !== undefined) {
        const price = req.price ?? req.stopPrice ?? view.referencePrice(req.symbol)?.price ?? NaN;
        const add = req.quoteQty ?? (req.qty ?? 0) * price;
        const after = l.book.grossExposure() + add;
        if (!(after <= max)) return this.risk.deny(req, 'ledger_exposure', `${l.label} would hold ${after.toFixed(2)} of exposure, over its limit of ${max}`, now);
      }
    }
    return this.risk.check(req, view);
  }

  /**
   * A strategy ledger buys with its own cash only: this buy and the buys it already has
   * working may not spend more than it holds. Keeps a strategy that re-enters before its
   * last order has filled (a late fill in a fast replay, a slow venue) from spending twice.
   */
  private cashDenial(l: Ledger, req: OrderRequest, view: RiskView): string | undefined {
    const ref = view.referencePrice(req.symbol)?.price;
    const cost = (quote: number | undefined, qty: number, price: number | undefined): number => quote ?? qty * (price ?? ref ?? NaN);
    let committed = 0;
    for (const o of this.orders.workingOrders()) {
      if (o.ledger === l.id && o.side === 'buy' && !o.cancelRequested) committed += cost(o.qty === 0 ? o.quoteQty : undefined, o.remainingQty, o.price ?? o.stopPrice);
    }
    const need = cost(req.quoteQty, req.qty ?? 0, req.price ?? req.stopPrice);
    if (!(Number.isFinite(need) && Number.isFinite(committed))) return `${l.label} has no price to value this buy against`;
    if (committed + need <= l.cash * (1 + 1e-12)) return undefined;
    return `${l.label} would spend ${(committed + need).toFixed(2)} on buys (${committed.toFixed(2)} already working) with ${l.cash.toFixed(2)} in cash`;
  }

  // ---------- market data ----------

  /** A closed bar: the venue matches working orders against it (a paper venue does), then the book is marked at its close. */
  onBar(symbol: string, bar: Bar): void {
    // The bar has closed: its close is the freshest price, for orders placed while it is matched.
    this.orders.updateReference(symbol, bar.close, this.clock.now());
    this.emulator.noteBar(symbol, bar);
    this.orders.onBar(symbol, bar);
    this.emulator.onBar(symbol, bar);
    this.mark(symbol, bar.close);
  }

  /**
   * A print (a replay's step, a live trade): a paper venue fills against it, stamped with the
   * print's own time; it is the symbol's reference price and mark as of now, when we saw it
   * (a replay's print of an old bar is still the freshest price this desk has).
   */
  onTrade(symbol: string, trade: Trade): void {
    this.venue.onTrade?.(symbol, trade);
    this.orders.updateReference(symbol, trade.price, this.clock.now());
    this.emulator.onTrade(symbol, trade);
    this.mark(symbol, trade.price);
  }

  mark(symbol: string, price: number): void {
    this.account.mark(symbol, price);
    this.ledgers.mark(symbol, price);
    const now = this.clock.now();
    this.risk.onEquity(this.account.equity(), now);
    this.checkLedgerLimits(now);
  }

  /**
   * Every ledger's day so far (its day PnL is measured from its first equity of the trading
   * day); a strategy ledger past its daily-loss limit is reported once per breach (the host
   * pauses its strategy).
   */
  private checkLedgerLimits(now: number): void {
    const day = dayNumber(now, this.risk.limits.dayBoundaryUtcOffsetMinutes);
    for (const l of this.ledgers.values()) {
      const loss = l.dailyLossPct(day);
      const limit = l.limits.maxDailyLossPct;
      if (l.kind !== 'strategy' || limit === undefined || loss < limit) continue;
      const key = `${l.id}|${day}`;
      if (this.breached.has(key)) continue;
      this.breached.add(key);
      this.events.emit({ kind: 'ledger_breach', ledger: l.id, reason: `daily loss ${loss.toFixed(2)}% reached its limit of ${limit}%`, ts: now });
    }
  }

  // ---------- reading the book ----------

  /** The account as the sum of its ledgers; exposure is the venue's net positions at their marks. */
  accountSnapshot(): AccountSnapshot {
    const t = this.ledgers.totals();
    return {
      currency: this.account.currency,
      cash: this.account.cash,
      equity: this.account.equity(),
      realizedPnl: t.realizedPnl,
      unrealizedPnl: t.unrealizedPnl,
      feesPaid: t.fees,
      grossExposure: this.account.grossExposure(),
    };
  }

  /** Open positions, one per ledger and symbol. */
  positions(): (PositionSnapshot & { ledger: string })[] {
    return this.ledgers.all().flatMap((l) => l.book.snapshotPositions().filter((p) => p.qty !== 0).map((p) => ({ ...p, ledger: l.id })));
  }

  ledgerSnapshots(): LedgerSnapshot[] {
    return this.ledgers.snapshots();
  }

  /** Equity of every ledger and of the account at `ts`, for the dashboard's curves. */
  sampleEquity(ts: number): void {
    const points = this.ledgers.all().map((l) => ({ ledger: l.id, ts, equity: l.equity() }));
    points.push({ ledger: ACCOUNT_LEDGER, ts, equity: this.account.equity() });
    this.persistence?.addEquityPoints(points);
  }

  alert(level: 'warn' | 'error', title: string, message: string): void {
    this.log[level](`${title}: ${message}`);
    this.events.emit({ kind: 'alert', level, title, message, ts: this.clock.now() });
  }

  private requirePersistence(): DeskPersistence {
    if (!this.persistence) throw new KeelError('UNAVAILABLE', 'this desk keeps nothing: it has no persistence', { where: 'desk' });
    return this.persistence;
  }
}

/** Whether an order only takes a position of `position` towards flat (a reducing order never opens one). */
function reduces(position: number, req: OrderRequest): boolean {
  if (position === 0 || req.qty === undefined) return false;
  const signed = req.side === 'buy' ? req.qty : -req.qty;
  return Math.sign(signed) !== Math.sign(position) && Math.abs(signed) <= Math.abs(position) * (1 + 1e-12);
}
