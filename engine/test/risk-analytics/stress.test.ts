import { describe, expect, it } from 'vitest';
import { returnsFromPrices } from '../../src/risk/analytics/returns';
import { dailyReturns, stressTest } from '../../src/risk/analytics/stress';

const H = 3_600_000;
const D = 86_400_000;
const T0 = Date.UTC(2024, 0, 1); // Monday 2024-01-01 00:00 UTC

/** Hourly closes: the close path within each day is flat except one move at 13:00, by the day's factor. */
function hourly(symbol: string, dayFactors: number[], skipDays: number[] = []): { symbol: string; ts: number[]; close: number[] } {
  const ts: number[] = [];
  const close: number[] = [];
  let p = 100;
  // One bar on the last hour of the day before, so that day 0 has a return too.
  ts.push(T0 - H);
  close.push(p);
  dayFactors.forEach((f, d) => {
    for (let h = 0; h < 24; h++) {
      if (h === 13) p *= f;
      if (skipDays.includes(d)) continue;
      ts.push(T0 + d * D + h * H);
      close.push(p);
    }
  });
  return { symbol, ts, close };
}

describe('daily aggregation', () => {
  it('compounds intraday returns into close-to-close UTC-day returns', () => {
    const s = returnsFromPrices(hourly('A', [1.05, 0.9, 1.02]));
    const d = dailyReturns(s);
    // The first return (T0−H → T0) belongs to day 0, whose close-to-close move is the 5%.
    expect([...d.keys()]).toEqual([T0, T0 + D, T0 + 2 * D]);
    expect(d.get(T0)).toBeCloseTo(0.05, 14);
    expect(d.get(T0 + D)).toBeCloseTo(-0.1, 14);
    expect(d.get(T0 + 2 * D)).toBeCloseTo(0.02, 14);
  });

  it('puts a bar at 23:00 in its own day and one at 00:00 in the next', () => {
    const s = returnsFromPrices({ symbol: 'A', ts: [T0 - 2 * H, T0 - H, T0], close: [100, 110, 121] });
    const d = dailyReturns(s);
    expect(d.get(T0 - D)).toBeCloseTo(0.1, 14);
    expect(d.get(T0)).toBeCloseTo(0.1, 14);
  });
});

describe('stress test', () => {
  // Day:            0      1      2      3      4      5      6
  const a = [1.01, 0.95, 1.0, 0.97, 1.04, 0.92, 1.0];
  const b = [1.0, 1.02, 0.9, 0.99, 1.1, 1.01, 1.0];
  const c = [0.98, 1.0, 1.0, 0.96, 1.0, 1.03, 0.99];
  const series = [returnsFromPrices(hourly('A', a)), returnsFromPrices(hourly('B', b)), returnsFromPrices(hourly('C', c, [5]))];
  // Long 10 000 A, short 5 000 B, long 2 000 C.
  const positions = [
    { symbol: 'A', value: 10_000 },
    { symbol: 'B', value: -5_000 },
    { symbol: 'C', value: 2_000 },
  ];
  // Day P&L = 10 000 (a − 1) − 5 000 (b − 1) + 2 000 (c − 1):
  //   d0: 100 − 0 − 40 = 60      d1: −500 − 100 + 0 = −600    d2: 0 + 500 + 0 = 500
  //   d3: −300 + 50 − 80 = −330  d4: 400 − 500 + 0 = −100     d5: C has no data (day 5 skipped; its move shows on day 6)
  //   d6: 0 − 0 + 2 000 × (1.03 × 0.99 − 1) = 39.4
  it('finds the worst complete days and their P&L on today\'s positions', () => {
    const r = stressTest(positions, series, { worst: 3, capital: 20_000 });
    expect(r.worstDays.map((d) => d.date)).toEqual(['2024-01-02', '2024-01-04', '2024-01-05']);
    expect(r.worstDays.map((d) => d.pnl)).toEqual([expect.closeTo(-600, 9), expect.closeTo(-330, 9), expect.closeTo(-100, 9)]);
    expect(r.worstDays[0]!.return).toBeCloseTo(-600 / 20_000, 14);
    expect(r.worstDays[0]!.contributions).toEqual([
      { symbol: 'A', return: expect.closeTo(-0.05, 14), pnl: expect.closeTo(-500, 9) },
      { symbol: 'B', return: expect.closeTo(0.02, 14), pnl: expect.closeTo(-100, 9) },
      { symbol: 'C', return: expect.closeTo(0, 14), pnl: expect.closeTo(0, 9) },
    ]);
    expect(r.completeDays).toBe(6);
    expect(r.incompleteDays).toBe(1);
    expect(r.capital).toBe(20_000);
  });

  it('finds each position\'s own worst day (a short loses on the biggest rise)', () => {
    const r = stressTest(positions, series, { capital: 20_000 });
    const by = Object.fromEntries(r.worstDayBySymbol.map((x) => [x.symbol, x.day]));
    expect(by.A!.date).toBe('2024-01-06'); // a = 0.92
    expect(by.B!.date).toBe('2024-01-05'); // b = 1.10, short
    expect(by.C!.date).toBe('2024-01-04'); // c = 0.96
    // Day 5 is incomplete for C: its P&L counts A and B only, and says so.
    expect(by.A!.missing).toEqual(['C']);
    expect(by.A!.pnl).toBeCloseTo(10_000 * -0.08 - 5_000 * 0.01, 9);
    expect(by.A!.contributions[2]).toEqual({ symbol: 'C', return: null, pnl: null });
  });

  it('defaults capital to gross exposure and refuses positions without history', () => {
    expect(stressTest(positions, series).capital).toBe(17_000);
    expect(() => stressTest([{ symbol: 'Z', value: 1 }], series)).toThrow(/Z: no return history/);
    expect(() => stressTest([], series)).toThrow(/no positions/);
    expect(() => stressTest(positions, series, { worst: 0 })).toThrow(/worst/);
  });
});
