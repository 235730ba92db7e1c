import { describe, expect, it } from 'vitest';
import {
  alignReturns,
  convertReturns,
  horizonReturns,
  portfolioReturns,
  portfolioReturnSeries,
  returnsFromPrices,
  weightsFromExposures,
} from '../../src/risk/analytics/returns';

const H = 3_600_000;

describe('returns from prices', () => {
  const h = { symbol: 'X', ts: [0, H, 2 * H, 4 * H], close: [100, 110, 99, 99] };

  it('computes simple and log returns over each interval', () => {
    const s = returnsFromPrices(h, 'simple');
    expect([...s.r]).toEqual([110 / 100 - 1, 99 / 110 - 1, 0]);
    expect([...s.from]).toEqual([0, H, 2 * H]);
    expect([...s.ts]).toEqual([H, 2 * H, 4 * H]);
    const l = returnsFromPrices(h, 'log');
    expect(l.r[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(l.r[1]).toBeCloseTo(Math.log(0.9), 15);
    expect(convertReturns(l, 'simple').r[1]).toBeCloseTo(-0.1, 15);
    expect(convertReturns(s, 'log').r[0]).toBeCloseTo(Math.log(1.1), 15);
  });

  it('refuses unordered timestamps and non-positive prices, saying where', () => {
    expect(() => returnsFromPrices({ symbol: 'X', ts: [0, 2, 1], close: [1, 1, 1] })).toThrow(/X: timestamps must be strictly increasing: #2/);
    expect(() => returnsFromPrices({ symbol: 'X', ts: [0, 1, 1], close: [1, 1, 1] })).toThrow(/strictly increasing/);
    expect(() => returnsFromPrices({ symbol: 'X', ts: [0, 1], close: [1, 0] })).toThrow(/X: price #1 is 0/);
    expect(() => returnsFromPrices({ symbol: 'X', ts: [0, 1], close: [1, NaN] })).toThrow(/price #1 is NaN/);
  });
});

describe('alignReturns', () => {
  it('keeps only intervals that every series covers, and counts what it drops', () => {
    // A has every hour; B misses the bar at 2H, so its return ending at 3H spans two hours
    // and must not be paired with A's one-hour return ending at 3H.
    const a = returnsFromPrices({ symbol: 'A', ts: [0, H, 2 * H, 3 * H, 4 * H], close: [10, 11, 12, 13, 14] });
    const b = returnsFromPrices({ symbol: 'B', ts: [0, H, 3 * H, 4 * H], close: [20, 21, 23, 22] });
    const al = alignReturns([a, b]);
    expect([...al.ts]).toEqual([H, 4 * H]);
    expect([...al.from]).toEqual([0, 3 * H]);
    expect([...al.columns[0]!]).toEqual([11 / 10 - 1, 14 / 13 - 1]);
    expect([...al.columns[1]!]).toEqual([21 / 20 - 1, 22 / 23 - 1]);
    expect(al.dropped).toEqual([2, 1]);
  });
});

describe('horizonReturns', () => {
  it('compounds overlapping windows', () => {
    const r = [0.1, -0.1, 0.2, 0.05];
    const h2 = horizonReturns(r, 2);
    expect(h2.length).toBe(3);
    expect(h2[0]).toBeCloseTo(1.1 * 0.9 - 1, 15);
    expect(h2[1]).toBeCloseTo(0.9 * 1.2 - 1, 15);
    expect(h2[2]).toBeCloseTo(1.2 * 1.05 - 1, 15);
    expect([...horizonReturns(r, 1)]).toEqual(r);
    expect(horizonReturns(r, 5).length).toBe(0);
    expect(() => horizonReturns(r, 0)).toThrow(/horizon/);
    expect(() => horizonReturns(r, 1.5)).toThrow(/horizon/);
  });
});

describe('portfolio', () => {
  it('weights fractions of capital; the rest is cash', () => {
    const p = portfolioReturns([Float64Array.from([0.1, -0.2]), Float64Array.from([0.02, 0.04])], [0.5, -0.25]);
    expect(p[0]).toBeCloseTo(0.05 - 0.005, 15);
    expect(p[1]).toBeCloseTo(-0.1 - 0.01, 15);
  });

  it('weights from positions: by capital, or by gross exposure', () => {
    const pos = [
      { symbol: 'A', value: 6000 },
      { symbol: 'B', value: -2000 },
    ];
    expect(weightsFromExposures(pos, 10_000)).toEqual([0.6, -0.2]);
    expect(weightsFromExposures(pos)).toEqual([0.75, -0.25]);
    expect(() => weightsFromExposures(pos, 0)).toThrow(/capital/);
    expect(() => weightsFromExposures([{ symbol: 'A', value: NaN }])).toThrow(/A: position value/);
  });
});

describe('portfolioReturnSeries', () => {
  it('weights each symbol\'s simple returns over common intervals, as simple or log', () => {
    const histories = [
      { symbol: 'A', ts: [0, H, 2 * H, 3 * H], close: [100, 110, 121, 110] },
      { symbol: 'B', ts: [0, H, 3 * H], close: [50, 45, 54] }, // no bar at 2H
    ];
    const positions = [
      { symbol: 'A', value: 3000 },
      { symbol: 'B', value: -1000 },
    ];
    // Only (0, H] is common: A +10%, B −10%. On capital 4 000: 0.75 × 0.1 − 0.25 × (−0.1) = 0.1.
    const p = portfolioReturnSeries(positions, histories);
    expect(p.symbol).toBe('portfolio');
    expect([...p.ts]).toEqual([H]);
    expect(p.r[0]).toBeCloseTo(0.1, 15);
    const withCash = portfolioReturnSeries(positions, histories, { capital: 10_000, kind: 'log' });
    expect(withCash.kind).toBe('log');
    expect(withCash.r[0]).toBeCloseTo(Math.log(1 + 0.3 * 0.1 + 0.1 * 0.1), 15);
    expect(() => portfolioReturnSeries([{ symbol: 'C', value: 1 }], histories)).toThrow(/C: a position has no price history/);
  });
});
