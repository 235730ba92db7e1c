/**
 * Guards against fooling ourselves with a sweep (docs/research.md has the formulas):
 *
 * - the deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio",
 *   J. Portfolio Management 40(5), 2014) of the best trial: the probability that its true
 *   Sharpe exceeds the best Sharpe N trials of no skill would show by chance;
 * - the probability of backtest overfitting by combinatorially symmetric cross-validation
 *   (Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting",
 *   J. Computational Finance 20(4), 2017): how often the trial that is best on half of the
 *   data ranks below the median on the other half.
 *
 * Both work on per-bar simple returns r_t = E_t / E_{t−1} − 1 of the equity curve.
 */
import { badInput } from '../core/errors';
import { moments } from '../risk/analytics/moments';
import { normCdf, normInv } from '../risk/analytics/normal';

export const EULER_GAMMA = 0.5772156649015329;

export interface DsrInput {
  /** Per-bar Sharpe of the selected trial, mean / sd (ddof 1). */
  sr: number;
  /** Number of returns. */
  t: number;
  /** Skewness (population moments). */
  skew: number;
  /** Kurtosis, not excess (population moments; 3 for a normal distribution). */
  kurt: number;
  /** Trials with a defined Sharpe. */
  n: number;
  /** Variance (ddof 1) of those trials' per-bar Sharpe ratios. */
  v: number;
}

/** SR0, the expected best per-bar Sharpe of N trials of no skill whose Sharpe ratios vary by V. */
export function expectedMaxSharpe(n: number, v: number): number {
  if (!(n >= 2)) throw badInput(`needs at least 2 trials, got ${n}`, 'deflated Sharpe');
  return Math.sqrt(v) * ((1 - EULER_GAMMA) * normInv(1 - 1 / n) + EULER_GAMMA * normInv(1 - 1 / (n * Math.E)));
}

/** DSR = Φ((SR − SR0)·√(T−1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²)); null where undefined. */
export function deflatedSharpe(x: DsrInput): { dsr: number | null; sr0: number | null } {
  if (!(x.n >= 2) || !(x.t >= 2) || !Number.isFinite(x.sr) || !(x.v >= 0)) return { dsr: null, sr0: null };
  const sr0 = expectedMaxSharpe(x.n, x.v);
  const denom = 1 - x.skew * x.sr + ((x.kurt - 1) / 4) * x.sr * x.sr;
  if (!(denom > 0)) return { dsr: null, sr0 };
  return { dsr: normCdf(((x.sr - sr0) * Math.sqrt(x.t - 1)) / Math.sqrt(denom)), sr0 };
}

/** Per-bar simple returns of an equity curve. */
export function barReturns(equity: ArrayLike<number>): Float64Array {
  const r = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) r[i - 1] = equity[i]! / equity[i - 1]! - 1;
  return r;
}

/** SR, T, skewness and kurtosis of the selected trial's per-bar returns. */
export function returnShape(equity: ArrayLike<number>): Pick<DsrInput, 'sr' | 't' | 'skew' | 'kurt'> | undefined {
  const r = barReturns(equity);
  if (r.length < 2) return undefined;
  const m = moments(r, 'best trial returns');
  if (!(m.sd > 0)) return undefined;
  return { sr: m.mean / m.sd, t: m.n, skew: m.skewness, kurt: m.excessKurtosis + 3 };
}

/** The sample variance (ddof 1) of per-bar Sharpe ratios, from annualised ones: SR_bar = SR / √P. */
export function sharpeSpread(annualised: readonly number[], periodsPerYear: number): { n: number; v: number } {
  const bar = annualised.filter((s) => Number.isFinite(s)).map((s) => s / Math.sqrt(periodsPerYear));
  const n = bar.length;
  if (n < 2) return { n, v: NaN };
  const mean = bar.reduce((a, b) => a + b, 0) / n;
  return { n, v: bar.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1) };
}

// ---------- CSCV ----------

/**
 * Returns cut into S blocks as evenly as possible (block b holds returns
 * [⌊b·T/S⌋, ⌊(b+1)·T/S⌋)), each summarised by count, mean and M2 (sum of squared
 * deviations): enough to get the Sharpe of any union of blocks exactly, without keeping
 * the returns. Three numbers per block, in one Float64Array.
 */
export function blockStats(equity: ArrayLike<number>, blocks: number): Float64Array {
  const t = equity.length - 1;
  const out = new Float64Array(3 * blocks);
  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * t) / blocks);
    const to = Math.floor(((b + 1) * t) / blocks);
    const n = to - from;
    // Two passes over the block's returns (computed once): the mean, then squared deviations.
    if (scratch.length < n) scratch = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = equity[from + i + 1]! / equity[from + i]! - 1;
      scratch[i] = r;
      sum += r;
    }
    const mean = n > 0 ? sum / n : 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = scratch[i]! - mean;
      m2 += d * d;
    }
    out[3 * b] = n;
    out[3 * b + 1] = mean;
    out[3 * b + 2] = m2;
  }
  return out;
}

/** Reused between calls: a sweep computes block statistics for thousands of trials. */
let scratch = new Float64Array(0);

/** Sharpe (mean / sd, ddof 1) of the union of the blocks whose bit is set in `mask`; 0 where sd is 0. */
function unionSharpe(stats: Float64Array, mask: number, blocks: number): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let b = 0; b < blocks; b++) {
    if (!(mask & (1 << b))) continue;
    const nb = stats[3 * b]!;
    if (nb === 0) continue;
    const mb = stats[3 * b + 1]!;
    const tot = n + nb;
    const d = mb - mean;
    mean += (d * nb) / tot;
    m2 += stats[3 * b + 2]! + (d * d * n * nb) / tot;
    n = tot;
  }
  if (n < 2) return 0;
  const sd = Math.sqrt(m2 / (n - 1));
  return sd > 0 ? mean / sd : 0;
}

export interface PboResult {
  pbo: number;
  /** Splits evaluated: every choice of S/2 of the S blocks as the training half. */
  combinations: number;
  /** The logit λ of each split, in the order of the bit masks. */
  logits: number[];
}

/**
 * PBO by CSCV. For every way of choosing S/2 of the S blocks as the training half J (the
 * rest, J̄, is the testing half): n* = the trial with the best Sharpe on J (the first on a
 * tie); ω = its rank on J̄ among all trials (1 = worst; ties share their average rank)
 * divided by N + 1; λ = ln(ω / (1 − ω)). PBO = the share of splits with λ ≤ 0.
 */
export function probabilityOfOverfitting(trials: readonly Float64Array[], blocks: number): PboResult {
  if (!(Number.isInteger(blocks) && blocks >= 2 && blocks % 2 === 0 && blocks <= 24)) throw badInput(`S must be an even number from 2 to 24, got ${blocks}`, 'pbo blocks');
  const n = trials.length;
  if (n < 2) throw badInput(`needs at least 2 trials, got ${n}`, 'pbo');
  for (const s of trials) if (s.length !== 3 * blocks) throw badInput(`every trial needs stats for ${blocks} blocks`, 'pbo');
  const full = (1 << blocks) - 1;
  const logits: number[] = [];
  const test = new Float64Array(n);
  for (let mask = 0; mask <= full; mask++) {
    if (popcount(mask) !== blocks / 2) continue;
    let best = -1;
    let bestSr = -Infinity;
    for (let i = 0; i < n; i++) {
      const sr = unionSharpe(trials[i]!, mask, blocks);
      if (sr > bestSr) {
        bestSr = sr;
        best = i;
      }
      test[i] = unionSharpe(trials[i]!, full & ~mask, blocks);
    }
    const v = test[best]!;
    let below = 0;
    let equal = 0;
    for (let i = 0; i < n; i++) {
      if (test[i]! < v) below++;
      else if (test[i] === v) equal++;
    }
    const omega = (below + (equal + 1) / 2) / (n + 1);
    logits.push(Math.log(omega / (1 - omega)));
  }
  return { pbo: logits.filter((l) => l <= 0).length / logits.length, combinations: logits.length, logits };
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
