import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/risk/analytics/random';

// Expected words come from the xoshiro128** reference C code (Blackman & Vigna), compiled
// and run with the same seeding (Weyl step 0x9e3779b9 + MurmurHash3 fmix32) as random.ts.
describe('Rng (xoshiro128**)', () => {
  it('matches the reference generator from state 1,2,3,4', () => {
    const r = Rng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => r.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it.each([
    [0, [3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335]],
    [42, [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290]],
    [4294967295, [835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718]],
  ])('seed %i expands to the reference state', (seed, expected) => {
    const r = new Rng(seed);
    expect(Array.from({ length: 6 }, () => r.nextUint32())).toEqual(expected);
  });

  it('is deterministic under a seed, and seeds give different streams', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xa = Array.from({ length: 100 }, () => a.nextNormal());
    const xb = Array.from({ length: 100 }, () => b.nextNormal());
    const xc = Array.from({ length: 100 }, () => c.nextNormal());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('nextFloat is uniform on [0, 1)', () => {
    const r = new Rng(1);
    const n = 200_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      bins[Math.floor(u * 10)]!++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Chi-square with 9 degrees of freedom: 27.88 is its 99.9% point.
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('nextNormal has mean 0, variance 1, and normal tails', () => {
    const r = new Rng(2);
    const n = 200_000;
    let s1 = 0;
    let s2 = 0;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const z = r.nextNormal();
      s1 += z;
      s2 += z * z;
      if (z < -1.6448536269514722) below++;
    }
    const m = s1 / n;
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - m * m - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(below / n - 0.05)).toBeLessThan(5 * Math.sqrt((0.05 * 0.95) / n));
  });

  it('nextInt stays in range and hits every value evenly', () => {
    const r = new Rng(3);
    const counts = new Array<number>(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[r.nextInt(7)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi2).toBeLessThan(22.46); // 99.9% point of chi-square with 6 df
    expect(() => r.nextInt(0)).toThrow(/bound/);
  });

  it('rejects a non-integer seed and an all-zero state', () => {
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/zero/);
  });
});
