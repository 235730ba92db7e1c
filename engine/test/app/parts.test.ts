import { describe, expect, it } from 'vitest';
import { LogRing, scrub } from '../../src/app/logs';
import { equityCurve } from '../../src/app/backtest-adapter';

describe('log ring', () => {
  it('keeps the newest entries in order and masks secret-looking values', () => {
    let t = 0;
    const ring = new LogRing(3, () => ++t);
    const seen: string[] = [];
    ring.onEntry((e) => seen.push(e.message));
    for (const m of ['a', 'b', 'c', 'd', 'apiKey=AKIA123 secret: "s3"']) ring.add('info', 'x', m);
    expect(ring.recent().map((e) => e.message)).toEqual(['c', 'd', 'apiKey=*** secret: "***"']);
    expect(ring.recent(1).map((e) => e.ts)).toEqual([5]);
    expect(seen).toHaveLength(5);
    expect(scrub('open http://127.0.0.1:1/#token=abcdef and password=hunter2')).toBe('open http://127.0.0.1:1/#token=*** and password=***');
  });
});

describe('equity curve for the wire', () => {
  it('passes short curves through with drawdown from the running peak', () => {
    const ts = Float64Array.from([1, 2, 3, 4]);
    const eq = Float64Array.from([100, 110, 99, 121]);
    const c = equityCurve(ts, eq);
    expect(c.ts).toEqual([1, 2, 3, 4]);
    expect(c.equity).toEqual([100, 110, 99, 121]);
    expect(c.drawdown[2]).toBeCloseTo(99 / 110 - 1, 12);
    expect(c.drawdown[3]).toBe(0);
  });

  it('thins long curves but keeps the deepest drawdown of each bucket', () => {
    const n = 50_000;
    const ts = new Float64Array(n).map((_, i) => i);
    const eq = new Float64Array(n).fill(100);
    eq[12_345] = 50; // a one-bar crash that thinning must not hide
    const c = equityCurve(ts, eq);
    expect(c.ts.length).toBeLessThanOrEqual(5_000);
    expect(c.ts.at(-1)).toBe(n - 1);
    expect(Math.min(...c.drawdown)).toBeCloseTo(-0.5, 12);
  });
});
