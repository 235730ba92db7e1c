import { describe, expect, it } from 'vitest';
import { moments } from '../../src/risk/analytics/moments';
import { normInv } from '../../src/risk/analytics/normal';
import { Rng } from '../../src/risk/analytics/random';
import {
  cornishFisherMonotone,
  cornishFisherVarEs,
  gaussianVarEs,
  historicalVarEs,
  selectKth,
  tailRank,
} from '../../src/risk/analytics/var';

/*
 * Hand-worked example, 20 daily returns in percent:
 *    0.5 −1.2  0.8 −3.0  1.1 −0.4  2.0 −2.2  0.3 −0.7  1.5 −5.0  0.9 −0.1  0.6 −1.8  1.2 −0.9  0.4  0.2
 * Sorted, the five worst are r(1) = −5.0, r(2) = −3.0, r(3) = −2.2, r(4) = −1.8, r(5) = −1.2.
 * With k = ceil(n(1 − a)) and n = 20:
 *   a = 0.99: 20 × 0.01 = 0.2 → k = 1: VaR = 5.0%, ES = 5.0%
 *   a = 0.95: 20 × 0.05 = 1   → k = 1: VaR = 5.0%, ES = 5.0%
 *   a = 0.90: 20 × 0.10 = 2   → k = 2: VaR = 3.0%, ES = (5.0 + 3.0)/2 = 4.0%
 *   a = 0.85: 20 × 0.15 = 3   → k = 3: VaR = 2.2%, ES = (5.0 + 3.0 + 2.2)/3 = 3.4%
 *   a = 0.80: 20 × 0.20 = 4   → k = 4: VaR = 1.8%, ES = (5.0 + 3.0 + 2.2 + 1.8)/4 = 3.0%
 * (In doubles 20 × (1 − 0.95) is 1.0000000000000009 and 20 × (1 − 0.85) is 3.0000000000000004:
 * a naive ceil would pick k = 2 and k = 4 there.)
 */
const TWENTY = [0.5, -1.2, 0.8, -3.0, 1.1, -0.4, 2.0, -2.2, 0.3, -0.7, 1.5, -5.0, 0.9, -0.1, 0.6, -1.8, 1.2, -0.9, 0.4, 0.2].map((x) => x / 100);

describe('historical VaR/ES (lower order statistic, k = ceil(n(1−a)))', () => {
  it.each([
    [0.99, 0.05, 0.05, 1],
    [0.95, 0.05, 0.05, 1],
    [0.9, 0.03, 0.04, 2],
    [0.85, 0.022, 0.034, 3],
    [0.8, 0.018, 0.03, 4],
  ])('hand-worked 20 returns at a = %s: VaR %s, ES %s', (a, v, es, k) => {
    const [r] = historicalVarEs(TWENTY, [a]);
    expect(r!.var).toBeCloseTo(v, 15);
    expect(r!.es).toBeCloseTo(es, 15);
    expect(r!.tailCount).toBe(k);
    expect(r!.n).toBe(20);
  });

  it('ES takes in every return tied with the VaR return', () => {
    // sorted: −4, −2, −2, −2, 1, …; n = 10, a = 0.8 → k = 2, r(2) = −2, and r(3), r(4) tie with it.
    const x = [1, -2, 3, -4, -2, 5, 1, -2, 2, 4].map((v) => v / 100);
    const [r] = historicalVarEs(x, [0.8]);
    expect(r!.var).toBeCloseTo(0.02, 15);
    expect(r!.es).toBeCloseTo((0.04 + 0.02 * 3) / 4, 15);
    expect(r!.tailCount).toBe(4);
  });

  it('agrees with a plain sort-based implementation on random samples', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.nextInt(400);
      const x = Array.from({ length: n }, () => rng.nextNormal() * 0.02 + (rng.nextFloat() < 0.05 ? -0.05 : 0));
      const permille = [950, 990, 975, 900, 500][trial % 5]!;
      const a = permille / 1000;
      // Independent reference: integer arithmetic for k, Array sort with a comparator.
      const sorted = [...x].sort((p, q) => p - q);
      const k = Math.max(1, Math.ceil((n * (1000 - permille)) / 1000));
      const tail = sorted.filter((v) => v <= sorted[k - 1]!);
      const [r] = historicalVarEs(x, [a]);
      expect(r!.var).toBe(-sorted[k - 1]!);
      expect(r!.es).toBeCloseTo(-tail.reduce((s, v) => s + v, 0) / tail.length, 14);
    }
  });

  it('selection finds every order statistic, also among many ties, and leaves the input alone', () => {
    const rng = new Rng(12);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rng.nextInt(300);
      // Few distinct values: long runs of equal returns, as in flat minutes of a quiet market.
      const x = Array.from({ length: n }, () => (rng.nextInt(trial % 2 === 0 ? 3 : 1000) - 1) / 100);
      const copy = [...x];
      const sorted = [...x].sort((p, q) => p - q);
      for (let k = 0; k < n; k += 1 + Math.floor(n / 17)) expect(selectKth(Float64Array.from(x), k)).toBe(sorted[k]);
      const [r] = historicalVarEs(x, [0.9]);
      const k = Math.max(1, Math.ceil((n * 100) / 1000));
      expect(r!.var).toBe(-sorted[k - 1]!);
      expect(r!.tailCount).toBe(sorted.filter((v) => v <= sorted[k - 1]!).length);
      expect(x).toEqual(copy);
    }
  });

  it('tailRank never rounds up a product that is a whole number in exact arithmetic', () => {
    for (let n = 1; n <= 2000; n++) {
      for (const permille of [950, 990, 975, 999]) {
        expect(tailRank(n, permille / 1000)).toBe(Math.max(1, Math.ceil((n * (1000 - permille)) / 1000)));
      }
    }
  });

  it('refuses bad data and bad confidence levels', () => {
    expect(() => historicalVarEs([], [0.95])).toThrow(/at least 1/);
    expect(() => historicalVarEs([0.01, NaN], [0.95])).toThrow(/#1 is NaN/);
    expect(() => historicalVarEs([0.01, 0.02], [1])).toThrow(/confidence/);
    expect(() => historicalVarEs([0.01, 0.02], [0])).toThrow(/confidence/);
  });
});

describe('moments', () => {
  it('matches a hand computation', () => {
    // x = 1,2,3,4,10: mean 4; deviations −3,−2,−1,0,6; m2 = 50/5 = 10, m3 = 180/5 = 36, m4 = 1394/5 = 278.8
    const m = moments([1, 2, 3, 4, 10]);
    expect(m.mean).toBe(4);
    expect(m.sd).toBeCloseTo(Math.sqrt(50 / 4), 14);
    expect(m.skewness).toBeCloseTo(36 / Math.pow(10, 1.5), 14);
    expect(m.excessKurtosis).toBeCloseTo(278.8 / 100 - 3, 14);
  });

  it('gives a constant series zero spread and no shape', () => {
    const m = moments(new Array(10).fill(0.1));
    expect(m).toEqual({ n: 10, mean: 0.1, sd: 0, skewness: 0, excessKurtosis: 0 });
  });
});

describe('Gaussian VaR/ES', () => {
  it('equals the closed form with hand-set μ and σ', () => {
    // μ = 0.1%, σ = 2%: VaR99 = −0.001 + 0.02 × 2.3263478740408408 = 0.045526957480816816
    // ES99 = −0.001 + 0.02 × φ(2.3263478740408408)/0.01 = −0.001 + 0.02 × 2.665214220345808 = 0.05230428440691616
    const g99 = gaussianVarEs({ mean: 0.001, sd: 0.02 }, 0.99);
    expect(g99.var).toBeCloseTo(0.045526957480816816, 14);
    expect(g99.es).toBeCloseTo(0.05230428440691616, 13);
    // VaR95 = −0.001 + 0.02 × 1.6448536269514722; ES95 = −0.001 + 0.02 × 0.10313564037537128/0.05
    const g95 = gaussianVarEs({ mean: 0.001, sd: 0.02 }, 0.95);
    expect(g95.var).toBeCloseTo(-0.001 + 0.02 * 1.6448536269514722, 14);
    expect(g95.es).toBeCloseTo(-0.001 + (0.02 * 0.10313564037537128) / 0.05, 13);
  });

  it('ES is above VaR, and both grow with confidence', () => {
    const m = { mean: 0.0005, sd: 0.01 };
    const a = gaussianVarEs(m, 0.95);
    const b = gaussianVarEs(m, 0.99);
    expect(a.es).toBeGreaterThan(a.var);
    expect(b.var).toBeGreaterThan(a.var);
    expect(b.es).toBeGreaterThan(b.var);
  });
});

describe('Cornish–Fisher VaR/ES', () => {
  const base = { n: 500, mean: 0.0004, sd: 0.015 };

  it('reduces to Gaussian when S = K = 0', () => {
    for (const a of [0.9, 0.95, 0.975, 0.99, 0.999]) {
      const cf = cornishFisherVarEs({ ...base, skewness: 0, excessKurtosis: 0 }, a);
      const g = gaussianVarEs(base, a);
      expect(cf.var).toBeCloseTo(g.var, 15);
      expect(cf.es).toBeCloseTo(g.es, 15);
    }
  });

  it('VaR follows the textbook expansion', () => {
    // a = 0.99, S = −0.8, K = 4: c = −2.3263478740408408
    const S = -0.8;
    const K = 4;
    const c = -2.3263478740408408;
    const zcf = c + ((c ** 2 - 1) / 6) * S + ((c ** 3 - 3 * c) / 24) * K - ((2 * c ** 3 - 5 * c) / 36) * S ** 2;
    const cf = cornishFisherVarEs({ ...base, skewness: S, excessKurtosis: K }, 0.99);
    expect(cf.zCf).toBeCloseTo(zcf, 13);
    expect(cf.var).toBeCloseTo(-(base.mean + base.sd * zcf), 14);
    // Negative skew and fat tails mean a bigger loss than the Gaussian figure.
    expect(cf.var).toBeGreaterThan(gaussianVarEs(base, 0.99).var);
  });

  it('ES equals the tail mean of the CF quantile function, by numerical integration', () => {
    for (const [S, K, a] of [
      [-0.8, 4, 0.99],
      [0.5, 1.5, 0.95],
      [-0.3, 0.6, 0.975],
    ] as const) {
      expect(cornishFisherMonotone(S, K)).toBe(true);
      // ES = −(μ + σ/(1−a) ∫_0^{1−a} z_cf(Φ⁻¹(u)) du), by the midpoint rule on u with a fine grid
      // near 0, where the integrand diverges (integrably).
      const p = 1 - a;
      const g = (z: number): number => z + ((z * z - 1) * S) / 6 + ((z ** 3 - 3 * z) * K) / 24 - ((2 * z ** 3 - 5 * z) * S * S) / 36;
      let integral = 0;
      const steps = 200_000;
      // u = p·e^{−t}, t ∈ [0, 40]: du = u dt, which spreads the points where z_cf changes fastest.
      const T = 40;
      for (let i = 0; i < steps; i++) {
        const t = ((i + 0.5) * T) / steps;
        const u = p * Math.exp(-t);
        integral += g(normInv(u)) * u * (T / steps);
      }
      const expected = -(base.mean + (base.sd * integral) / p);
      const cf = cornishFisherVarEs({ ...base, skewness: S, excessKurtosis: K }, a);
      expect(cf.es).toBeCloseTo(expected, 8);
      expect(cf.es).toBeGreaterThan(cf.var);
    }
  });

  it('flags skewness/kurtosis outside the validity region', () => {
    expect(cornishFisherMonotone(0, 0)).toBe(true);
    expect(cornishFisherMonotone(0, 3)).toBe(true);
    expect(cornishFisherMonotone(0, -1.2)).toBe(false); // uniform-like: thin tails
    expect(cornishFisherMonotone(2, 0)).toBe(false);
    expect(cornishFisherMonotone(0, 9)).toBe(false); // past K = 8 the middle folds over
    expect(cornishFisherVarEs({ ...base, skewness: 2, excessKurtosis: 0 }, 0.99).monotone).toBe(false);
  });
});
