import { badInput } from '../../core/errors';

/** Standard normal density φ(x). */
export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

// Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3):477-484. Rational
// approximations good to about 1e-16 relative, so no refinement step (and so no erfc) is needed.
const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
  21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
  0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

function ratio(num: readonly number[], den: readonly number[], r: number): number {
  let n = 0;
  let d = 0;
  for (let i = 7; i >= 0; i--) {
    n = n * r + num[i]!;
    d = d * r + den[i]!;
  }
  return n / d;
}

/** The standard normal quantile z_p = Φ⁻¹(p) for 0 < p < 1 (AS 241). */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) throw badInput(`probability must be strictly between 0 and 1, got ${p}`, 'normInv');
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return q * ratio(A, B, 0.180625 - q * q);
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const z = r <= 5 ? ratio(C, D, r - 1.6) : ratio(E, F, r - 5);
  return q < 0 ? -z : z;
}

/**
 * The standard normal distribution function Φ(x), by Marsaglia's series (J. Stat. Software
 * 11(4), 2004): Φ(x) = ½ + φ(x)·(x + x³/3 + x⁵/(3·5) + …), summed until a term no longer
 * changes the sum. Absolute error about 1e-15; beyond |x| = 37 the result is 0 or 1 in doubles.
 */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -37) return 0;
  if (x > 37) return 1;
  let s = x;
  let t = 0;
  let b = x;
  const q = x * x;
  for (let i = 1; s !== t; ) {
    t = s;
    i += 2;
    b *= q / i;
    s = t + b;
  }
  // Far in the tails the sum cancels to a hair outside [0, 1].
  return Math.min(1, Math.max(0, 0.5 + s * Math.exp(-0.5 * q - 0.91893853320467274178)));
}
