import { defineStrategy, float, int } from '../engine/sdk';

/**
 * Trend following: go long when the fast SMA crosses above the slow one, provided the market
 * moves enough to be worth it (ATR as a fraction of price at least minAtrPct). Exit on the
 * reverse cross, or earlier at a protective stop atrStop × ATR below the entry fill, which
 * sits at the venue as a stop order from the bar after the entry.
 */
export default defineStrategy({
  id: 'trend',
  name: 'Trend (SMA cross, ATR stop)',
  description: 'Long on a fast/slow SMA cross up when ATR% clears a floor; exit on the cross down or a k×ATR stop.',
  params: {
    fast: int(20, 2, 500, 1, 'fast SMA period'),
    slow: int(100, 3, 2000, 1, 'slow SMA period'),
    atrPeriod: int(14, 2, 200, 1, 'ATR period'),
    atrStop: float(2, 0.5, 10, 0.5, 'stop distance below the entry, in ATRs'),
    minAtrPct: float(0.0005, 0, 0.2, 0.0005, 'enter only when ATR / close is at least this'),
  },
  validate: (p) => (p.fast < p.slow ? undefined : `fast (${p.fast}) must be below slow (${p.slow})`),
  // One bar more than the slowest input: a cross compares with the bar before.
  warmup: (p) => Math.max(p.slow, p.atrPeriod + 1) + 1,
  create(ctx, p) {
    const fast = ctx.indicators.sma(p.fast);
    const slow = ctx.indicators.sma(p.slow);
    const atr = ctx.indicators.atr(p.atrPeriod);
    let stopDistance = 0;
    let stopId: string | undefined;
    return {
      onBar(bar) {
        if (!fast.ready || !slow.ready || !atr.ready) return;
        const prevFast = ctx.indicators.history(fast, 1);
        const prevSlow = ctx.indicators.history(slow, 1);
        const crossedUp = fast.value > slow.value && prevFast <= prevSlow;
        const crossedDown = fast.value < slow.value && prevFast >= prevSlow;
        const long = ctx.position().qty > 0;
        if (!long && crossedUp && atr.value / bar.close >= p.minAtrPct) {
          stopDistance = p.atrStop * atr.value;
          ctx.buy({ quoteQty: ctx.cash() }, { tag: 'entry' });
        } else if (long && crossedDown) {
          if (stopId) ctx.cancel(stopId);
          stopId = undefined;
          ctx.closePosition({ tag: 'cross' });
        }
      },
      onOrderEvent(e) {
        if (e.kind === 'filled' && e.order.tag === 'entry') {
          const placed = ctx.place({ side: 'sell', type: 'stop', qty: e.order.qty, stopPrice: e.fill.price - stopDistance, reduceOnly: true, tag: 'stop' });
          stopId = placed.ok ? placed.orderId : undefined;
        } else if (e.kind === 'filled' && e.order.tag === 'stop') {
          stopId = undefined;
        }
      },
    };
  },
});
