import type { OrderType, Side } from '../../model/order';
import { limitFillPrice, limitLiquidity, marketPrice, stepTrail, stopLimitTriggerFill, stopTriggerPrice, type BarRange } from '../matching';

/**
 * The paper venue's fill rules on one market-data event, built on the shared bar-matching
 * rules of ../matching so paper and backtest fill alike. A bar is read as open first, then
 * the rest of its range in an unknown order; a trade print is a bar whose four prices are
 * the print's price and whose volume is its amount, so one set of rules serves both feeds.
 */
export interface PriceEvent extends BarRange {
  close: number;
  volume: number;
  /**
   * A print or a quote: one moment of a continuous market. A resting limit it reaches would
   * have been hit at its own price on the way, so it fills there; on a bar that opens through
   * a limit, the shared rule (fill at the open) applies, as in backtests.
   */
  continuous?: boolean;
}

/** What the venue keeps of a working order. Mutated by evaluate() as stops trigger and trails move. */
export interface WorkingState {
  side: Side;
  type: OrderType;
  price: number | undefined;
  stopPrice: number | undefined;
  trailingPercent: number | undefined;
  trailingAmount: number | undefined;
  /** A stop, stop-limit or trailing stop whose trigger has been hit: it now works as a market or limit order. */
  triggered: boolean;
  /** Has seen an event since it went live: a limit that has rested is a maker when it fills. */
  rested: boolean;
  /** Trailing stops: the best price seen since the order went live. */
  best: number | undefined;
}

export interface Match {
  price: number;
  liquidity: 'maker' | 'taker';
  /** Filled at a trigger or as a market order: in an OCO group it wins over a limit on the same event (pessimistic). */
  stopLike: boolean;
}

/** Evaluates one working order on one event, updating its trigger and trail. */
export function evaluate(o: WorkingState, ev: PriceEvent, slip: number): Match | undefined {
  const m = evaluateInner(o, ev, slip);
  o.rested = true;
  return m;
}

function taker(price: number): Match {
  return { price, liquidity: 'taker', stopLike: true };
}

function evaluateInner(o: WorkingState, ev: PriceEvent, slip: number): Match | undefined {
  switch (o.type) {
    case 'market':
      return taker(marketPrice(o.side, ev.open, slip));
    case 'limit':
      return limit(o, o.price!, ev);
    case 'stop': {
      if (o.triggered) return taker(marketPrice(o.side, ev.open, slip));
      const t = stopTriggerPrice(o.side, o.stopPrice!, ev);
      if (t !== t) return undefined;
      o.triggered = true;
      return taker(marketPrice(o.side, t, slip));
    }
    case 'stop_limit': {
      if (o.triggered) return limit(o, o.price!, ev);
      const t = stopTriggerPrice(o.side, o.stopPrice!, ev);
      if (t !== t) return undefined;
      o.triggered = true;
      const p = stopLimitTriggerFill(o.side, t, o.price!, slip);
      return p === p ? taker(p) : undefined; // not marketable: rests as a limit from the next event
    }
    case 'trailing_stop': {
      if (o.triggered) return taker(marketPrice(o.side, ev.open, slip));
      const step = stepTrail(o.side, o.best, o, ev);
      o.best = step.best;
      if (step.triggeredAt === undefined) return undefined;
      o.triggered = true;
      return taker(marketPrice(o.side, step.triggeredAt, slip));
    }
  }
}

/** A limit that was marketable when it arrived took liquidity; one that rested, or was touched later, gave it. */
function limit(o: WorkingState, price: number, ev: PriceEvent): Match | undefined {
  let p = limitFillPrice(o.side, price, ev);
  if (p !== p) return undefined;
  if (ev.continuous && o.rested) p = price;
  return { price: p, liquidity: limitLiquidity(o.side, price, ev.open, !o.rested), stopLike: false };
}
