/**
 * Backtest metrics from the equity curve and the closed trades. Formulas (docs/backtesting.md):
 * per-bar simple returns r_t = E_t/E_{t-1} − 1; Sharpe = mean(r)/sd(r, ddof 1)·√P;
 * Sortino = mean(r)/√mean(min(r,0)²)·√P; P = periods per year. A value that is not defined
 * (no trades, zero variance, a single bar) is null, never 0 or Infinity.
 */
import type { PeriodReturn, PeriodReturns } from '../model/backtest-run';
import type { RoundTrip } from './round-trips';

export type Metrics = Record<string, number | null>;

const YEAR_MS = 365 * 86_400_000;

export interface MetricsInput {
  ts: Float64Array;
  equity: Float64Array;
  length: number;
  trades: readonly RoundTrip[];
  feesPaid: number;
  /** Bars at whose close a position was open. */
  barsInMarket: number;
  initialCapital: number;
  /** Overrides the default of bars per year on a 24/7 calendar. */
  periodsPerYear?: number;
  /** The bars' closes: the buy-and-hold benchmark is measured on them. */
  closes?: Float64Array;
  /** The benchmark already measured on `closes` (benchmarkOf with this length and capital). */
  benchmark?: Benchmark;
}

/** Buy and hold's value at a close: the capital put in at the first close, no fees. */
const held = (capital: number, first: number, close: number): number => (first > 0 ? (capital * close) / first : NaN);

/**
 * Buy and hold: the run's capital put into the instrument at the first bar's close and held,
 * no fees, valued at every close. What a strategy has to beat to be worth running.
 */
export function buyAndHold(closes: ArrayLike<number>, length: number, capital: number): Float64Array {
  const out = new Float64Array(length);
  const first = closes[0]!;
  for (let i = 0; i < length; i++) out[i] = held(capital, first, closes[i]!);
  return out;
}

/** What the metrics say of buy and hold: its total return and its deepest drawdown. */
export interface Benchmark {
  ret: number;
  maxDrawdown: number;
}

/**
 * Buy and hold's return and deepest drawdown over closes [0, length), the same numbers as
 * measured on buyAndHold's curve, without making the curve: every run on the same bars and
 * capital has the same benchmark, so a sweep measures it once (see runBacktest).
 */
export function benchmarkOf(closes: ArrayLike<number>, length: number, capital: number): Benchmark | undefined {
  if (length === 0) return undefined;
  const first = closes[0]!;
  let peak = -Infinity;
  let mdd = 0;
  for (let i = 0; i < length; i++) {
    const v = held(capital, first, closes[i]!);
    if (v > peak) peak = v;
    else if (peak > 0) mdd = Math.max(mdd, 1 - v / peak);
  }
  return { ret: held(capital, first, closes[length - 1]!) / held(capital, first, first) - 1, maxDrawdown: mdd };
}

/**
 * Returns per calendar month and year (UTC): each period's last equity against the one
 * before it (the first period against the first bar's), as fractions, oldest first.
 */
export function periodReturns(ts: ArrayLike<number>, equity: ArrayLike<number>, length: number): PeriodReturns {
  const by = (key: (d: Date) => string): PeriodReturn[] => {
    const out: PeriodReturn[] = [];
    if (length === 0) return out;
    let base = equity[0]!;
    let current = key(new Date(ts[0]!));
    for (let i = 1; i <= length; i++) {
      const k = i < length ? key(new Date(ts[i]!)) : undefined;
      if (k === current) continue;
      const end = equity[i - 1]!;
      out.push({ period: current, ret: base !== 0 ? end / base - 1 : 0 });
      base = end;
      current = k!;
    }
    return out;
  };
  return {
    monthly: by((d) => d.toISOString().slice(0, 7)),
    yearly: by((d) => d.toISOString().slice(0, 4)),
  };
}

/** Median spacing of timestamps, in O(n): bar files have few distinct spacings, so count them. */
export function medianSpacing(ts: Float64Array, length: number): number {
  const m = length - 1;
  if (m < 1) return NaN;
  const counts = new Map<number, number>();
  let run = ts[1]! - ts[0]!;
  let runLen = 0;
  for (let i = 1; i < length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d === run) {
      runLen++;
    } else {
      counts.set(run, (counts.get(run) ?? 0) + runLen);
      run = d;
      runLen = 1;
    }
  }
  counts.set(run, (counts.get(run) ?? 0) + runLen);
  const spacings = [...counts.keys()].sort((a, b) => a - b);
  const at = (k: number): number => {
    let seen = 0;
    for (const s of spacings) {
      seen += counts.get(s)!;
      if (seen > k) return s;
    }
    return NaN;
  };
  return m % 2 === 1 ? at((m - 1) / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
}

/** Bars per year on a 24/7 calendar from the median spacing: 365·86400000 / median. */
export function defaultPeriodsPerYear(ts: Float64Array, length: number): number {
  const med = medianSpacing(ts, length);
  return med > 0 ? YEAR_MS / med : NaN;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The per-bar returns between computeMetrics' two passes, kept from call to call (a sweep
 * makes thousands), up to a size not worth holding on to after a long run.
 */
let returnsScratch = new Float64Array(0);
const SCRATCH_MAX = 1 << 20;

function returnsArray(n: number): Float64Array {
  if (returnsScratch.length >= n) return returnsScratch;
  const a = new Float64Array(n);
  if (n <= SCRATCH_MAX) returnsScratch = a;
  return a;
}

/*
 * The loops over every bar live in small functions of their own: V8 optimises them whole and
 * keeps them so, where the same loops inside computeMetrics ran unoptimised (boxing a number
 * per bar) in a sweep calling it once per trial.
 */

/**
 * One pass over the equity curve: the per-bar returns (kept for the variance pass) and their
 * sum; the deepest drawdown against the running peak, and the longest peak-to-recovery stretch.
 */
function curvePass(e: Float64Array, ts: Float64Array, n: number) {
  const returns = returnsArray(n);
  const first = n > 0 ? e[0]! : NaN;
  let sum = 0;
  let peak = first;
  let peakIdx = 0;
  let mdd = 0;
  let inDD = false;
  let longestBars = 0;
  let longestMs = 0;
  let prev = first;
  for (let i = 0; i < n; i++) {
    const v = e[i]!;
    if (i > 0) {
      const r = v / prev - 1;
      returns[i] = r;
      sum += r;
    }
    prev = v;
    if (v >= peak) {
      if (inDD) {
        longestBars = Math.max(longestBars, i - peakIdx);
        longestMs = Math.max(longestMs, ts[i]! - ts[peakIdx]!);
        inDD = false;
      }
      peak = v;
      peakIdx = i;
    } else {
      inDD = true;
      const dd = 1 - v / peak;
      if (dd > mdd) mdd = dd;
    }
  }
  if (inDD) {
    longestBars = Math.max(longestBars, n - 1 - peakIdx);
    longestMs = Math.max(longestMs, ts[n - 1]! - ts[peakIdx]!);
  }
  return { sum, mdd, longestBars, longestMs, returns };
}

/** The second pass (an accurate variance): squared deviations from the mean, and squared losses. */
function deviations(returns: Float64Array, n: number, mean: number) {
  let ss = 0;
  let down = 0;
  for (let i = 1; i < n; i++) {
    const r = returns[i]!;
    ss += (r - mean) * (r - mean);
    if (r < 0) down += r * r;
  }
  return { ss, down };
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { ts, equity: e, length: n, trades } = input;
  const P = input.periodsPerYear ?? defaultPeriodsPerYear(ts, n);
  const first = n > 0 ? e[0]! : NaN;
  const last = n > 0 ? e[n - 1]! : NaN;

  const m = n - 1;
  const { sum, mdd, longestBars, longestMs, returns } = curvePass(e, ts, n);
  const mean = m > 0 ? sum / m : NaN;
  const { ss, down } = deviations(returns, n, mean);
  const sd = m > 1 ? Math.sqrt(ss / (m - 1)) : NaN;
  const downDev = m > 0 ? Math.sqrt(down / m) : NaN;
  const sharpe = sd > 0 ? (mean / sd) * Math.sqrt(P) : NaN;
  const sortino = downDev > 0 ? (mean / downDev) * Math.sqrt(P) : NaN;

  const years = n > 1 ? (ts[n - 1]! - ts[0]!) / YEAR_MS : NaN;
  const growth = last / first;
  const cagr = years > 0 && growth > 0 ? Math.pow(growth, 1 / years) - 1 : NaN;

  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let sumPnl = 0;
  let sumRet = 0;
  let losses = 0;
  let best = -Infinity;
  let worst = Infinity;
  for (const t of trades) {
    sumPnl += t.pnl;
    sumRet += t.returnPct;
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
    }
    if (t.pnl > best) best = t.pnl;
    if (t.pnl < worst) worst = t.pnl;
  }
  const k = trades.length;

  const bench = input.benchmark ?? (input.closes ? benchmarkOf(input.closes, n, input.initialCapital) : undefined);

  return {
    total_return: finite(growth - 1),
    benchmark_return: bench ? finite(bench.ret) : null,
    excess_return: bench ? finite(growth - 1 - bench.ret) : null,
    benchmark_max_drawdown: bench ? bench.maxDrawdown : null,
    final_equity: finite(last),
    initial_capital: input.initialCapital,
    cagr: finite(cagr),
    max_drawdown: n > 0 ? mdd : null,
    sharpe: finite(sharpe),
    sortino: finite(sortino),
    calmar: mdd > 0 ? finite(cagr / mdd) : null,
    trades: k,
    win_rate: k > 0 ? wins / k : null,
    profit_factor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: k > 0 ? sumRet / k : null,
    avg_trade: k > 0 ? sumPnl / k : null,
    avg_win: wins > 0 ? grossProfit / wins : null,
    avg_loss: losses > 0 ? -grossLoss / losses : null,
    best_trade: k > 0 ? best : null,
    worst_trade: k > 0 ? worst : null,
    exposure: n > 0 ? input.barsInMarket / n : null,
    fees_paid: input.feesPaid,
    longest_drawdown_bars: n > 0 ? longestBars : null,
    longest_drawdown_ms: n > 0 ? longestMs : null,
    bars: n,
    periods_per_year: finite(P),
    start: n > 0 ? ts[0]! : null,
    end: n > 0 ? ts[n - 1]! : null,
  };
}
