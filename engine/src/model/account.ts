import type { Fill } from './fill';
import { Position, type PositionSnapshot } from './position';

/**
 * Cash and positions in one quote currency. Buying spends qty×price plus the fee; selling
 * receives qty×price less the fee; a short is a negative position whose sale proceeds sit
 * in cash. So equity = cash + Σ qty × mark holds for longs and shorts alike.
 */
export class Account {
  cash: number;
  readonly startingCash: number;
  feesPaid = 0;
  realizedPnl = 0;
  private readonly positions = new Map<string, Position>();
  /** Each symbol's mark in a slot of its own: marking every bar then stores a number in place rather than boxing a new one. */
  private readonly marks = new Map<string, { price: number }>();

  constructor(startingCash: number, readonly currency = 'USD') {
    this.cash = startingCash;
    this.startingCash = startingCash;
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (!p) {
      p = new Position(symbol);
      this.positions.set(symbol, p);
    }
    return p;
  }

  openPositions(): Position[] {
    return [...this.positions.values()].filter((p) => !p.isFlat);
  }

  applyFill(fill: Fill): number {
    const notional = fill.qty * fill.price;
    this.cash += fill.side === 'buy' ? -notional - fill.fee : notional - fill.fee;
    this.feesPaid += fill.fee;
    const realized = this.position(fill.symbol).apply(fill);
    this.realizedPnl += realized;
    if (!this.marks.has(fill.symbol)) this.marks.set(fill.symbol, { price: fill.price });
    return realized;
  }

  mark(symbol: string, price: number): void {
    const slot = this.marks.get(symbol);
    if (slot) slot.price = price;
    else this.marks.set(symbol, { price });
  }

  markPrice(symbol: string): number | undefined {
    return this.marks.get(symbol)?.price;
  }

  unrealizedPnl(): number {
    let u = 0;
    for (const p of this.positions.values()) {
      if (!p.isFlat) u += p.unrealizedPnl(this.markPrice(p.symbol) ?? p.avgPrice);
    }
    return u;
  }

  /** Σ |qty × mark|: what risk limits call exposure. */
  grossExposure(): number {
    let e = 0;
    for (const p of this.positions.values()) {
      if (!p.isFlat) e += Math.abs(p.qty * (this.markPrice(p.symbol) ?? p.avgPrice));
    }
    return e;
  }

  equity(): number {
    let e = this.cash;
    for (const p of this.positions.values()) {
      if (!p.isFlat) e += p.qty * (this.markPrice(p.symbol) ?? p.avgPrice);
    }
    return e;
  }

  snapshotPositions(): PositionSnapshot[] {
    return [...this.positions.values()].map((p) => {
      const mark = this.markPrice(p.symbol) ?? p.avgPrice;
      return {
        symbol: p.symbol,
        qty: p.qty,
        avgPrice: p.avgPrice,
        realizedPnl: p.realizedPnl,
        fees: p.fees,
        mark,
        unrealizedPnl: p.unrealizedPnl(mark),
        openedAt: p.openedAt,
        updatedAt: p.updatedAt,
      };
    });
  }
}

export interface AccountSnapshot {
  currency: string;
  cash: number;
  equity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  feesPaid: number;
  grossExposure: number;
}

export function snapshotAccount(a: Account): AccountSnapshot {
  return {
    currency: a.currency,
    cash: a.cash,
    equity: a.equity(),
    realizedPnl: a.realizedPnl,
    unrealizedPnl: a.unrealizedPnl(),
    feesPaid: a.feesPaid,
    grossExposure: a.grossExposure(),
  };
}
