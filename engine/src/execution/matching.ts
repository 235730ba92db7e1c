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

/** The better of two prices for the trail: higher for a sell stop, lower for a buy stop. */
export function favourable(side: Side, a: number, b: number): number {
  return side === 'sell' ? Math.max(a, b) : Math.min(a, b);
}

/** A trail's distance, as an order or request carries it. */
export interface TrailDistanceFields {
  trailingPercent?: number | undefined;
  trailingAmount?: number | undefined;
}

export interface TrailStep {
  /** Best price after this event (unchanged on the event that triggers). */
  best: number;
  /** The stop level the event was tested against. */
  level: number;
  /** Where the stop triggered (the level, or the open when it gapped through); undefined if it did not. */
  triggeredAt: number | undefined;
}

/**
 * A trailing stop on one event (a bar, or a print as a bar of one price), in every mode: the
 * backtest venue, the paper venue and the emulator. A sell trail protects a long and follows
 * the highest price since activation, down by a fraction or an amount; a buy trail follows
 * the lowest. `best` is the best price so far (undefined before its first event). The open
 * comes first, so it may move the trail; the rest of a bar is tested against the trail as it
 * stood after the open, and only an event that does not trigger may move it further. That is
 * the pessimistic reading of a bar's unknown path.
 */
export function stepTrail(side: Side, best: number | undefined, d: TrailDistanceFields, ev: BarRange): TrailStep {
  const afterOpen = best === undefined ? ev.open : favourable(side, best, ev.open);
  const level = trailingStopLevel(side, afterOpen, d.trailingPercent, d.trailingAmount);
  const t = stopTriggerPrice(side, level, ev);
  if (t === t) return { best: afterOpen, level, triggeredAt: t };
  return { best: favourable(side, afterOpen, side === 'sell' ? ev.high : ev.low), level, triggeredAt: undefined };
}

/**
 * Liquidity of a limit fill, in every mode: a limit that fills on the first event it sees
 * (the first bar, print or quote after it went live) because that event opened through its
 * price was marketable on arrival and took liquidity (taker); one that rested first, or was
 * only touched by the range, gave it (maker).
 */
export function limitLiquidity(side: Side, limit: number, open: number, firstEvent: boolean): 'maker' | 'taker' {
  const throughOpen = side === 'buy' ? open <= limit : open >= limit;
  return firstEvent && throughOpen ? 'taker' : 'maker';
}

/**
 * What a reduce-only order of `side` may still take off a signed `position`: the part on its
 * side of flat, or 0 when nothing (or only float dust) is left, in every venue alike.
 */
export function reducibleRoom(side: Side, position: number): number {
  const room = side === 'sell' ? position : -position;
  return room > 1e-12 ? room : 0;
}
