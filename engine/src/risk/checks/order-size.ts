import type { RiskCheck } from './types';

export const minQty: RiskCheck = {
  id: 'min_qty',
  run: ({ qty, req, instrument }) => {
    if (req.qty !== undefined && !(qty > 0)) return `qty rounds to 0 at lot size ${instrument.lotSize}`;
    if (qty < instrument.minQty) return `qty ${qty} is below the instrument minimum ${instrument.minQty}`;
    return undefined;
  },
};

export const minNotional: RiskCheck = {
  id: 'min_notional',
  run: ({ notional, instrument }) =>
    notional < instrument.minNotional ? `notional ${notional} is below the instrument minimum ${instrument.minNotional}` : undefined,
};

/** Fat-finger limits on a single order. */
export const maxOrderQty: RiskCheck = {
  id: 'max_order_qty',
  run: ({ qty, limits }) => (qty > limits.maxOrderQty ? `qty ${qty} exceeds the per-order maximum ${limits.maxOrderQty}` : undefined),
};

export const maxOrderNotional: RiskCheck = {
  id: 'max_order_notional',
  run: ({ notional, limits }) =>
    notional > limits.maxOrderNotional ? `notional ${notional.toFixed(2)} exceeds the per-order maximum ${limits.maxOrderNotional}` : undefined,
};
