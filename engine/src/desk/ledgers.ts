import { KeelError } from '../core/errors';
import type { LedgerPositions } from '../execution/order-manager';
import { Account } from '../model/account';
import type { Fill } from '../model/fill';
import { MANUAL_LEDGER } from '../model/order';
import type { LedgerKind, LedgerLimits, LedgerSnapshot } from '../model/ledger';

export type { LedgerKind, LedgerLimits, LedgerSnapshot };

/** A move of cash, or of a position at a price, from one ledger to another (an allocation, a take-over). */
export interface LedgerTransfer {
  ts: number;
  kind: 'cash' | 'position';
  from: string;
  to: string;
  amount: number;
  symbol?: string | undefined;
  /** Signed quantity moved: a long of 0.5 moving from the strategy to manual is +0.5. */
  qty?: number | undefined;
  price?: number | undefined;
}

/**
 * One book of the account: its cash, positions, realised and unrealised PnL and fees, built
 * from its own fills and the transfers in and out of it. A strategy reads only its ledger.
 */
export class Ledger {
  /** Starts empty: a ledger's cash is what transfers bring it, then what its fills do. */
  readonly book = new Account(0);
  allocation = 0;
  closed = false;
  private dayStart: { day: number; equity: number } | undefined;

  constructor(
    readonly id: string,
    readonly kind: LedgerKind,
    public label: string,
    public limits: LedgerLimits = {},
  ) {}

  get cash(): number {
    return this.book.cash;
  }

  equity(): number {
    return this.book.equity();
  }

  position(symbol: string) {
    return this.book.position(symbol);
  }

  markPrice(symbol: string): number | undefined {
    return this.book.markPrice(symbol);
  }

  /** Records equity at the start of `day` the first time the day is seen; returns today's loss as a percentage (0 when up). */
  dailyLossPct(day: number): number {
    const eq = this.equity();
    if (this.dayStart?.day !== day) this.dayStart = { day, equity: eq };
    const start = this.dayStart.equity;
    return start > 0 ? Math.max(0, ((start - eq) / start) * 100) : 0;
  }

  snapshot(): LedgerSnapshot {
    const b = this.book;
    const equity = b.equity();
    return {
      id: this.id,
      kind: this.kind,
      label: this.label,
      allocation: this.allocation,
      cash: b.cash,
      equity,
      realizedPnl: b.realizedPnl,
      unrealizedPnl: b.unrealizedPnl(),
      fees: b.feesPaid,
      exposure: b.grossExposure(),
      dayPnl: this.dayStart ? equity - this.dayStart.equity : 0,
      positions: b.snapshotPositions().filter((p) => p.qty !== 0),
      limits: { ...this.limits },
      closed: this.closed,
    };
  }
}

/**
 * Every ledger of the account. The account is their sum: each fill is applied to exactly one
 * ledger (its order's), and a transfer moves value between two without changing the total.
 */
export class Ledgers implements LedgerPositions {
  private readonly byId = new Map<string, Ledger>();

  constructor() {
    this.add(MANUAL_LEDGER, 'manual', 'Manual');
  }

  add(id: string, kind: LedgerKind, label: string, limits: LedgerLimits = {}): Ledger {
    if (this.byId.has(id)) throw new KeelError('CONFLICT', `ledger ${id} exists already`, { where: 'ledgers' });
    const l = new Ledger(id, kind, label, limits);
    this.byId.set(id, l);
    return l;
  }

  get(id: string): Ledger {
    const l = this.byId.get(id);
    if (!l) throw new KeelError('NOT_FOUND', `no ledger "${id}"`, { where: 'ledger' });
    return l;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get manual(): Ledger {
    return this.get(MANUAL_LEDGER);
  }

  all(): Ledger[] {
    return [...this.byId.values()];
  }

  /** The ledgers without a copy: for loops that run on every price. */
  values(): IterableIterator<Ledger> {
    return this.byId.values();
  }

  qty(ledger: string, symbol: string): number {
    return this.byId.get(ledger)?.book.position(symbol).qty ?? 0;
  }

  /** A fill of an order of this ledger; an unknown ledger is refused, never guessed. */
  applyFill(fill: Fill): void {
    this.get(fill.ledger ?? MANUAL_LEDGER).book.applyFill(fill);
  }

  /**
   * Cash moves as cash; a position moves at its price as a pair of internal trades with no
   * fee: the giver sells it (realising its PnL up to that price), the taker buys it.
   */
  applyTransfer(t: LedgerTransfer): void {
    const from = this.get(t.from);
    const to = this.get(t.to);
    if (t.kind === 'cash') {
      if (!(t.amount > 0)) throw new KeelError('BAD_INPUT', `a cash transfer must be positive, got ${t.amount}`, { where: `transfer ${t.from} -> ${t.to}` });
      from.book.cash -= t.amount;
      from.allocation -= t.amount;
      to.book.cash += t.amount;
      to.allocation += t.amount;
      return;
    }
    const qty = t.qty ?? 0;
    const price = t.price ?? 0;
    if (!t.symbol || qty === 0 || !(price > 0)) throw new KeelError('BAD_INPUT', 'a position transfer needs a symbol, a quantity and a price', { where: `transfer ${t.from} -> ${t.to}` });
    const base = { orderId: 'transfer', clientOrderId: 'transfer', symbol: t.symbol, qty: Math.abs(qty), price, fee: 0, liquidity: 'taker' as const, ts: t.ts };
    from.book.applyFill({ ...base, id: `transfer-out-${t.ts}`, side: qty > 0 ? 'sell' : 'buy' });
    to.book.applyFill({ ...base, id: `transfer-in-${t.ts}`, side: qty > 0 ? 'buy' : 'sell' });
  }

  mark(symbol: string, price: number): void {
    for (const l of this.byId.values()) l.book.mark(symbol, price);
  }

  snapshots(): LedgerSnapshot[] {
    return this.all().map((l) => l.snapshot());
  }

  /** The account as the sum of its ledgers. */
  totals(): { cash: number; equity: number; realizedPnl: number; unrealizedPnl: number; fees: number } {
    let cash = 0;
    let equity = 0;
    let realizedPnl = 0;
    let unrealizedPnl = 0;
    let fees = 0;
    for (const l of this.byId.values()) {
      cash += l.book.cash;
      equity += l.book.equity();
      realizedPnl += l.book.realizedPnl;
      unrealizedPnl += l.book.unrealizedPnl();
      fees += l.book.feesPaid;
    }
    return { cash, equity, realizedPnl, unrealizedPnl, fees };
  }
}
