import { badInput } from '../../core/errors';
import { assertFiniteSeries, type Moments, type Numbers } from './moments';
import { normInv, normPdf } from './normal';

/**
 * Value at risk and expected shortfall at one confidence level, both as positive loss
 * fractions: var = 0.031 means "a loss of 3.1% of the capital or worse happens on a
 * (1 − confidence) share of periods"; es is the average loss on those periods.
 */
export interface VarEs {
  confidence: number;
  var: number;
  es: number;
}

export interface HistoricalVarEs extends VarEs {
  /** Observations in the sample. */
  n: number;
  /** Observations averaged into ES: those at or below −VaR (k, plus any ties with r_(k)). */
  tailCount: number;
}

export function assertConfidence(a: number): void {
  if (!(Number.isFinite(a) && a > 0 && a < 1)) throw badInput(`confidence must be strictly between 0 and 1, got ${a}`, 'confidence');
}

/**
 * k = ⌈n(1 − a)⌉, at least 1: the rank of the order statistic that is the empirical
 * (1 − a)-quantile under the "lower order statistic" rule (R's quantile type 1, the
 * inverse of the empirical CDF). The 1e-9 guard absorbs the binary error in 1 − a:
 * 100 × (1 − 0.95) is 5.000000000000004 in doubles, which must give k = 5, not 6.
 */
export function tailRank(n: number, a: number): number {
  return Math.max(1, Math.ceil(n * (1 - a) - 1e-9));
}

/**
 * Historical VaR and ES of a sample r_1..r_n. With r_(1) ≤ … ≤ r_(n) its order statistics:
 *   VaR = −r_(k), k = ⌈n(1 − a)⌉
 *   ES  = −mean{ r_i : r_i ≤ r_(k) }
 * r_(k) is found by selection, not by sorting, so `sample` is reordered in place (its values
 * are left as they were); pass a copy if the order matters.
 */
export function empiricalVarEs(sample: Float64Array, a: number): HistoricalVarEs {
  assertConfidence(a);
  const n = sample.length;
  if (n === 0) throw badInput('no returns to measure', 'historical VaR');
  const q = selectKth(sample, tailRank(n, a) - 1);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = sample[i]!;
    if (x <= q) {
      sum += x;
      count++;
    }
  }
  return { confidence: a, var: -q, es: -sum / count, n, tailCount: count };
}

/**
 * The k-th smallest value (0-based) of `a`, reordering `a` in place: quickselect with a
 * median-of-three pivot and a three-way partition, so long runs of equal returns (flat
 * minutes of an illiquid market) keep it linear.
 */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // Partition [lo, hi] into < pivot [lo, lt), = pivot [lt, gt], > pivot (gt, hi].
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else {
        i++;
      }
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[k]!;
}

/** Historical (empirical) VaR and ES at each confidence. The input is not modified. */
export function historicalVarEs(returns: Numbers, confidences: readonly number[]): HistoricalVarEs[] {
  assertFiniteSeries(returns, 1, 'historical VaR');
  const scratch = Float64Array.from(returns as ArrayLike<number>);
  return confidences.map((a) => empiricalVarEs(scratch, a));
}

/**
 * Gaussian (parametric) VaR and ES with the sample mean μ and sample sd σ (n − 1):
 *   VaR = −(μ + σ z_{1−a}) = −μ + σ z_a
 *   ES  = −(μ − σ φ(z_a) / (1 − a))
 */
export function gaussianVarEs(m: Pick<Moments, 'mean' | 'sd'>, a: number): VarEs {
  assertConfidence(a);
  const za = normInv(a);
  return { confidence: a, var: -(m.mean - m.sd * za), es: -(m.mean - (m.sd * normPdf(za)) / (1 - a)) };
}

export interface CornishFisherVarEs extends VarEs {
  /** The Cornish–Fisher quantile z_cf that replaces z_{1−a}. */
  zCf: number;
  /** False when S and K lie outside the region where the expansion is an increasing function (see cornishFisherMonotone). */
  monotone: boolean;
}

/**
 * Cornish–Fisher ("modified") VaR, with c = z_{1−a} = −z_a, S the moment skewness and K the
 * moment excess kurtosis:
 *   z_cf = c + (c² − 1)S/6 + (c³ − 3c)K/24 − (2c³ − 5c)S²/36
 *   VaR  = −(μ + σ z_cf)
 * ES is the exact tail mean of that same quantile function, ES = −(μ + σ/(1−a) ∫₀^{1−a} z_cf(u) du).
 * Substituting u = Φ(z) turns the integral into truncated normal moments, which gives the
 * closed form
 *   ES = −μ + σ φ(c)/(1 − a) · [1 + cS/6 + (c² − 1)K/24 − (2c² − 1)S²/36]
 * With S = K = 0 both reduce to the Gaussian formulas.
 */
export function cornishFisherVarEs(m: Moments, a: number): CornishFisherVarEs {
  assertConfidence(a);
  const S = m.skewness;
  const K = m.excessKurtosis;
  const c = -normInv(a);
  const zCf = c + ((c * c - 1) * S) / 6 + ((c * c * c - 3 * c) * K) / 24 - ((2 * c * c * c - 5 * c) * S * S) / 36;
  const tail = 1 + (c * S) / 6 + ((c * c - 1) * K) / 24 - ((2 * c * c - 1) * S * S) / 36;
  return {
    confidence: a,
    var: -(m.mean + m.sd * zCf),
    es: -m.mean + ((m.sd * normPdf(c)) / (1 - a)) * tail,
    zCf,
    monotone: cornishFisherMonotone(S, K),
  };
}

/**
 * Whether z ↦ z_cf(z) increases on the whole real line (Maillard 2012's domain of validity).
 * Its derivative is the quadratic αz² + βz + γ with α = K/8 − S²/6, β = S/3,
 * γ = 1 − K/8 + 5S²/36; it stays ≥ 0 iff α > 0 and β² ≤ 4αγ (or α = β = 0 < γ). Outside this
 * region the "quantiles" are not ordered and CF VaR/ES should not be trusted.
 */
export function cornishFisherMonotone(S: number, K: number): boolean {
  const alpha = K / 8 - (S * S) / 6;
  const beta = S / 3;
  const gamma = 1 - K / 8 + (5 * S * S) / 36;
  if (alpha === 0) return beta === 0 && gamma > 0;
  return alpha > 0 && beta * beta <= 4 * alpha * gamma;
}
