import type { RiskCheck } from './types';

/** No order of any type without a fresh reference price: its notional and collar need one. */
export const stalePrice: RiskCheck = {
  id: 'stale_price',
  run: ({ ref, now, limits, req }) => {
    if (!ref) return `no reference price for ${req.symbol}`;
    if (!(ref.price > 0)) return `reference price for ${req.symbol} is ${ref.price}, not a usable price`;
    const age = now - ref.ts;
    if (age > limits.maxPriceAgeMs) return `reference price for ${req.symbol} is ${age} ms old (limit ${limits.maxPriceAgeMs} ms)`;
    return undefined;
  },
};

/** Limit and stop prices within priceCollarPct of the reference price: catches a misplaced decimal point. */
export const priceCollar: RiskCheck = {
  id: 'price_collar',
  run: ({ req, ref, limits }) => {
    const refPrice = (ref as { price: number }).price;
    for (const [name, p] of [['price', req.price], ['stopPrice', req.stopPrice]] as const) {
      if (p === undefined) continue;
      const off = (Math.abs(p - refPrice) / refPrice) * 100;
      if (off > limits.priceCollarPct) {
        return `${name} ${p} is ${off.toFixed(2)}% from the reference price ${refPrice} (collar ${limits.priceCollarPct}%)`;
      }
    }
    return undefined;
  },
};
