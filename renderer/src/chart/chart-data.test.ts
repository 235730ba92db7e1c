import { describe, expect, it } from 'vitest';
import type { BarsPayload } from '../../../engine/protocol';
import { toCandles, toLineData } from './bars';
import { fillMarkers, tradeMarkers } from './markers';
import { VolumeColumns } from './volume';

describe('chart data', () => {
  it('turns columns into chart rows in seconds', () => {
    const p: BarsPayload = { symbol: 'X', timeframe: '5m', ts: [300_000, 600_000], open: [1, 2], high: [3, 3], low: [1, 1], close: [2, 1], volume: [10, 20] };
    expect(toCandles(p)).toEqual([
      { time: 300, open: 1, high: 3, low: 1, close: 2 },
      { time: 600, open: 2, high: 3, low: 1, close: 1 },
    ]);
  });

  it('keeps volume columns coloured by direction; a live bar replaces its own or appends, never touching the payload', () => {
    const p = { ts: [300_000, 600_000], open: [1, 2], close: [2, 1], volume: [10, 20] };
    const v = new VolumeColumns();
    v.set(p);
    expect([v.row(0).up, v.row(1).up]).toEqual([true, false]);
    v.update(600_000, 2, 3, 25); // the forming bar ticks up
    v.update(900_000, 3, 3, 5); // a new bar
    v.update(0, 1, 1, 99); // older than the last bar and unknown: ignored
    expect(v.length).toBe(3);
    expect([v.at(600_000), v.at(900_000), v.at(0)]).toEqual([25, 5, undefined]);
    expect(v.row(1).up).toBe(true);
    expect(p.volume).toEqual([10, 20]); // the payload stays as it came (React holds it)
    expect(v.max(0, 3)).toBe(25);
    expect(v.max(2, 3)).toBe(5);
    expect([v.lowerBound(0), v.lowerBound(600_000), v.lowerBound(600_001), v.lowerBound(1e12)]).toEqual([0, 1, 2, 3]);
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
