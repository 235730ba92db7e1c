import type { Fill } from './fill';

/** Quantities this close to zero are zero: repeated float arithmetic must not leave dust positions. */
const QTY_EPSILON = 1e-12;

/**
 * A netting position in one symbol: one signed quantity and its average entry price.
 * A fill in the opposite direction realises PnL on the closed part and, past flat,
 * opens the other way at the fill price. realizedPnl is before fees; fees are kept apart.
 */
export class Position {
  qty = 0;
  avgPrice = 0;
  realizedPnl = 0;
  fees = 0;
  openedAt: number | undefined = undefined;
  updatedAt = 0;

  constructor(readonly symbol: string) {}

  /** Applies a fill and returns the PnL it realised (before fees). */
  apply(fill: Pick<Fill, 'side' | 'qty' | 'price' | 'fee' | 'ts'>): number {
    const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
    let realized = 0;
    if (this.qty === 0 || Math.sign(this.qty) === Math.sign(signed)) {
      const newQty = this.qty + signed;
      this.avgPrice = (this.avgPrice * Math.abs(this.qty) + fill.price * fill.qty) / Math.abs(newQty);
      if (this.qty === 0) this.openedAt = fill.ts;
      this.qty = newQty;
    } else {
      const closing = Math.min(Math.abs(this.qty), fill.qty);
      realized = closing * (fill.price - this.avgPrice) * Math.sign(this.qty);
      const newQty = this.qty + signed;
      if (Math.abs(newQty) <= QTY_EPSILON * Math.max(1, fill.qty)) {
        this.qty = 0;
        this.avgPrice = 0;
        this.openedAt = undefined;
      } else if (Math.sign(newQty) !== Math.sign(this.qty)) {
        this.qty = newQty;
        this.avgPrice = fill.price;
        this.openedAt = fill.ts;
      } else {
        this.qty = newQty;
      }
    }
    this.realizedPnl += realized;
    this.fees += fill.fee;
    this.updatedAt = fill.ts;
    return realized;
  }

  unrealizedPnl(mark: number): number {
    return this.qty === 0 ? 0 : this.qty * (mark - this.avgPrice);
  }

  get isFlat(): boolean {
    return this.qty === 0;
  }
}

export interface PositionSnapshot {
  symbol: string;
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  fees: number;
  mark: number;
  unrealizedPnl: number;
  openedAt: number | undefined;
  updatedAt: number;
}
