import { badInput } from '../../core/errors';
import type { Side } from '../../model/order';
import { stopTriggerPrice, trailingStopLevel, type BarRange } from '../matching';

/**
 * Trailing-stop tracking shared by the emulator and the paper venue's native trailing stop.
 * A sell trail protects a long: it follows the highest price since activation, down by a
 * fraction or an amount. A buy trail protects a short and follows the lowest price.
 */
export interface TrailDistance {
  trailingPercent?: number | undefined;
  trailingAmount?: number | undefined;
}

export function validateTrail(d: TrailDistance, where: string): void {
  const hasPct = d.trailingPercent !== undefined;
  const hasAmt = d.trailingAmount !== undefined;
  if (hasPct === hasAmt) throw badInput('a trailing stop needs exactly one of trailingPercent and trailingAmount', where);
  if (hasPct && !(d.trailingPercent! > 0 && d.trailingPercent! < 1)) {
    throw badInput(`trailingPercent is a fraction in (0, 1), e.g. 0.02 for 2%; got ${d.trailingPercent}`, where);
  }
  if (hasAmt && !(d.trailingAmount! > 0)) throw badInput(`trailingAmount must be positive, got ${d.trailingAmount}`, where);
}

/** The better of two prices for the trail: higher for a sell stop, lower for a buy stop. */
export function favourable(side: Side, a: number, b: number): number {
  return side === 'sell' ? Math.max(a, b) : Math.min(a, b);
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
 * One event (a bar, or a print as a bar of one price) for a trail whose best so far is `best`
 * (undefined before its first event). The open comes first, so it may move the trail; the rest
 * of a bar is tested against the trail as it stood after the open, and only an event that does
 * not trigger may move it further. That is the pessimistic reading of a bar's unknown path.
 */
export function stepTrail(side: Side, best: number | undefined, d: TrailDistance, ev: BarRange): TrailStep {
  const afterOpen = best === undefined ? ev.open : favourable(side, best, ev.open);
  const level = trailingStopLevel(side, afterOpen, d.trailingPercent, d.trailingAmount);
  const t = stopTriggerPrice(side, level, ev);
  if (t === t) return { best: afterOpen, level, triggeredAt: t };
  return { best: favourable(side, afterOpen, side === 'sell' ? ev.high : ev.low), level, triggeredAt: undefined };
}
