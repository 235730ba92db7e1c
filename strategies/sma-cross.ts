import { defineStrategy, int } from '../engine/sdk';

/**
 * The reference strategy. Long when the fast SMA of close is above the slow one, flat when
 * below, unchanged when equal; a change of target is a market order filled at the next
 * bar's open. An entry spends all cash (fees included); an exit sells the whole position.
 * Whether it is long is read from its position, and it waits while an order of its own is
 * still working: forward, a fill can come bars after the order (latency, a fast replay).
 */
export default defineStrategy({
  id: 'sma-cross',
  name: 'SMA cross',
  description: 'Long while the fast SMA of close is above the slow SMA, flat while below.',
  params: {
    fast: int(10, 1, 500, 1, 'fast SMA period (bars)'),
    slow: int(30, 2, 2000, 1, 'slow SMA period (bars)'),
  },
  validate: (p) => (p.fast < p.slow ? undefined : `fast (${p.fast}) must be below slow (${p.slow})`),
  warmup: (p) => p.slow,
  create(ctx, p) {
    const fast = ctx.indicators.sma(p.fast);
    const slow = ctx.indicators.sma(p.slow);
    return {
      onBar() {
        if (!fast.ready || !slow.ready || fast.value === slow.value) return;
        const wantLong = fast.value > slow.value;
        // The position first and the working orders only on a change: most bars change nothing,
        // and a sweep runs this for every bar of every trial.
        if (wantLong === ctx.position().qty > 0 || ctx.workingOrders().length > 0) return;
        if (wantLong) ctx.buy({ quoteQty: ctx.cash() });
        else ctx.closePosition();
      },
    };
  },
});
