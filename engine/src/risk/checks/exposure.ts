import { onlyReduces, worstQty } from './book';
import type { CheckInput, RiskCheck } from './types';

/**
 * Exposure limits hold for the worst case: the position plus every working order on one side
 * filling, plus this order. An order that does not raise that worst case always passes,
 * so a trader over a limit (after a limit was lowered, or prices moved) can still get out.
 */
function worstNotional(c: CheckInput, withOrder: boolean): { symbol: number; total: number } {
  let total = 0;
  for (const [sym, s] of c.book.symbols) {
    if (sym === c.req.symbol) continue;
    total += worstQty(s) * s.price;
  }
  const own = c.book.get(c.req.symbol);
  const buy = withOrder && c.signed > 0 ? c.qty : 0;
  const sell = withOrder && c.signed < 0 ? c.qty : 0;
  const refPrice = (c.ref as { price: number }).price;
  const symbol = worstQty(own, buy, sell) * refPrice;
  return { symbol, total: total + symbol };
}

export const maxPosition: RiskCheck = {
  id: 'max_position',
  run: (c) => {
    const after = worstNotional(c, true).symbol;
    if (after <= c.limits.maxPositionNotional || after <= worstNotional(c, false).symbol) return undefined;
    return `${c.req.symbol} position could reach ${after.toFixed(2)} notional (limit ${c.limits.maxPositionNotional})`;
  },
};

export const maxExposure: RiskCheck = {
  id: 'max_exposure',
  run: (c) => {
    const after = worstNotional(c, true).total;
    const cap = (c.limits.maxExposurePct / 100) * Math.max(c.equity, 0);
    if (after <= cap || after <= worstNotional(c, false).total) return undefined;
    return `gross exposure could reach ${after.toFixed(2)}, over ${c.limits.maxExposurePct}% of equity ${c.equity.toFixed(2)} (${cap.toFixed(2)})`;
  },
};

/** A symbol is open when it has a position or a working order that may open one. */
export const maxOpenPositions: RiskCheck = {
  id: 'max_open_positions',
  run: ({ req, book, limits, signed }) => {
    const own = book.get(req.symbol);
    if (req.reduceOnly || own.position !== 0 || own.hasOpeningOrder || onlyReduces(own, signed)) return undefined;
    let open = 0;
    for (const s of book.symbols.values()) if (s.position !== 0 || s.hasOpeningOrder) open += 1;
    return open >= limits.maxOpenPositions ? `${open} positions open or opening (limit ${limits.maxOpenPositions}); ${req.symbol} would be another` : undefined;
  },
};
