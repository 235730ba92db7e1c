import { badInput } from '../../core/errors';

export type Numbers = ArrayLike<number>;

/** The sample statistics every parametric VaR here is built from. */
export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation, divisor n − 1. */
  sd: number;
  /** Moment skewness g1 = m3 / m2^(3/2), with central moments m_k = (1/n) Σ (x − mean)^k. */
  skewness: number;
  /** Moment excess kurtosis g2 = m4 / m2² − 3 (0 for a normal distribution). */
  excessKurtosis: number;
}

/**
 * Throws unless every value is a finite number and there are at least `min` of them:
 * a NaN that slipped into a return series would otherwise turn every risk figure into NaN.
 */
export function assertFiniteSeries(x: Numbers, min: number, where: string): void {
  if (x.length < min) throw badInput(`needs at least ${min} returns, got ${x.length}`, where);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw badInput(`return #${i} is ${x[i]}, not a finite number`, where);
  }
}

export function mean(x: Numbers): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/**
 * Mean, sample sd, skewness and excess kurtosis in two passes (centred sums, so a series
 * with a large mean and a tiny spread keeps its precision). A series with zero spread has
 * no shape: its skewness and excess kurtosis are reported as 0.
 */
export function moments(x: Numbers, where = 'returns'): Moments {
  assertFiniteSeries(x, 2, where);
  const n = x.length;
  const mu = mean(x);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let constant = true;
  for (let i = 0; i < n; i++) {
    if (x[i] !== x[0]) constant = false;
    const d = x[i]! - mu;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  // Tested on the data, not on m2 === 0: a constant 0.1 leaves rounding noise in m2.
  if (constant) return { n, mean: x[0]!, sd: 0, skewness: 0, excessKurtosis: 0 };
  const sd = Math.sqrt(m2 / (n - 1));
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { n, mean: mu, sd, skewness: m3 / Math.pow(m2, 1.5), excessKurtosis: m4 / (m2 * m2) - 3 };
}
