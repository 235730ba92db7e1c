import { describe, expect, it } from 'vitest';
import type { BarsPayload } from '../../../engine/protocol';
import { toCandles, toLineData, toVolume } from './bars';
import { fillMarkers, tradeMarkers } from './markers';

describe('chart data', () => {
  it('turns columns into chart rows in seconds with volume coloured by direction', () => {
    const p: BarsPayload = { symbol: 'X', timeframe: '5m', ts: [300_000, 600_000], open: [1, 2], high: [3, 3], low: [1, 1], close: [2, 1], volume: [10, 20] };
    const candles = toCandles(p);
    const volume = toVolume(p);
    expect(candles).toEqual([
      { time: 300, open: 1, high: 3, low: 1, close: 2 },
      { time: 600, open: 2, high: 3, low: 1, close: 1 },
    ]);
    expect(volume[0]!.color).not.toBe(volume[1]!.color);
  });

  it('leaves warm-up values as whitespace', () => {
    expect(toLineData([0, 1000], [null, 5])).toEqual([{ time: 0 }, { time: 1, value: 5 }]);
  });

  it('puts trade and fill markers on the bar they happened in, in time order', () => {
    const t = tradeMarkers([{ entryTime: 610_000, entryPrice: 1, exitTime: 310_000, exitPrice: 2, qty: 1, side: 'sell', pnl: -1, returnPct: -1 }], '5m');
    expect(t.map((m) => m.time)).toEqual([300, 600]);
    expect(t[1]!.shape).toBe('arrowDown');
    const f = fillMarkers(
      [
        { id: 'a', orderId: 'o', clientOrderId: 'c', symbol: 'X', side: 'buy', qty: 2, price: 9, fee: 0, liquidity: 'taker', ts: 905_000 },
        { id: 'b', orderId: 'o', clientOrderId: 'c', symbol: 'Y', side: 'buy', qty: 2, price: 9, fee: 0, liquidity: 'taker', ts: 905_000 },
      ],
      'X',
      '5m',
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ time: 900, price: 9, position: 'atPriceMiddle' });
  });

  it('puts a fill stamped after the last bar (a replay) on the bar it was seen with, or leaves it out', () => {
    const fill = (id: string, ts: number) => ({ id, orderId: 'o', clientOrderId: 'c', symbol: 'X', side: 'sell' as const, qty: 1, price: 9, fee: 0, liquidity: 'maker' as const, ts });
    const wall = 1_800_000_000_000;
    const f = fillMarkers([fill('seen', wall), fill('unseen', wall + 1), fill('old', 600_000)], 'X', '5m', new Map([['seen', 900_000]]), 1_200_000);
    expect(f.map((m) => m.time)).toEqual([600, 900]);
    expect(f[1]!.text).toBe('S 1');
  });
});
