import { describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/backtest/synthetic';

describe('randomWalkSeries', () => {
  it('is the same walk for the same seed', () => {
    const a = randomWalkSeries(500, { seed: 3 });
    const b = randomWalkSeries(500, { seed: 3 });
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(Array.from(randomWalkSeries(500, { seed: 4 }).close)).not.toEqual(Array.from(a.close));
  });

  it('quotes prices and volumes to the decimals asked, and keeps every bar consistent', () => {
    const s = randomWalkSeries(20_000, { seed: 7, startPrice: 30_000, volatility: 0.002, decimals: { price: 2, volume: 3 } });
    for (let i = 0; i < s.length; i++) {
      for (const p of [s.open[i]!, s.high[i]!, s.low[i]!, s.close[i]!]) expect(String(p)).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(String(s.volume[i])).toMatch(/^\d+(\.\d{1,3})?$/);
      expect(s.low[i]!).toBeLessThanOrEqual(Math.min(s.open[i]!, s.close[i]!));
      expect(s.high[i]!).toBeGreaterThanOrEqual(Math.max(s.open[i]!, s.close[i]!));
      if (i > 0) expect(s.open[i]).toBe(s.close[i - 1]);
    }
  });
});
