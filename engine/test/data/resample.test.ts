import { describe, expect, it } from 'vitest';
import { bucketStart, timeframeMs } from '../../src/core/timeframe';
import { seriesFromBars, type Bar, type BarSeries } from '../../src/model/bar';
import type { TradeSeries } from '../../src/model/trade';
import { barsFromTrades, checkResample, resampleBars } from '../../src/data/resample';
import { findDuplicates, findGaps, findOrderBreaks } from '../../src/data/quality';
import { rng } from './helpers';

/** Random bars with random holes, aligned to `tf`. */
function randomBars(seed: number, n: number, tf: string, start: number): BarSeries {
  const r = rng(seed);
  const ms = timeframeMs(tf);
  const bars: Bar[] = [];
  let t = start;
  for (let i = 0; i < n; i++) {
    t += ms * (r() < 0.1 ? 1 + Math.floor(r() * 30) : 1);
    const open = 50 + r() * 50;
    const close = 50 + r() * 50;
    bars.push({ ts: t, open, close, high: Math.max(open, close) + r(), low: Math.min(open, close) - r(), volume: r() * 10 });
  }
  return seriesFromBars('R', tf, bars);
}

/** The obvious reference: group bars into a Map by bucket, then aggregate each group. */
function naiveResample(s: BarSeries, tf: string): Bar[] {
  const groups = new Map<number, Bar[]>();
  for (let i = 0; i < s.length; i++) {
    const b = bucketStart(s.ts[i]!, timeframeMs(tf));
    groups.set(b, [...(groups.get(b) ?? []), { ts: s.ts[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }]);
  }
  return [...groups.entries()].map(([ts, g]) => ({
    ts,
    open: g[0]!.open,
    high: Math.max(...g.map((b) => b.high)),
    low: Math.min(...g.map((b) => b.low)),
    close: g[g.length - 1]!.close,
    volume: g.reduce((a, b) => a + b.volume, 0),
  }));
}

function toBars(s: BarSeries): Bar[] {
  return Array.from({ length: s.length }, (_, i) => ({ ts: s.ts[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
}

describe('resampleBars', () => {
  it('matches a naive reference on random data, for many source/target pairs', () => {
    const pairs = [['1m', '5m'], ['1m', '1h'], ['5m', '15m'], ['15m', '4h'], ['1h', '1d'], ['1d', '1w'], ['1m', '1w'], ['30s', '1m']];
    pairs.forEach(([from, to], k) => {
      const s = randomBars(100 + k, 3000, from!, Date.UTC(2020, 0, 1) - 7 * 86_400_000);
      const { series } = resampleBars(s, to!);
      expect(series.timeframe).toBe(to);
      expect(toBars(series), `${from}->${to}`).toEqual(naiveResample(s, to!));
    });
  });

  it('aligns buckets to UTC epoch boundaries, weeks to Monday', () => {
    const s = seriesFromBars('W', '1d', [Date.UTC(2024, 0, 6), Date.UTC(2024, 0, 7), Date.UTC(2024, 0, 8)].map((ts) => ({ ts, open: 1, high: 1, low: 1, close: 1, volume: 1 })));
    // 2024-01-06 is a Saturday, 2024-01-08 a Monday.
    expect(Array.from(resampleBars(s, '1w').series.ts)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 8)]);
  });

  it('flags a last bucket the data does not reach the end of, and only then', () => {
    const bars = (mins: number[]) => seriesFromBars('P', '1m', mins.map((m) => ({ ts: m * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 })));
    expect(resampleBars(bars([0, 1, 2, 3, 4]), '5m').lastPartial).toBe(false);
    expect(resampleBars(bars([0, 1, 2, 3, 4, 5, 6]), '5m').lastPartial).toBe(true);
    // A hole inside the last bucket is not partial: the data reaches its end.
    expect(resampleBars(bars([0, 4]), '5m').lastPartial).toBe(false);
  });

  it('refuses a target that is not a whole multiple of the source', () => {
    expect(() => checkResample('5m', '7m')).toThrow('cannot make 7m bars from 5m bars: 7m is not a whole multiple of 5m');
    expect(() => checkResample('1h', '30m')).toThrow(/not a whole multiple/);
    expect(() => checkResample('2d', '1w')).toThrow(/not a whole multiple/);
    expect(checkResample('1m', '1m')).toEqual({ fromMs: 60_000, toMs: 60_000 });
  });
});

describe('barsFromTrades', () => {
  it('builds OHLCV of any timeframe like a naive grouping, with no bar for empty buckets', () => {
    const r = rng(7);
    const n = 5000;
    const ts = new Float64Array(n);
    const price = new Float64Array(n);
    const amount = new Float64Array(n);
    let t = Date.UTC(2023, 0, 1);
    for (let i = 0; i < n; i++) {
      t += Math.floor(r() * (r() < 0.01 ? 3_600_000 : 20_000));
      ts[i] = t;
      price[i] = 100 + r();
      amount[i] = r();
    }
    const trades: TradeSeries = { symbol: 'T', length: n, ts, price, amount, side: new Int8Array(n) };
    for (const tf of ['1s', '1m', '7m', '1h']) {
      const asBars = seriesFromBars('T', '1s', Array.from({ length: n }, (_, i) => ({ ts: ts[i]!, open: price[i]!, high: price[i]!, low: price[i]!, close: price[i]!, volume: amount[i]! })));
      const expected = naiveResample(asBars, tf);
      const got = barsFromTrades(trades, tf);
      expect(toBars(got), tf).toEqual(expected);
      expect(got.timeframe).toBe(tf);
    }
  });
});

describe('quality checks', () => {
  it('finds gaps, duplicates and order breaks', () => {
    const m = 60_000;
    const ts = [0, m, 2 * m, 5 * m, 6 * m, 6 * m, 10 * m, 9 * m];
    expect(findGaps([0, m, 2 * m, 5 * m, 6 * m, 10 * m], m)).toEqual({
      count: 2, missingBars: 5, first: [{ from: 3 * m, to: 4 * m, missing: 2 }, { from: 7 * m, to: 9 * m, missing: 3 }],
    });
    expect(findDuplicates(ts)).toEqual({ count: 1, first: [5] });
    expect(findOrderBreaks(ts)).toEqual({ count: 1, first: [7] });
  });
});
