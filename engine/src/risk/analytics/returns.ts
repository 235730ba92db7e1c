import { badInput } from '../../core/errors';
import type { Numbers } from './moments';

export type ReturnKind = 'simple' | 'log';

/**
 * Returns of one instrument (or of an equity curve). Return i covers the interval
 * (from[i], ts[i]]: from the price observed at from[i] to the price observed at ts[i].
 * Keeping both ends makes missing data explicit: two series are aligned only on returns
 * over the same interval, so a gap in one never pairs a two-bar move with a one-bar move.
 */
export interface ReturnSeries {
  symbol: string;
  kind: ReturnKind;
  from: Float64Array;
  ts: Float64Array;
  r: Float64Array;
}

/** A price history: anything with a timestamp and a close column (BarSeries qualifies). */
export interface PriceHistory {
  symbol: string;
  ts: Numbers;
  close: Numbers;
}

/**
 * Close-to-close returns of consecutive observations. Simple: p_t / p_{t−1} − 1.
 * Log: ln(p_t / p_{t−1}). Prices must be finite and > 0 and timestamps strictly increasing;
 * anything else is a data error we refuse rather than guess around.
 */
export function returnsFromPrices(h: PriceHistory, kind: ReturnKind = 'simple'): ReturnSeries {
  const n = h.close.length;
  if (h.ts.length !== n) throw badInput(`ts has ${h.ts.length} values but close has ${n}`, h.symbol);
  for (let i = 0; i < n; i++) {
    const p = h.close[i]!;
    if (!(Number.isFinite(p) && p > 0)) throw badInput(`price #${i} is ${p}; prices (and equity) must be finite and > 0`, h.symbol);
    if (!Number.isFinite(h.ts[i]!)) throw badInput(`timestamp #${i} is ${h.ts[i]}`, h.symbol);
    if (i > 0 && !(h.ts[i]! > h.ts[i - 1]!)) {
      throw badInput(`timestamps must be strictly increasing: #${i} (${h.ts[i]}) follows ${h.ts[i - 1]}`, h.symbol);
    }
  }
  const m = Math.max(0, n - 1);
  const out: ReturnSeries = { symbol: h.symbol, kind, from: new Float64Array(m), ts: new Float64Array(m), r: new Float64Array(m) };
  for (let i = 1; i < n; i++) {
    const rel = h.close[i]! / h.close[i - 1]!;
    out.from[i - 1] = h.ts[i - 1]!;
    out.ts[i - 1] = h.ts[i]!;
    out.r[i - 1] = kind === 'simple' ? rel - 1 : Math.log(rel);
  }
  return out;
}

/** Simple returns as log returns or back, interval by interval. */
export function convertReturns(s: ReturnSeries, kind: ReturnKind): ReturnSeries {
  if (s.kind === kind) return s;
  const r = s.r.map(kind === 'log' ? (x) => Math.log1p(x) : (x) => Math.expm1(x));
  return { ...s, kind, r };
}

/** Returns of several series over the intervals that all of them cover, in time order. */
export interface AlignedReturns {
  symbols: string[];
  from: Float64Array;
  ts: Float64Array;
  /** columns[j][t]: return of series j over interval t. */
  columns: Float64Array[];
  /** How many returns of each series had no partner in every other series, and were left out. */
  dropped: number[];
}

/**
 * Intersection on intervals (same from and same ts in every series). This is complete-case
 * alignment: its covariance matrix is always positive semi-definite, which Cholesky needs.
 */
export function alignReturns(series: readonly ReturnSeries[]): AlignedReturns {
  if (series.length === 0) throw badInput('no return series given', 'alignReturns');
  const idx = series.map(() => 0);
  const keepTs: number[] = [];
  const keepFrom: number[] = [];
  const rows: number[][] = series.map(() => []);
  const s0 = series[0]!;
  for (let i = 0; i < s0.ts.length; i++) {
    const t = s0.ts[i]!;
    const f = s0.from[i]!;
    let all = true;
    for (let j = 1; j < series.length; j++) {
      const s = series[j]!;
      let k = idx[j]!;
      while (k < s.ts.length && s.ts[k]! < t) k++;
      idx[j] = k;
      if (k >= s.ts.length || s.ts[k] !== t || s.from[k] !== f) all = false;
    }
    if (!all) continue;
    keepTs.push(t);
    keepFrom.push(f);
    rows[0]!.push(s0.r[i]!);
    for (let j = 1; j < series.length; j++) rows[j]!.push(series[j]!.r[idx[j]!]!);
  }
  return {
    symbols: series.map((s) => s.symbol),
    from: Float64Array.from(keepFrom),
    ts: Float64Array.from(keepTs),
    columns: rows.map((r) => Float64Array.from(r)),
    dropped: series.map((s) => s.ts.length - keepTs.length),
  };
}

/**
 * Compounded returns over `h` consecutive intervals, overlapping windows ending at each
 * interval from the h-th on: R_t = Π_{j=t−h+1..t} (1 + r_j) − 1. For h = 1 the input is
 * returned as is. Works on simple returns: simple returns compound, log returns add.
 */
export function horizonReturns(r: Numbers, h: number): Float64Array {
  if (!Number.isInteger(h) || h < 1) throw badInput(`horizon must be a whole number of bars >= 1, got ${h}`, 'horizon');
  if (h === 1) return Float64Array.from(r as ArrayLike<number>);
  const m = Math.max(0, r.length - h + 1);
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let g = 1;
    for (let j = t; j < t + h; j++) g *= 1 + r[j]!;
    out[t] = g - 1;
  }
  return out;
}

/**
 * Return of a portfolio that holds fixed fractions `weights` of its capital in each asset
 * over every interval (rebalanced to the same weights at each step; any rest is cash at 0%):
 * r_p = Σ_j w_j r_j. Needs simple returns: log returns do not add across assets.
 */
export function portfolioReturns(columns: readonly Float64Array[], weights: readonly number[]): Float64Array {
  if (columns.length !== weights.length) throw badInput(`${weights.length} weights for ${columns.length} assets`, 'weights');
  const n = columns[0]?.length ?? 0;
  const out = new Float64Array(n);
  for (let j = 0; j < columns.length; j++) {
    const w = weights[j]!;
    const c = columns[j]!;
    for (let t = 0; t < n; t++) out[t] += w * c[t]!;
  }
  return out;
}

export interface Exposure {
  symbol: string;
  /** Signed market value in account currency; a short position is negative. */
  value: number;
}

/**
 * The capital that return fractions are measured against: the given figure, or else the gross
 * exposure Σ|value_j|, so that the weights of a fully invested long book add up to 1.
 */
export function capitalBase(exposures: readonly Exposure[], capital?: number): number {
  for (const e of exposures) {
    if (!Number.isFinite(e.value)) throw badInput(`position value is ${e.value}`, e.symbol);
  }
  const base = capital ?? exposures.reduce((s, e) => s + Math.abs(e.value), 0);
  if (!(Number.isFinite(base) && base > 0)) throw badInput(`capital must be a finite number > 0, got ${base}`, 'capital');
  return base;
}

/** Weights w_j = value_j / capital (see capitalBase). */
export function weightsFromExposures(exposures: readonly Exposure[], capital?: number): number[] {
  const base = capitalBase(exposures, capital);
  return exposures.map((e) => e.value / base);
}

/**
 * The portfolio's own return series from current positions and each symbol's price history:
 * simple returns of every held symbol over the intervals all of them cover, weighted by
 * value / capital (see portfolioReturns, capitalBase). Asked for as 'log', each portfolio
 * return r_p is then given as ln(1 + r_p); the weighting itself is always on simple returns.
 */
export function portfolioReturnSeries(
  positions: readonly Exposure[],
  histories: readonly PriceHistory[],
  opts: { capital?: number; kind?: ReturnKind } = {},
): ReturnSeries {
  const series = positions.map((p) => {
    const h = histories.find((x) => x.symbol === p.symbol);
    if (!h) throw badInput('a position has no price history', p.symbol);
    return returnsFromPrices(h, 'simple');
  });
  const aligned = alignReturns(series);
  const r = portfolioReturns(aligned.columns, weightsFromExposures(positions, opts.capital));
  return convertReturns({ symbol: 'portfolio', kind: 'simple', from: aligned.from, ts: aligned.ts, r }, opts.kind ?? 'simple');
}
