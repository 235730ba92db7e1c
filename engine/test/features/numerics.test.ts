import { describe, expect, it } from 'vitest';
import { bollinger, logReturns, rollingVolatility, sma, zscore } from '../../src/features/batch';
import { randomWalk, rng } from './random-walk';

/** Neumaier-compensated sum of x[from..to): the reference every running sum is held to. */
function exactSum(x: Float64Array, from: number, to: number): number {
  let s = 0;
  let c = 0;
  for (let j = from; j < to; j++) {
    const v = x[j]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Two-pass mean and sum of squared deviations of a window. */
function twoPass(x: Float64Array, from: number, to: number): { mean: number; m2: number } {
  const mean = exactSum(x, from, to) / (to - from);
  let m2 = 0;
  for (let j = from; j < to; j++) m2 += (x[j]! - mean) ** 2;
  return { mean, m2 };
}

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** A 1e6-point additive walk that rallies to ~1e7 and collapses to single digits: hostile to running sums. */
function boomAndBust(len: number): Float64Array {
  const next = rng(42);
  const x = new Float64Array(len);
  let p = 100;
  for (let i = 0; i < len; i++) {
    const target = i < len / 2 ? 1e7 : 5;
    p += (target - p) * 2e-5 + (next() - 0.5) * Math.max(p, 1) * 0.01;
    x[i] = Math.max(p, 1);
  }
  return x;
}

describe('running sums stay exact over long series', () => {
  const n = 20;
  const x = boomAndBust(1_000_000);

  it('SMA(20) over 1e6 points equals the windowed sum at every bar', () => {
    const ours = sma(x, n);
    let worst = 0;
    for (let i = n - 1; i < x.length; i++) worst = Math.max(worst, rel(ours[i]!, exactSum(x, i - n + 1, i + 1) / n));
    expect(worst).toBeLessThan(1e-14);
  });

  it('(a plain running sum, as TTR keeps, does drift on the same walk: the check above has teeth)', () => {
    let s = exactSum(x, 0, n);
    let worst = 0;
    for (let i = n; i < x.length; i++) {
      s = s + x[i]! - x[i - n]!;
      worst = Math.max(worst, rel(s / n, exactSum(x, i - n + 1, i + 1) / n));
    }
    expect(worst).toBeGreaterThan(1e-11);
  });

  it('Bollinger, z-score and volatility match two-pass statistics on a 200k random walk', () => {
    const { close } = randomWalk(200_000, 9, 20_000, 0.002);
    const bb = bollinger(close, n, 2);
    const z = zscore(close, n);
    const vol = rollingVolatility(close, n);
    const r = logReturns(close);
    let worstBand = 0;
    let worstZ = 0;
    let worstVol = 0;
    for (let i = n; i < close.length; i++) {
      const w = twoPass(close, i - n + 1, i + 1);
      const sd = Math.sqrt(w.m2 / n);
      worstBand = Math.max(worstBand, rel(bb.upper[i]! - bb.middle[i]!, 2 * sd));
      worstZ = Math.max(worstZ, Math.abs(z[i]! - (close[i]! - w.mean) / sd));
      const wr = twoPass(r, i - n + 1, i + 1);
      worstVol = Math.max(worstVol, rel(vol[i]!, Math.sqrt(wr.m2 / (n - 1))));
    }
    expect(worstBand).toBeLessThan(1e-9);
    expect(worstZ).toBeLessThan(1e-9);
    expect(worstVol).toBeLessThan(1e-12);
  });

  it('a flat window has sd exactly 0: bands on the middle, z-score 0/0 = NaN', () => {
    const flat = new Float64Array(50).fill(0.1);
    const bb = bollinger(flat, n, 2);
    expect(bb.middle[30]).toBe(0.1);
    expect(bb.upper[30]).toBe(0.1);
    expect(bb.lower[30]).toBe(0.1);
    expect(zscore(flat, n)[30]).toBeNaN();
    expect(rollingVolatility(flat, n)[30]).toBe(0);
  });
});
