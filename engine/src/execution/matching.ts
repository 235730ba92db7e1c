/**
 * Pure bar-matching rules: does a working order trade inside a bar, and at what price.
 * Shared by the simulated (backtest) and paper venues so both fill by the same rules.
 * Every function returns NaN for "no fill in this bar"; slippage is a fraction of price
 * that always moves the price against the order (buys pay more, sells receive less).
 */
import type { Side } from '../model/order';

/** The part of a bar matching needs. */
export interface BarRange {
  readonly open: number;
  readonly high: number;
  readonly low: number;
}

/** A market order placed before this bar fills at its open, moved against the order by slippage. */
export function marketPrice(side: Side, open: number, slippage: number): number {
  return side === 'buy' ? open * (1 + slippage) : open * (1 - slippage);
}

/**
 * A resting limit fills when the bar's range reaches it, at the limit, or at the open when
 * the bar opens through it (a buy limit above the open fills at the better open).
 */
export function limitFillPrice(side: Side, limit: number, bar: BarRange): number {
  if (side === 'buy') {
    if (bar.open <= limit) return bar.open;
    return bar.low <= limit ? limit : NaN;
  }
  if (bar.open >= limit) return bar.open;
  return bar.high >= limit ? limit : NaN;
}

/**
 * The price at which a stop triggers in this bar, before slippage: the stop, or the open when
 * the bar gaps through it (the worse price for the order). NaN when the range misses it.
 */
export function stopTriggerPrice(side: Side, stop: number, bar: BarRange): number {
  if (side === 'buy') {
    if (bar.open >= stop) return bar.open;
    return bar.high >= stop ? stop : NaN;
  }
  if (bar.open <= stop) return bar.open;
  return bar.low <= stop ? stop : NaN;
}

/**
 * A stop-limit in the bar its stop triggers: it fills at once at the slipped trigger price
 * when that is within the limit (capped at the limit); otherwise it becomes a resting limit
 * that may fill from the next bar on. Returns NaN for "triggered but not filled".
 */
export function stopLimitTriggerFill(side: Side, triggerPrice: number, limit: number, slippage: number): number {
  const p = marketPrice(side, triggerPrice, slippage);
  if (side === 'buy') return triggerPrice <= limit ? Math.min(p, limit) : NaN;
  return triggerPrice >= limit ? Math.max(p, limit) : NaN;
}

/**
 * A trailing stop's level from the best price seen since it was placed: a sell trails below
 * the highest high, a buy above the lowest low, by a fraction or an amount.
 */
export function trailingStopLevel(side: Side, extreme: number, percent: number | undefined, amount: number | undefined): number {
  if (side === 'sell') return percent !== undefined ? extreme * (1 - percent) : extreme - (amount ?? 0);
  return percent !== undefined ? extreme * (1 + percent) : extreme + (amount ?? 0);
}

/**
 * Quantity bought (or sold) for a quote amount at `price`, fees included: a buy spends
 * quoteQty = qty·price·(1 + fee); a sell nets quoteQty = qty·price·(1 − fee).
 */
export function qtyForQuote(side: Side, quoteQty: number, price: number, fee: number): number {
  return side === 'buy' ? quoteQty / (price * (1 + fee)) : quoteQty / (price * (1 - fee));
}
