import type { ReturnSeries } from './returns';

/** Sample covariance (n − 1) and Pearson correlation of two equally long columns; NaN where undefined. */
export function covCorr(x: ArrayLike<number>, y: ArrayLike<number>): { n: number; cov: number; corr: number } {
  const n = x.length;
  if (n < 2) return { n, cov: NaN, corr: NaN };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const corr = sxx > 0 && syy > 0 ? clamp(sxy / Math.sqrt(sxx * syy)) : NaN;
  return { n, cov: sxy / (n - 1), corr };
}

// Rounding can carry |ρ| a hair past 1 for (anti)identical series.
function clamp(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Covariance matrix (n − 1) of columns that are already aligned row by row. */
export function covarianceMatrix(columns: readonly Float64Array[]): number[][] {
  const k = columns.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) m[i]![j] = m[j]![i] = covCorr(columns[i]!, columns[j]!).cov;
  }
  return m;
}

export interface PairwiseMatrices {
  symbols: string[];
  /** Pearson ρ_ij over the intervals both series cover; NaN when fewer than 2 or one side is constant. */
  correlation: number[][];
  /** Sample covariance (n − 1) over the same intervals. */
  covariance: number[][];
  /** Number of common intervals behind each entry. */
  overlap: number[][];
}

/**
 * Pairwise-complete correlation and covariance: each pair uses every interval that both of
 * its series cover (same from and ts), so a gap in one series costs only its own pairs.
 * Entries rest on different samples, so the matrix need not be positive semi-definite;
 * simulation uses the complete-case covariance of alignReturns instead.
 */
export function pairwiseMatrices(series: readonly ReturnSeries[]): PairwiseMatrices {
  const k = series.length;
  const square = (): number[][] => Array.from({ length: k }, () => new Array<number>(k).fill(NaN));
  const correlation = square();
  const covariance = square();
  const overlap = square();
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const [x, y] = commonIntervals(series[i]!, series[j]!);
      const c = covCorr(x, y);
      correlation[i]![j] = correlation[j]![i] = c.corr;
      covariance[i]![j] = covariance[j]![i] = c.cov;
      overlap[i]![j] = overlap[j]![i] = c.n;
    }
  }
  return { symbols: series.map((s) => s.symbol), correlation, covariance, overlap };
}

function commonIntervals(a: ReturnSeries, b: ReturnSeries): [Float64Array, Float64Array] {
  const x: number[] = [];
  const y: number[] = [];
  let j = 0;
  for (let i = 0; i < a.ts.length; i++) {
    const t = a.ts[i]!;
    while (j < b.ts.length && b.ts[j]! < t) j++;
    if (j < b.ts.length && b.ts[j] === t && b.from[j] === a.from[i]) {
      x.push(a.r[i]!);
      y.push(b.r[j]!);
    }
  }
  return [Float64Array.from(x), Float64Array.from(y)];
}
