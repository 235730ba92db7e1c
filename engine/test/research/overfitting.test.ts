import { describe, expect, it } from 'vitest';
import { blockStats, deflatedSharpe, expectedMaxSharpe, probabilityOfOverfitting, returnShape, sharpeSpread } from '../../src/research/overfitting';
import { normCdf, normInv } from '../../src/risk/analytics/normal';

/** An equity curve (start 1) whose per-bar simple returns are `r`. */
function curve(r: readonly number[]): Float64Array {
  const e = new Float64Array(r.length + 1);
  e[0] = 1;
  r.forEach((x, i) => (e[i + 1] = e[i]! * (1 + x)));
  return e;
}

describe('the deflated Sharpe ratio', () => {
  it('equals the published example of Bailey & López de Prado (2014): SR0 ≈ 0.1132, DSR ≈ 0.9004', () => {
    // Annualised SR 2.5 over 1,250 daily returns (250 a year), skewness −3, kurtosis 10,
    // the best of N = 100 trials whose annualised Sharpe ratios have variance 1/2.
    const { sr0, dsr } = deflatedSharpe({ sr: 2.5 / Math.sqrt(250), t: 1250, skew: -3, kurt: 10, n: 100, v: 0.5 / 250 });
    expect(sr0).toBeCloseTo(0.1132, 4);
    expect(dsr).toBeCloseTo(0.9004, 4);
  });

  it('equals a hand-worked example (docs/research.md), from the returns up', () => {
    const shape = returnShape(curve([0.02, -0.01, 0.03, 0.0, 0.01]))!;
    expect(shape.t).toBe(5);
    expect(shape.sr).toBeCloseTo(0.632456, 6); // mean 0.01 / sd 0.0158114
    expect(shape.skew).toBeCloseTo(0, 9);
    expect(shape.kurt).toBeCloseTo(1.7, 9); // m4 6.8e-8 / m2² 4e-8
    expect(expectedMaxSharpe(10, 0.04)).toBeCloseTo(0.31492, 5);
    const { dsr } = deflatedSharpe({ ...shape, n: 10, v: 0.04 });
    expect(dsr).toBeCloseTo(0.73037, 5);
  });

  it('takes V from the trials\' annualised Sharpe ratios divided by √P, counting only defined ones', () => {
    const { n, v } = sharpeSpread([1, 2, 3, NaN], 4);
    expect(n).toBe(3);
    expect(v).toBeCloseTo(0.25, 12); // per-bar 0.5, 1, 1.5: variance 0.25
  });

  it('is undefined with fewer than two trials or returns that do not vary', () => {
    expect(deflatedSharpe({ sr: 0.1, t: 100, skew: 0, kurt: 3, n: 1, v: 0.1 }).dsr).toBeNull();
    expect(returnShape(curve([0.01, 0.01, 0.01]))).toBeUndefined();
  });

  it('uses a normal distribution function that inverts normInv', () => {
    for (const p of [1e-9, 0.001, 0.2, 0.5, 0.9, 0.999]) expect(normCdf(normInv(p))).toBeCloseTo(p, 14);
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
  });
});

describe('the probability of backtest overfitting (CSCV)', () => {
  // The hand-worked example of docs/research.md: 3 trials, S = 4 blocks of 2 returns.
  const A = curve([0.02, 0.04, 0.02, 0.04, -0.02, -0.04, -0.02, -0.04]); // good early, bad late
  const B = curve([-0.01, -0.03, -0.01, -0.03, 0.01, 0.03, 0.01, 0.03]); // bad early, good late
  const C = curve([0.0, 0.01, 0.0, 0.01, 0.0, 0.01, 0.0, 0.01]); // steady

  it('equals the hand-worked example: 2 of 6 splits overfit, PBO = 1/3', () => {
    const r = probabilityOfOverfitting([A, B, C].map((e) => blockStats(e, 4)), 4);
    expect(r.combinations).toBe(6);
    // Masks in order 0b0011, 0b0101, 0b0110, 0b1001, 0b1010, 0b1100: training on blocks {1,2}
    // picks A, which is worst on {3,4} (λ = ln(1/3)); {3,4} picks B, worst on {1,2}; every
    // mixed split picks C, best on the other half (rank 3 of 3: λ = ln 3).
    expect(r.logits.map((l) => Number(l.toFixed(12)))).toEqual([Math.log(1 / 3), Math.log(3), Math.log(3), Math.log(3), Math.log(3), Math.log(1 / 3)].map((l) => Number(l.toFixed(12))));
    expect(r.pbo).toBeCloseTo(1 / 3, 15);
  });

  it('is 0 when the same trial is best on every half', () => {
    const good = curve([0.02, 0.01, 0.03, 0.01, 0.02, 0.01, 0.03, 0.02]);
    const bad = curve([-0.02, -0.01, -0.03, -0.01, -0.02, -0.01, -0.03, -0.02]);
    expect(probabilityOfOverfitting([good, bad, C].map((e) => blockStats(e, 4)), 4).pbo).toBe(0);
  });

  it('keeps exact block statistics: merged blocks give the Sharpe of the whole', () => {
    const s = blockStats(A, 4);
    expect(Array.from(s.filter((_, i) => i % 3 === 0))).toEqual([2, 2, 2, 2]);
    expect(s[1]).toBeCloseTo(0.03, 15);
  });

  it('refuses an odd number of blocks', () => {
    expect(() => probabilityOfOverfitting([blockStats(A, 3), blockStats(B, 3)], 3)).toThrow('S must be an even number');
  });
});
