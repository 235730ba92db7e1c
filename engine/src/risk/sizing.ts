/**
 * Position sizers shared by the order ticket and strategies. Each returns a quantity
 * (>= 0, not yet rounded to the lot size; the order path rounds) and never throws on a
 * degenerate input: a zero stop distance or ATR sizes to 0, because "no idea of risk"
 * must never mean "infinite size".
 */
import { badInput } from '../core/errors';
import { roundToStep, type Instrument } from '../model/instrument';
import { SIZE_MODES, type Side, type SizeMode } from '../model/order';

/** Risk `riskFraction` of equity between entry and stop: qty = equity·f / |entry − stop|. */
export function fixedFractional(p: { equity: number; riskFraction: number; entry: number; stop: number }): number {
  const distance = Math.abs(p.entry - p.stop);
  if (!(distance > 0) || !(p.equity > 0) || !(p.riskFraction > 0)) return 0;
  return (p.equity * p.riskFraction) / distance;
}

/** Spend `fraction` of equity as notional at `price`: qty = equity·f / price. */
export function fixedNotionalFraction(p: { equity: number; fraction: number; price: number }): number {
  if (!(p.price > 0) || !(p.equity > 0) || !(p.fraction > 0)) return 0;
  return (p.equity * p.fraction) / p.price;
}

/** Volatility sizing: qty = (equity × riskPerTrade) / (ATR × multiplier). */
export function volatilitySized(p: { equity: number; riskPerTrade: number; atr: number; multiplier: number }): number {
  const unitRisk = p.atr * p.multiplier;
  if (!(unitRisk > 0) || !(p.equity > 0) || !(p.riskPerTrade > 0)) return 0;
  return (p.equity * p.riskPerTrade) / unitRisk;
}

/**
 * Kelly fraction f* = p − (1 − p)/b with b = average win / average loss, clipped to [0, cap],
 * spent as notional at `price`. Full Kelly is too aggressive for estimated edges, hence the cap.
 */
export function kellyFraction(p: { winRate: number; avgWin: number; avgLoss: number; cap: number }): number {
  if (!(p.avgWin > 0) || !(p.avgLoss > 0) || !(p.winRate >= 0 && p.winRate <= 1)) return 0;
  const b = p.avgWin / p.avgLoss;
  const f = p.winRate - (1 - p.winRate) / b;
  return Math.min(Math.max(f, 0), Math.max(p.cap, 0));
}

export function kellySized(p: { equity: number; price: number; winRate: number; avgWin: number; avgLoss: number; cap: number }): number {
  if (!(p.price > 0) || !(p.equity > 0)) return 0;
  return (p.equity * kellyFraction(p)) / p.price;
}

/**
 * Resolves an order ticket's size to a quantity, rounded down to the lot when an instrument
 * is given. Unlike the sizers above this takes a person's input, so a ticket that cannot be
 * sized (no price to size at, a stop on the wrong side) is a KeelError naming the field.
 * The entry price is the ticket's limit price, else its stop price, else the reference price.
 */
/** A ticket's size as a person gave it (the wire's TicketOrder carries these fields). */
export interface TicketSize {
  side: Side;
  size: number;
  sizeMode: SizeMode;
  price?: number;
  stopPrice?: number;
  /** For riskPercent: the protective stop the risk is measured to. */
  riskStop?: number;
}

export function sizeTicket(
  t: TicketSize,
  ctx: { equity: number; referencePrice: number | undefined; instrument?: Pick<Instrument, 'lotSize'> },
): number {
  if (!(Number.isFinite(t.size) && t.size > 0)) throw badInput(`size must be a positive number, got ${t.size}`, 'ticket.size');
  const entry = t.price ?? t.stopPrice ?? ctx.referencePrice;
  const needEntry = () => {
    if (!(entry !== undefined && Number.isFinite(entry) && entry > 0)) {
      throw badInput(`no price to size at: give a price or wait for a reference price`, 'ticket.price');
    }
    return entry;
  };
  let qty: number;
  switch (t.sizeMode) {
    case 'qty':
      qty = t.size;
      break;
    case 'notional':
      qty = t.size / needEntry();
      break;
    case 'riskPercent': {
      const e = needEntry();
      const stop = t.riskStop;
      if (stop === undefined || !(Number.isFinite(stop) && stop > 0)) throw badInput('riskPercent sizing needs a positive riskStop', 'ticket.riskStop');
      if (t.side === 'buy' ? stop >= e : stop <= e) {
        throw badInput(`riskStop ${stop} must be ${t.side === 'buy' ? 'below' : 'above'} the entry ${e} for a ${t.side}`, 'ticket.riskStop');
      }
      if (t.size > 100) throw badInput(`riskPercent is a percentage of equity, got ${t.size}`, 'ticket.size');
      if (!(ctx.equity > 0)) throw badInput(`riskPercent sizing needs positive equity, got ${ctx.equity}`, 'ticket.size');
      qty = fixedFractional({ equity: ctx.equity, riskFraction: t.size / 100, entry: e, stop });
      break;
    }
    default:
      throw badInput(`sizeMode must be one of ${SIZE_MODES.join(', ')}, got ${String(t.sizeMode)}`, 'ticket.sizeMode');
  }
  return ctx.instrument ? roundToStep(qty, ctx.instrument.lotSize, 'down') : qty;
}
