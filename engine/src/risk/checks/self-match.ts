import type { RiskCheck } from './types';

/**
 * No order that would trade against our own resting limit order: a buy at or above our
 * working sell's price, a sell at or below our working buy's, or a market order while we
 * rest on the other side. Stops are not checked: they do not rest on the book until triggered.
 */
export const selfMatch: RiskCheck = {
  id: 'self_match',
  run: ({ req, book }) => {
    if (req.type !== 'market' && req.type !== 'limit') return undefined;
    for (const o of book.working) {
      if (o.symbol !== req.symbol || o.side === req.side || o.type !== 'limit' || o.price === undefined) continue;
      const crosses = req.type === 'market' || (req.side === 'buy' ? (req.price as number) >= o.price : (req.price as number) <= o.price);
      if (crosses) return `would cross our own working ${o.side} ${o.id} at ${o.price}`;
    }
    return undefined;
  },
};
