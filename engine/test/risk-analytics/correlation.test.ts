import { describe, expect, it } from 'vitest';
import { covCorr, covarianceMatrix, pairwiseMatrices } from '../../src/risk/analytics/correlation';
import { returnsFromPrices, type ReturnSeries } from '../../src/risk/analytics/returns';
import { Rng } from '../../src/risk/analytics/random';

function series(symbol: string, ts: number[], r: number[]): ReturnSeries {
  return { symbol, kind: 'simple', ts: Float64Array.from(ts), from: Float64Array.from(ts.map((t) => t - 1)), r: Float64Array.from(r) };
}

describe('Pearson correlation and covariance', () => {
  it('a series with itself is 1, with its negation −1', () => {
    const rng = new Rng(5);
    const x = Float64Array.from({ length: 500 }, () => rng.nextNormal() * 0.01);
    expect(covCorr(x, x).corr).toBe(1);
    expect(covCorr(x, x.map((v) => -v)).corr).toBe(-1);
    expect(covCorr(x, x.map((v) => 3 * v + 0.002)).corr).toBeCloseTo(1, 14);
  });

  it('matches a hand computation on small data', () => {
    // x = 1..5, y = 2,4,5,4,5: dx = −2..2, dy = −2,0,1,0,1; Σdxdy = 6, Σdx² = 10, Σdy² = 6
    const c = covCorr([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    expect(c.cov).toBeCloseTo(6 / 4, 15);
    expect(c.corr).toBeCloseTo(6 / Math.sqrt(60), 15);
    expect(c.n).toBe(5);
  });

  it('is undefined (NaN) for a constant side or fewer than two points', () => {
    expect(covCorr([1, 1, 1], [1, 2, 3]).corr).toBeNaN();
    expect(covCorr([1], [1]).corr).toBeNaN();
  });

  it('covariance matrix is symmetric with variances on the diagonal', () => {
    const a = Float64Array.from([1, 2, 3, 4]);
    const b = Float64Array.from([2, 1, 4, 3]);
    const m = covarianceMatrix([a, b]);
    expect(m[0]![0]).toBeCloseTo(5 / 3, 15);
    expect(m[1]![1]).toBeCloseTo(5 / 3, 15);
    expect(m[0]![1]).toBe(m[1]![0]);
    expect(m[0]![1]).toBeCloseTo(3 / 3, 15); // Σ dx dy = (−1.5)(−0.5)+(−0.5)(−1.5)+(0.5)(1.5)+(1.5)(0.5) = 3
  });
});

describe('pairwise alignment with missing data', () => {
  it('each pair uses the intervals both cover, and reports how many', () => {
    const a = series('A', [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
    const b = series('B', [1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 11]);
    const c = series('C', [2, 3, 5, 6], [-2, -3, -5, -6]); // missing 1 and 4
    const m = pairwiseMatrices([a, b, c]);
    expect(m.overlap).toEqual([
      [6, 6, 4],
      [6, 6, 4],
      [4, 4, 4],
    ]);
    expect(m.correlation[0]![2]).toBe(-1); // on the 4 common intervals A = −C exactly
    expect(m.correlation[0]![1]).toBeCloseTo(covCorr([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 11]).corr, 15);
    expect(m.correlation[1]![2]).toBeCloseTo(covCorr([4, 6, 10, 11], [-2, -3, -5, -6]).corr, 15);
    expect(m.covariance[0]![2]).toBeCloseTo(covCorr([2, 3, 5, 6], [-2, -3, -5, -6]).cov, 15);
    expect(m.correlation[2]![2]).toBe(1);
  });

  it('does not pair a return across a gap with a one-bar return', () => {
    const a = returnsFromPrices({ symbol: 'A', ts: [0, 1, 2, 3], close: [10, 11, 12, 13] });
    const b = returnsFromPrices({ symbol: 'B', ts: [0, 1, 3], close: [10, 11, 13] });
    const m = pairwiseMatrices([a, b]);
    expect(m.overlap[0]![1]).toBe(1);
    expect(m.correlation[0]![1]).toBeNaN();
  });
});
