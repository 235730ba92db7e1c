import { describe, expect, it } from 'vitest';
import { qualityReport } from '../../src/data/quality-report';
import { seriesFromBars, type Bar } from '../../src/model/bar';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** A calm walk: closes step by +-1 around 100, every bar open at the previous close. */
function walk(n: number): Bar[] {
  const bars: Bar[] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const c = p + (i % 3 === 0 ? 0.3 : i % 3 === 1 ? -0.2 : 0.1);
    bars.push({ ts: T0 + i * MIN, open: p, high: Math.max(p, c) + 0.05, low: Math.min(p, c) - 0.05, close: c, volume: 1 });
    p = c;
  }
  return bars;
}

describe('the quality report', () => {
  it('finds gaps, stale stretches and outliers where they are, and puts them on the strip', () => {
    const bars = walk(1000);
    // A hole of 30 bars at 300..329.
    const kept = bars.filter((_, i) => i < 300 || i >= 330);
    // A stale stretch: 20 bars at 500..519 that never move.
    for (let i = 500 - 30 + 0; i < 520 - 30; i++) {
      const prev = kept[i - 1]!.close;
      kept[i] = { ...kept[i]!, open: prev, high: prev, low: prev, close: prev };
    }
    // Two bad prints: a high far above at bar 700, a low far below at bar 850.
    const i700 = kept.findIndex((b) => b.ts === T0 + 700 * MIN);
    kept[i700] = { ...kept[i700]!, high: kept[i700]!.high * 1.2 };
    const i850 = kept.findIndex((b) => b.ts === T0 + 850 * MIN);
    kept[i850] = { ...kept[i850]!, low: kept[i850]!.low * 0.85 };
    const r = qualityReport(seriesFromBars('X', '1m', kept), { buckets: 100, exchangeGaps: [{ from: T0 + 300 * MIN, to: T0 + 330 * MIN }], intake: { duplicates: 3, outOfOrder: 2, rejected: 1 } });
    expect(r.rows).toBe(970);
    expect(r.gaps).toMatchObject({ count: 1, missingBars: 30, atExchange: 1, spans: [{ from: T0 + 300 * MIN, to: T0 + 330 * MIN, bars: 30 }] });
    expect(r.stale.count).toBe(1);
    expect(r.stale.spans[0]!.from).toBe(T0 + 500 * MIN);
    expect(r.stale.bars).toBe(20);
    expect(r.outliers.points.map((p) => p.ts)).toEqual([T0 + 700 * MIN, T0 + 850 * MIN]);
    expect([r.duplicatesMerged, r.outOfOrder, r.rejected]).toEqual([3, 2, 1]);
    // The strip: 10-minute buckets; the hole in buckets 30..32, the stale bars in 50..51, the outliers in 70 and 85.
    expect(r.strip.bucketMs).toBe(10 * MIN);
    const where = (k: 'gaps' | 'stale' | 'outliers') => r.strip.buckets.flatMap((b, i) => (b[k] > 0 ? [i] : []));
    expect(where('gaps')).toEqual([30, 31, 32]);
    expect(r.strip.buckets.reduce((a, b) => a + b.gaps, 0)).toBe(30);
    expect(where('stale')).toEqual([50, 51]);
    expect(where('outliers')).toEqual([70, 85]);
  });

  it('does not call the jump across a gap an outlier', () => {
    const bars = walk(300).filter((_, i) => i < 100 || i >= 200);
    // The price moved 5 % while the data was missing.
    for (let i = 100; i < bars.length; i++) bars[i] = { ...bars[i]!, open: bars[i]!.open * 1.05, high: bars[i]!.high * 1.05, low: bars[i]!.low * 1.05, close: bars[i]!.close * 1.05 };
    const r = qualityReport(seriesFromBars('X', '1m', bars));
    expect(r.gaps.count).toBe(1);
    expect(r.outliers.count).toBe(0);
  });

  it('flags nothing in a clean series', () => {
    const r = qualityReport(seriesFromBars('X', '1m', walk(500)));
    expect([r.gaps.count, r.stale.count, r.outliers.count]).toEqual([0, 0, 0]);
  });
});
