/**
 * Closed trades (round trips) built from fills: a trade opens when a position leaves flat
 * and closes when it returns to flat. A fill that flips the position closes one trade and
 * opens the next with the rest, its fee split pro rata. A position still open at the end
 * is not a trade. pnl is net of the fees of both legs.
 */
import type { Fill } from '../model/fill';
import type { Order } from '../model/order';
import type { RoundTrip } from '../model/round-trip';

export type { RoundTrip };

const EPS = 1e-12;

class OpenTrade {
  dir = 0;
  open = 0;
  entryTime = 0;
  entryQty = 0;
  entryValue = 0;
  exitQty = 0;
  exitValue = 0;
  fees = 0;
}

export class RoundTripLedger {
  readonly trades: RoundTrip[] = [];
  private readonly open = new Map<string, OpenTrade>();

  onFill(fill: Fill, order: Order): void {
    let t = this.open.get(fill.symbol);
    if (!t) {
      t = new OpenTrade();
      this.open.set(fill.symbol, t);
    }
    const dir = fill.side === 'buy' ? 1 : -1;
    if (t.open === 0 || t.dir === dir) {
      this.add(t, dir, fill.qty, fill.price, fill.fee, fill.ts);
      return;
    }
    const closing = Math.min(t.open, fill.qty);
    const rest = fill.qty - closing;
    t.exitQty += closing;
    t.exitValue += closing * fill.price;
    t.fees += rest > 0 ? (fill.fee * closing) / fill.qty : fill.fee;
    t.open -= closing;
    if (t.open <= EPS * Math.max(1, t.entryQty)) {
      this.close(fill.symbol, t, fill.ts, order.tag ?? order.type);
      if (rest > EPS * fill.qty) this.add(t, dir, rest, fill.price, (fill.fee * rest) / fill.qty, fill.ts);
    }
  }

  private add(t: OpenTrade, dir: number, qty: number, price: number, fee: number, ts: number): void {
    if (t.open === 0) {
      t.dir = dir;
      t.entryTime = ts;
      t.entryQty = t.entryValue = t.exitQty = t.exitValue = t.fees = 0;
    }
    t.open += qty;
    t.entryQty += qty;
    t.entryValue += qty * price;
    t.fees += fee;
  }

  private close(symbol: string, t: OpenTrade, ts: number, reason: string): void {
    const gross = t.dir * (t.exitValue - t.entryValue);
    const pnl = gross - t.fees;
    this.trades.push({
      symbol,
      side: t.dir > 0 ? 'buy' : 'sell',
      entryTime: t.entryTime,
      entryPrice: t.entryValue / t.entryQty,
      exitTime: ts,
      exitPrice: t.exitValue / t.exitQty,
      qty: t.entryQty,
      fees: t.fees,
      pnl,
      returnPct: pnl / t.entryValue,
      exitReason: reason,
    });
    t.open = 0;
  }
}
