import { defineStrategy, int } from '../engine/sdk';

/**
 * Channel breakout: buy when the close rises above the highest high of the previous
 * `channel` bars. (The channel including the current bar contains its high, so a close can
 * never exceed it: compare with the channel as it stood one bar ago.) Once long, a stop
 * trails at the lowest low of the last `exitChannel` bars and only ever moves up.
 */
export default defineStrategy({
  id: 'breakout',
  name: 'Donchian breakout',
  description: 'Long on a close above the prior N-bar high; trailing stop at the M-bar low.',
  params: {
    channel: int(20, 2, 1000, 1, 'entry channel (bars)'),
    exitChannel: int(20, 2, 1000, 1, 'trailing-stop channel (bars)'),
  },
  // The entry compares with the channel as it stood one bar ago.
  warmup: (p) => Math.max(p.channel + 1, p.exitChannel),
  create(ctx, p) {
    const entry = ctx.indicators.donchian(p.channel);
    const exit = ctx.indicators.donchian(p.exitChannel);
    let stopId: string | undefined;
    let stopLevel = -Infinity;
    return {
      onBar(bar) {
        const qty = ctx.position().qty;
        if (qty <= 0) {
          stopId = undefined;
          stopLevel = -Infinity;
          const priorHigh = ctx.indicators.history(entry.upper, 1);
          if (bar.close > priorHigh && ctx.workingOrders().length === 0) ctx.buy({ quoteQty: ctx.cash() }, { tag: 'entry' });
          return;
        }
        const level = exit.lower.value;
        if (exit.lower.ready && level > stopLevel) {
          if (stopId) ctx.cancel(stopId);
          const placed = ctx.place({ side: 'sell', type: 'stop', qty, stopPrice: level, reduceOnly: true, tag: 'trail' });
          stopId = placed.ok ? placed.orderId : undefined;
          stopLevel = level;
        }
      },
    };
  },
});
