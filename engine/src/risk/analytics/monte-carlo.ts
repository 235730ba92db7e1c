import { badInput } from '../../core/errors';
import { covarianceMatrix } from './correlation';
import { mean } from './moments';
import { Rng } from './random';
import { empiricalVarEs, type HistoricalVarEs } from './var';

/**
 * normal: draw asset returns from the multivariate normal N(μ̂, Σ̂) fitted to the aligned
 * history (sample means, sample covariance n − 1), via Cholesky Σ̂ = LLᵀ and r = μ̂ + Lz.
 * bootstrap: draw whole historical rows (one interval of every asset at once) uniformly with
 * replacement, which keeps fat tails and cross-asset dependence as they were.
 */
export type MonteCarloMethod = 'normal' | 'bootstrap';

export interface MonteCarloOptions {
  simulations: number;
  seed: number;
  method: MonteCarloMethod;
}

export interface MonteCarloResult {
  method: MonteCarloMethod;
  simulations: number;
  seed: number;
  /** VaR/ES of the simulated portfolio returns, by the same order-statistic rule as historical VaR. */
  results: HistoricalVarEs[];
}

/**
 * Lower-triangular L with LLᵀ = cov. Tolerates a semi-definite matrix (a constant asset, or two
 * perfectly correlated ones): a pivot within 1e-12 × the largest variance of zero gets a zero
 * column. A clearly negative pivot means the matrix is not a covariance matrix at all.
 */
export function cholesky(cov: readonly (readonly number[])[]): number[][] {
  const k = cov.length;
  const L = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const tol = 1e-12 * Math.max(0, ...cov.map((row, i) => row[i]!));
  for (let j = 0; j < k; j++) {
    let d = cov[j]![j]!;
    for (let m = 0; m < j; m++) d -= L[j]![m]! ** 2;
    if (d < -tol) throw badInput(`covariance matrix is not positive semi-definite (pivot ${j} is ${d})`, 'cholesky');
    if (d <= tol) continue;
    const ljj = Math.sqrt(d);
    L[j]![j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = cov[i]![j]!;
      for (let m = 0; m < j; m++) s -= L[i]![m]! * L[j]![m]!;
      L[i]![j] = s / ljj;
    }
  }
  return L;
}

/** Simulated one-period portfolio returns Σ_j w_j r_j, deterministic for a given seed. */
export function simulatePortfolioReturns(columns: readonly Float64Array[], weights: readonly number[], opts: MonteCarloOptions): Float64Array {
  const { simulations, seed, method } = opts;
  if (!Number.isInteger(simulations) || simulations < 1) throw badInput(`simulations must be a whole number >= 1, got ${simulations}`, 'simulations');
  if (columns.length === 0 || columns.length !== weights.length) throw badInput(`${weights.length} weights for ${columns.length} assets`, 'weights');
  if (method !== 'normal' && method !== 'bootstrap') throw badInput(`method must be normal or bootstrap, got ${String(method)}`, 'monte carlo');
  const T = columns[0]!.length;
  if (T < 2) throw badInput(`needs at least 2 aligned returns to simulate, got ${T}`, 'monte carlo');
  const k = columns.length;
  const rng = new Rng(seed);
  const out = new Float64Array(simulations);
  if (method === 'bootstrap') {
    for (let s = 0; s < simulations; s++) {
      const t = rng.nextInt(T);
      let p = 0;
      for (let j = 0; j < k; j++) p += weights[j]! * columns[j]![t]!;
      out[s] = p;
    }
    return out;
  }
  const mu = columns.map((c) => mean(c));
  const L = cholesky(covarianceMatrix(columns));
  // Σ_j w_j (μ_j + (Lz)_j) = wᵀμ + (Lᵀw)·z: the same draw of the asset vector, summed in O(k).
  const base = mu.reduce((s, m, j) => s + weights[j]! * m, 0);
  const b = Float64Array.from({ length: k }, (_, m) => {
    let s = 0;
    for (let j = m; j < k; j++) s += weights[j]! * L[j]![m]!;
    return s;
  });
  for (let s = 0; s < simulations; s++) {
    let p = base;
    for (let m = 0; m < k; m++) p += b[m]! * rng.nextNormal();
    out[s] = p;
  }
  return out;
}

export function monteCarloVarEs(
  columns: readonly Float64Array[],
  weights: readonly number[],
  confidences: readonly number[],
  opts: MonteCarloOptions,
): MonteCarloResult {
  const sims = simulatePortfolioReturns(columns, weights, opts);
  return { method: opts.method, simulations: opts.simulations, seed: opts.seed, results: confidences.map((a) => empiricalVarEs(sims, a)) };
}
