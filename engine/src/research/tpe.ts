/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NIPS 2011), the sampler behind hyperopt and Optuna.
 *
 * After a few uniform draws, the trials seen so far are split by objective into the best
 * fraction γ ("good") and the rest. Per parameter, a Parzen density is fitted to the good
 * values, l(x), and one to the rest, g(x); candidates are drawn from l and the one with the
 * largest l(x)/g(x) (the expected-improvement criterion of the paper) is tried next.
 * Parameters are treated independently, as in the paper.
 *
 * Numbers live on [0, 1] (lo..hi scaled): each good value is a normal kernel truncated to
 * [0, 1], with a prior kernel N(0.5, 1), and a bandwidth of the larger gap to its sorted
 * neighbours, clipped to [1/min(100, n+1), 1] (hyperopt's adaptive Parzen). A stepped
 * parameter is drawn on the continuum and rounded to its grid. Choices and booleans use
 * counts with one prior observation spread over the options.
 *
 * Proposals come in batches of a fixed size, each fitted on every trial before the batch,
 * so a seeded run proposes the same points however many workers evaluate them.
 */
import { Rng } from '../risk/analytics/random';
import { normCdf } from '../risk/analytics/normal';
import { drawPoint, gridValues, paramsKey, validPoint, type Dimension, type ParamSpace, type Params, type Skipped } from './space';

export const TPE_BATCH = 8;
const CANDIDATES = 24;
const GAMMA = 0.25;

export interface Observation {
  params: Params;
  /** The objective; undefined where the trial did not qualify (ranked below every scored one). */
  score: number | undefined;
}

interface Kernel {
  mu: number;
  sigma: number;
}

function kernels(values: readonly number[]): Kernel[] {
  const pts = [...values.map((mu) => ({ mu, prior: false })), { mu: 0.5, prior: true }].sort((a, b) => a.mu - b.mu);
  const minSigma = 1 / Math.min(100, values.length + 1);
  return pts.map(({ mu, prior }, i) => {
    if (prior) return { mu, sigma: 1 };
    const left = i > 0 ? mu - pts[i - 1]!.mu : mu;
    const right = i < pts.length - 1 ? pts[i + 1]!.mu - mu : 1 - mu;
    return { mu, sigma: Math.min(1, Math.max(minSigma, left, right)) };
  });
}

function density(ks: readonly Kernel[], u: number): number {
  let s = 0;
  for (const k of ks) {
    const z = (u - k.mu) / k.sigma;
    const mass = normCdf((1 - k.mu) / k.sigma) - normCdf(-k.mu / k.sigma);
    s += Math.exp(-0.5 * z * z) / (k.sigma * Math.sqrt(2 * Math.PI) * mass);
  }
  return s / ks.length;
}

function drawFrom(ks: readonly Kernel[], rng: Rng): number {
  const k = ks[rng.nextInt(ks.length)]!;
  for (let i = 0; i < 100; i++) {
    const u = k.mu + k.sigma * rng.nextNormal();
    if (u >= 0 && u <= 1) return u;
  }
  return Math.min(1, Math.max(0, k.mu));
}

const toUnit = (d: Extract<Dimension, { lo: number }>, x: number): number => (d.hi === d.lo ? 0.5 : (x - d.lo) / (d.hi - d.lo));

function fromUnit(d: Extract<Dimension, { lo: number }>, u: number): number {
  const x = d.lo + u * (d.hi - d.lo);
  if (d.step === undefined) return d.kind === 'int' ? Math.round(x) : x;
  const grid = gridValues(d)!;
  const k = Math.min(grid.length - 1, Math.max(0, Math.round((x - d.lo) / d.step)));
  return grid[k] as number;
}

/** The log density ratio log l(x) − log g(x) of one parameter, and a sampler from l. */
interface Model {
  draw(rng: Rng): Params[string];
  score(x: Params[string]): number;
}

function numericModel(d: Extract<Dimension, { lo: number }>, good: number[], bad: number[]): Model {
  const l = kernels(good.map((x) => toUnit(d, x)));
  const g = kernels(bad.map((x) => toUnit(d, x)));
  return {
    draw: (rng) => fromUnit(d, drawFrom(l, rng)),
    score: (x) => {
      const u = toUnit(d, x as number);
      return Math.log(density(l, u)) - Math.log(density(g, u));
    },
  };
}

function categoricalModel(options: readonly Params[string][], good: Params[string][], bad: Params[string][]): Model {
  const weights = (vals: Params[string][]) => options.map((o) => (vals.filter((v) => v === o).length + 1 / options.length) / (vals.length + 1));
  const l = weights(good);
  const g = weights(bad);
  return {
    draw: (rng) => {
      let u = rng.nextFloat();
      for (let i = 0; i < options.length; i++) {
        u -= l[i]!;
        if (u < 0) return options[i]!;
      }
      return options[options.length - 1]!;
    },
    score: (x) => {
      const i = options.indexOf(x);
      return Math.log(l[i]!) - Math.log(g[i]!);
    },
  };
}

/** Best first; unscored last; ties keep trial order (the sort is stable). */
function ranked(history: readonly Observation[]): Observation[] {
  return [...history].sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity));
}

/** Trials of uniform draws before the model takes over. */
export function startupTrials(space: ParamSpace): number {
  return Math.max(10, 2 * space.dims.length);
}

/**
 * The next `count` points to try, given everything tried so far, under `seed` and the batch
 * number (so each batch has its own stream). Points already tried are not proposed again;
 * points the strategy refuses are skipped and counted.
 */
export function proposeTpe(space: ParamSpace, history: readonly Observation[], count: number, seed: number, batch: number, skipped: Skipped, seen: Set<string>): Params[] {
  const rng = new Rng((seed ^ Math.imul(batch + 1, 0x9e3779b1)) | 0);
  const out: Params[] = [];
  const take = (p: Params | undefined): boolean => {
    if (!p) return false;
    const key = paramsKey(space.strategy, p);
    if (seen.has(key)) return false;
    seen.add(key);
    out.push(p);
    return true;
  };
  if (history.length < startupTrials(space)) {
    for (let attempt = 0; out.length < count && attempt < 50 * count; attempt++) take(validPoint(space, drawPoint(space, rng), skipped));
    return out;
  }
  const sorted = ranked(history);
  const nGood = Math.max(1, Math.ceil(GAMMA * sorted.filter((o) => o.score !== undefined).length));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  const models = space.dims.map((d): Model => {
    const gv = good.map((o) => o.params[d.name]!);
    const bv = bad.map((o) => o.params[d.name]!);
    if (d.kind === 'bool') return categoricalModel([false, true], gv, bv);
    if (d.kind === 'choice') return categoricalModel(d.choices, gv, bv);
    return numericModel(d, gv as number[], bv as number[]);
  });
  for (let attempt = 0; out.length < count && attempt < 10 * count; attempt++) {
    const candidates: { point: Params; score: number }[] = [];
    for (let c = 0; c < CANDIDATES; c++) {
      const point: Params = {};
      let score = 0;
      space.dims.forEach((d, i) => {
        const x = models[i]!.draw(rng);
        point[d.name] = x;
        score += models[i]!.score(x);
      });
      candidates.push({ point, score });
    }
    candidates.sort((a, b) => b.score - a.score);
    let placed = false;
    for (const c of candidates) {
      if (take(validPoint(space, c.point, skipped))) {
        placed = true;
        break;
      }
    }
    // Every candidate tried already or refused: a uniform draw keeps the batch full.
    if (!placed) take(validPoint(space, drawPoint(space, rng), skipped));
  }
  return out;
}
