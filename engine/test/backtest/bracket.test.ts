import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import type { Bar } from '../../src/model/bar';
import { defineStrategy } from '../../sdk';
import { barsToSeries } from './helpers';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** Buys with a ±5% bracket whenever it is flat with nothing working. */
const bracketed = defineStrategy({
  id: 'bracketed',
  name: 'Bracketed',
  description: 'test strategy',
  params: {},
  create(ctx) {

    return {
      onBar(bar) {
        if (ctx.position().qty !== 0 || ctx.workingOrders().length > 0) return;
        const r = ctx.bracket({ side: 'buy', type: 'market', qty: 1 }, { takeProfit: bar.close * 1.05, stopLoss: bar.close * 0.95 });
        if (!r.ok) throw new Error(r.reason);
      },
    };
  },
});

function series(prices: [number, number, number, number][]) {
  const bars: Bar[] = prices.map(([open, high, low, close], i) => ({ ts: T0 + i * MIN, open, high, low, close, volume: 1 }));
  return barsToSeries(bars, 'TEST/USD', '1m');
}

describe('brackets in a backtest (emulator wired into the bar loop)', () => {
  it('the children go out with the entry fill; a bar reaching both exits is resolved stop first and noted; a clean target fills at its limit', async () => {
    const s = series([
      [100, 100, 100, 100], // bracket placed at the close
      [100, 101, 99, 100], // entry fills at the open; children work from the next bar
      [100, 106, 94, 100], // both 105 and 95 reachable: stop first
      [100, 100, 100, 100], // flat again: a new bracket
      [100, 101, 99.5, 100], // entry fills at 100
      [100, 105.5, 99, 105], // only the target: fills at 105
    ]);
    const r = await runBacktest({ series: s, strategy: bracketed, capital: 10_000, emulator: true });
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice, t.qty])).toEqual([
      [100, 95, 1],
      [100, 105, 1],
    ]);
    expect(r.notes).toContain('1 bracket exits came on bars that reached both legs; decided by the stop-first rule');
    // The last bar's close placed a third bracket whose entry had no later bar.
    expect(r.notes).toContain('1 orders were still working at the end (no later bar to fill them)');
    expect(r.equity[5]).toBeCloseTo(10_000, 9);
  });

  it('without an emulator a bracket is refused with a clear error', async () => {
    const s = series([[100, 100, 100, 100]]);
    await expect(runBacktest({ series: s, strategy: bracketed, capital: 10_000 })).rejects.toThrow(/brackets need an order emulator/);
  });
});
