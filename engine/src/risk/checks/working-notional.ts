import type { Order } from '../../model/order';
import { onlyReduces, type Book } from './book';
import type { RiskCheck } from './types';

/** A working order reduces when it is reduce-only or opposite to the position and no larger than it. */
function reduces(o: Order, book: Book): boolean {
  if (o.reduceOnly) return true;
  const pos = book.position(o.symbol);
  return pos !== 0 && (o.side === 'buy') === pos < 0 && o.remainingQty <= Math.abs(pos);
}

/**
 * Working orders that open or add must be covered by the free balance: equity less what the
 * open positions already use (gross exposure at current prices). Reducing orders need none.
 */
export const workingNotional: RiskCheck = {
  id: 'working_notional',
  run: ({ req, book, equity, notional, signed }) => {
    const own = book.get(req.symbol);
    if (req.reduceOnly || onlyReduces(own, signed)) return undefined;
    let used = 0;
    for (const s of book.symbols.values()) used += Math.abs(s.position) * s.price;
    let reserved = 0;
    for (const o of book.working) {
      if (reduces(o, book)) continue;
      reserved += o.remainingQty * (o.price ?? o.stopPrice ?? book.get(o.symbol).price);
    }
    const free = equity - used;
    if (reserved + notional <= free) return undefined;
    return `working orders would commit ${(reserved + notional).toFixed(2)}, more than the free balance ${free.toFixed(2)}`;
  },
};
