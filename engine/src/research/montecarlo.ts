/**
 * Monte Carlo over a run's trades. A trade's return is its pnl over the equity when it was
 * entered (the equity at the close of the bar before its entry bar: the last equity known
 * when its order went in); a path compounds the returns of a resampled sequence of trades:
 *
 * - shuffle: the trades in a random order (Fisher–Yates). A product does not depend on the
 *   order, so every shuffle ends at the run's own final return (to rounding); what changes
 *   is the path, and so the drawdown;
 * - bootstrap: as many trades drawn with replacement, so the final return varies too.
 *
 * Each method draws from its own seeded stream (xoshiro128**, seeded with S for shuffle and
 * S + 1 for bootstrap), so the same seed gives the same paths, bit for bit. Quantiles are
 * R's type 7 (linear between order statistics).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError, badInput } from '../core/errors';
import { Rng } from '../risk/analytics/random';

export const MC_METHODS = ['shuffle', 'bootstrap'] as const;
export type McMethod = (typeof MC_METHODS)[number];

export interface McTrades {
  /** pnl / equity at entry, in trade order. */
  returns: Float64Array;
  /** The run's own final return and max drawdown of the trade-by-trade path. */
  final: number;
  maxDrawdown: number;
}

export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function readCsv(path: string, want: readonly string[]): { cols: Record<string, number>; rows: string[][] } {
  if (!existsSync(path)) throw new KeelError('NOT_FOUND', `no ${want.join(', ')} file here (a run folder holds trades.csv and equity.csv, as \`keel backtest --out\` writes them)`, { where: path });
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '');
  const cols: Record<string, number> = {};
  for (const w of want) {
    const i = header.indexOf(w);
    if (i < 0) throw new KeelError('BAD_FILE', `has no "${w}" column (header: ${header.join(',')})`, { where: path });
    cols[w] = i;
  }
  return { cols, rows: lines.slice(1).map(splitCsvLine) };
}

function num(path: string, line: number, text: string | undefined, what: string): number {
  const x = text === undefined || text === '' ? NaN : Number(text);
  if (!Number.isFinite(x)) throw new KeelError('BAD_FILE', `${what} is not a number: "${text}"`, { where: `${path}:${line}` });
  return x;
}

/** Per-trade returns from a run folder's trades.csv and equity.csv. */
export function readRunTrades(dir: string): McTrades {
  const eqPath = join(dir, 'equity.csv');
  const trPath = join(dir, 'trades.csv');
  const eq = readCsv(eqPath, ['timestamp', 'equity']);
  const ts = eq.rows.map((r, i) => num(eqPath, i + 2, r[eq.cols.timestamp!], 'timestamp'));
  const equity = eq.rows.map((r, i) => num(eqPath, i + 2, r[eq.cols.equity!], 'equity'));
  if (equity.length === 0) throw new KeelError('BAD_FILE', 'has no rows', { where: eqPath });
  const index = new Map(ts.map((t, i) => [t, i]));
  const tr = readCsv(trPath, ['entry_time', 'pnl']);
  const returns = new Float64Array(tr.rows.length);
  tr.rows.forEach((r, i) => {
    const entry = num(trPath, i + 2, r[tr.cols.entry_time!], 'entry_time');
    const pnl = num(trPath, i + 2, r[tr.cols.pnl!], 'pnl');
    const bar = index.get(entry);
    if (bar === undefined) throw new KeelError('BAD_FILE', `entry_time ${entry} is not a bar of equity.csv`, { where: `${trPath}:${i + 2}` });
    const before = equity[Math.max(0, bar - 1)]!;
    if (!(before > 0)) throw new KeelError('BAD_FILE', `equity before the trade is ${before}, so its return is undefined`, { where: `${trPath}:${i + 2}` });
    returns[i] = pnl / before;
  });
  const own = pathStats(returns, identity(returns.length));
  return { returns, final: own.final, maxDrawdown: own.maxDrawdown };
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** The trade counts at which the fan is drawn: every one up to 200 trades, else 201 evenly spread. */
export function fanSteps(trades: number): Int32Array {
  if (trades <= 200) return identity(trades + 1);
  const out = new Int32Array(201);
  for (let j = 0; j <= 200; j++) out[j] = Math.round((j * trades) / 200);
  return out;
}

/**
 * Final return and max drawdown of the path compounding returns[order[0]], returns[order[1]], ...;
 * with `curve`, the path's equity (start 1) after steps[j] trades goes to curve[j].
 */
function pathStats(returns: Float64Array, order: Int32Array, curve?: Float64Array, steps?: Int32Array): { final: number; maxDrawdown: number } {
  let e = 1;
  let peak = 1;
  let mdd = 0;
  let j = 0;
  if (curve && steps![0] === 0) curve[j++] = 1;
  for (let i = 0; i < order.length; i++) {
    e *= 1 + returns[order[i]!]!;
    if (e > peak) peak = e;
    const dd = 1 - e / peak;
    if (dd > mdd) mdd = dd;
    if (curve && steps![j] === i + 1) curve[j++] = e;
  }
  return { final: e - 1, maxDrawdown: mdd };
}

/** R's quantile type 7 of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export const FAN_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

export interface McMethodResult {
  method: McMethod;
  final: Float64Array;
  maxDrawdown: Float64Array;
  /** The trade counts of the fan's points (fanSteps). */
  steps: Int32Array;
  /** At each step: the FAN_QUANTILES of the paths' equity (start = 1), one array per quantile. */
  fan: Float64Array[];
}

export interface McOptions {
  runs: number;
  seed: number;
  methods: readonly McMethod[];
}

export function monteCarlo(t: McTrades, o: McOptions): McMethodResult[] {
  if (!(Number.isInteger(o.runs) && o.runs >= 1 && o.runs <= 1_000_000)) throw badInput(`must be a whole number from 1 to 1000000, got ${o.runs}`, '--runs');
  if (!Number.isInteger(o.seed)) throw badInput(`must be a whole number, got ${o.seed}`, '--seed');
  const n = t.returns.length;
  if (n === 0) throw badInput('the run has no closed trades to resample', '--run');
  return o.methods.map((method) => {
    const rng = new Rng(method === 'shuffle' ? o.seed : o.seed + 1);
    const final = new Float64Array(o.runs);
    const mdd = new Float64Array(o.runs);
    const steps = fanSteps(n);
    const m = steps.length;
    const curves = new Float64Array(o.runs * m);
    const order = identity(n);
    for (let p = 0; p < o.runs; p++) {
      if (method === 'shuffle') {
        for (let i = n - 1; i > 0; i--) {
          const j = rng.nextInt(i + 1);
          const x = order[i]!;
          order[i] = order[j]!;
          order[j] = x;
        }
      } else {
        for (let i = 0; i < n; i++) order[i] = rng.nextInt(n);
      }
      const s = pathStats(t.returns, order, curves.subarray(p * m, (p + 1) * m), steps);
      final[p] = s.final;
      mdd[p] = s.maxDrawdown;
    }
    const fan = FAN_QUANTILES.map(() => new Float64Array(m));
    const column = new Float64Array(o.runs);
    for (let k = 0; k < m; k++) {
      for (let p = 0; p < o.runs; p++) column[p] = curves[p * m + k]!;
      column.sort();
      FAN_QUANTILES.forEach((q, i) => (fan[i]![k] = quantileSorted(column, q)));
    }
    return { method, final, maxDrawdown: mdd, steps, fan };
  });
}

export interface McSummary {
  method: McMethod;
  runs: number;
  final_return: { lower: number; median: number; upper: number; mean: number };
  max_drawdown: { lower: number; median: number; upper: number; mean: number };
  /** P(max drawdown ≥ the named level). */
  prob_drawdown: number;
}

/** Confidence intervals (central, at `confidence`) and the probability of a drawdown of at least `drawdown`. */
export function summariseMc(r: McMethodResult, confidence: number, drawdown: number): McSummary {
  const ci = (x: Float64Array) => {
    const s = Float64Array.from(x).sort();
    const a = (1 - confidence) / 2;
    return { lower: quantileSorted(s, a), median: quantileSorted(s, 0.5), upper: quantileSorted(s, 1 - a), mean: s.reduce((u, v) => u + v, 0) / s.length };
  };
  return {
    method: r.method,
    runs: r.final.length,
    final_return: ci(r.final),
    max_drawdown: ci(r.maxDrawdown),
    prob_drawdown: r.maxDrawdown.filter((d) => d >= drawdown).length / r.maxDrawdown.length,
  };
}
