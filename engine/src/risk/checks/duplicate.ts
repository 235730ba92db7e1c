import type { OrderRequest } from '../../model/order';
import type { CheckInput, RiskCheck } from './types';

interface Seen {
  key: string;
  ts: number;
}

const keyOf = (r: OrderRequest, qty: number) => `${r.symbol}|${r.side}|${r.type}|${qty}|${r.price ?? ''}|${r.stopPrice ?? ''}`;

/** The same symbol, side, quantity and price again within duplicateWindowMs: a double click or a strategy loop. */
export class DuplicateCheck implements RiskCheck {
  readonly id = 'duplicate';
  private recent: Seen[] = [];

  run(c: CheckInput): string | undefined {
    const window = c.limits.duplicateWindowMs;
    // A change to a working order repeats that order's terms by nature; it is no double click.
    if (window <= 0 || c.req.amends !== undefined) return undefined;
    this.recent = this.recent.filter((s) => c.now - s.ts < window);
    const key = keyOf(c.req, c.qty);
    const prev = this.recent.find((s) => s.key === key);
    return prev ? `same ${c.req.side} ${c.qty} ${c.req.symbol}${c.req.price !== undefined ? ` @ ${c.req.price}` : ''} as an order ${c.now - prev.ts} ms ago (window ${window} ms)` : undefined;
  }

  accepted(c: CheckInput): void {
    if (c.limits.duplicateWindowMs > 0 && c.req.amends === undefined) this.recent.push({ key: keyOf(c.req, c.qty), ts: c.now });
  }
}
