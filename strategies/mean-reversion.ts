import { defineStrategy, float, int } from '../engine/sdk';

/**
 * Mean reversion: buy when the close is stretched below its mean (z-score of close under
 * −entryZ); sell when it has come back (z above exitZ) or after maxBars bars in the trade,
 * whichever comes first. Orders are market orders, filled at the next bar's open.
 */
export default defineStrategy({
  id: 'mean-reversion',
  name: 'Mean reversion (z-score)',
  description: 'Long when z-score(close) < −entryZ; exit when z > exitZ or after maxBars bars.',
  params: {
    period: int(20, 3, 1000, 1, 'z-score window (bars)'),
    entryZ: float(2, 0.5, 6, 0.1, 'enter when z < −entryZ'),
    exitZ: float(0, -3, 3, 0.1, 'exit when z > exitZ'),
    maxBars: int(12, 1, 10000, 1, 'exit after this many bars in the trade'),
  },
  warmup: (p) => p.period,
  create(ctx, p) {
    const z = ctx.indicators.zscore(p.period);
    let barsHeld = 0;
    return {
      onBar() {
        if (ctx.position().qty > 0) {
          barsHeld++;
          if ((z.ready && z.value > p.exitZ) || barsHeld >= p.maxBars) {
            ctx.closePosition({ tag: z.ready && z.value > p.exitZ ? 'reverted' : 'time' });
          }
          return;
        }
        if (z.ready && z.value < -p.entryZ && ctx.workingOrders().length === 0) {
          barsHeld = 0;
          ctx.buy({ quoteQty: ctx.cash() }, { tag: 'entry' });
        }
      },
    };
  },
});
