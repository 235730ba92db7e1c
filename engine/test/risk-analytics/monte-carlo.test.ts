import { describe, expect, it } from 'vitest';
import { cholesky, monteCarloVarEs, simulatePortfolioReturns } from '../../src/risk/analytics/monte-carlo';
import { normInv, normPdf } from '../../src/risk/analytics/normal';
import { Rng } from '../../src/risk/analytics/random';
import { historicalVarEs } from '../../src/risk/analytics/var';

/** Three correlated assets, 1 000 days, built from independent normals by a fixed mixing. */
function threeAssets(seed: number, T = 1000): Float64Array[] {
  const rng = new Rng(seed);
  const cols = [new Float64Array(T), new Float64Array(T), new Float64Array(T)];
  for (let t = 0; t < T; t++) {
    const a = rng.nextNormal();
    const b = rng.nextNormal();
    const c = rng.nextNormal();
    cols[0]![t] = 0.0005 + 0.01 * a;
    cols[1]![t] = 0.0002 + 0.02 * (0.6 * a + 0.8 * b);
    cols[2]![t] = -0.0001 + 0.015 * (-0.3 * a + 0.2 * b + 0.93 * c);
  }
  return cols;
}

/** Textbook portfolio mean and sd: w'μ and sqrt(w'Σw), sample moments, written out plainly. */
function portfolioNormal(cols: Float64Array[], w: number[]): { mu: number; sd: number } {
  const T = cols[0]!.length;
  const mus = cols.map((c) => c.reduce((s, v) => s + v, 0) / T);
  let variance = 0;
  for (let i = 0; i < cols.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += (cols[i]![t]! - mus[i]!) * (cols[j]![t]! - mus[j]!);
      variance += w[i]! * w[j]! * (s / (T - 1));
    }
  }
  return { mu: mus.reduce((s, m, i) => s + w[i]! * m, 0), sd: Math.sqrt(variance) };
}

describe('Cholesky', () => {
  it('factors a covariance matrix: L Lᵀ = Σ', () => {
    const S = [
      [4, 2, -1],
      [2, 5, 1],
      [-1, 1, 3],
    ];
    const L = cholesky(S);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += L[i]![k]! * L[j]![k]!;
        expect(s).toBeCloseTo(S[i]![j]!, 14);
        if (j > i) expect(L[i]![j]).toBe(0);
      }
    }
  });

  it('accepts a singular (semi-definite) matrix and rejects an indefinite one', () => {
    const L = cholesky([
      [1, 1],
      [1, 1],
    ]);
    expect(L).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(() =>
      cholesky([
        [1, 2],
        [2, 1],
      ]),
    ).toThrow(/not positive semi-definite/);
  });
});

describe('Monte Carlo VaR/ES', () => {
  const cols = threeAssets(21);
  const w = [0.5, 0.3, 0.2];

  it('is deterministic under a seed', () => {
    const a = simulatePortfolioReturns(cols, w, { simulations: 1000, seed: 9, method: 'normal' });
    const b = simulatePortfolioReturns(cols, w, { simulations: 1000, seed: 9, method: 'normal' });
    const c = simulatePortfolioReturns(cols, w, { simulations: 1000, seed: 10, method: 'normal' });
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
    const ba = simulatePortfolioReturns(cols, w, { simulations: 1000, seed: 9, method: 'bootstrap' });
    const bb = simulatePortfolioReturns(cols, w, { simulations: 1000, seed: 9, method: 'bootstrap' });
    expect([...ba]).toEqual([...bb]);
  });

  it('normal method converges to the Gaussian VaR/ES of the fitted portfolio', () => {
    const n = 200_000;
    const { mu, sd } = portfolioNormal(cols, w);
    const mc = monteCarloVarEs(cols, w, [0.95, 0.99], { simulations: n, seed: 4, method: 'normal' });
    for (const r of mc.results) {
      const a = r.confidence;
      const p = 1 - a;
      const za = normInv(a);
      const gaussVar = -mu + sd * za;
      const gaussEs = -mu + (sd * normPdf(za)) / p;
      // Standard error of an empirical p-quantile is sqrt(p(1−p)/n)/f(q). The tail mean's is of
      // the same order; twice the margin keeps the ES check loose but still meaningful.
      const seVar = (sd * Math.sqrt((p * (1 - p)) / n)) / normPdf(za);
      expect(Math.abs(r.var - gaussVar)).toBeLessThan(4 * seVar);
      expect(Math.abs(r.es - gaussEs)).toBeLessThan(8 * seVar);
    }
  });

  it('bootstrap draws only historical portfolio returns and tracks historical VaR', () => {
    const hist = new Set<number>();
    const T = cols[0]!.length;
    const port: number[] = [];
    for (let t = 0; t < T; t++) {
      const v = w[0]! * cols[0]![t]! + w[1]! * cols[1]![t]! + w[2]! * cols[2]![t]!;
      hist.add(v);
      port.push(v);
    }
    const sims = simulatePortfolioReturns(cols, w, { simulations: 50_000, seed: 3, method: 'bootstrap' });
    expect([...sims].every((v) => hist.has(v))).toBe(true);
    const mc = monteCarloVarEs(cols, w, [0.95], { simulations: 50_000, seed: 3, method: 'bootstrap' });
    const [h] = historicalVarEs(port, [0.95]);
    // The bootstrap quantile lands within a couple of order statistics of the sample one.
    const sorted = [...port].sort((a, b) => a - b);
    expect(-mc.results[0]!.var).toBeGreaterThanOrEqual(sorted[47]!);
    expect(-mc.results[0]!.var).toBeLessThanOrEqual(sorted[52]!);
    expect(Math.abs(mc.results[0]!.es - h!.es) / h!.es).toBeLessThan(0.05);
  });

  it('handles a duplicated asset (singular covariance)', () => {
    const dup = [cols[0]!, cols[0]!];
    const { mu, sd } = portfolioNormal(dup, [0.5, 0.5]);
    const mc = monteCarloVarEs(dup, [0.5, 0.5], [0.95], { simulations: 100_000, seed: 1, method: 'normal' });
    const gaussVar = -mu + sd * normInv(0.95);
    expect(Math.abs(mc.results[0]!.var - gaussVar)).toBeLessThan(0.03 * sd);
  });

  it('refuses bad options', () => {
    expect(() => simulatePortfolioReturns(cols, w, { simulations: 0, seed: 1, method: 'normal' })).toThrow(/simulations/);
    expect(() => simulatePortfolioReturns(cols, [1], { simulations: 10, seed: 1, method: 'normal' })).toThrow(/weights/);
    expect(() => simulatePortfolioReturns(cols, w, { simulations: 10, seed: 1.5, method: 'normal' })).toThrow(/seed/);
    expect(() => simulatePortfolioReturns(cols, w, { simulations: 10, seed: 1, method: 'x' as never })).toThrow(/normal or bootstrap/);
  });
});
