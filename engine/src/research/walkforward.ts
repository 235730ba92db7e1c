/**
 * Walk-forward analysis. The bars before the out-of-sample reserve are cut into windows:
 * train on N bars, test on the M bars after them, step M. Rolling windows keep N bars of
 * training; anchored ones train from the first bar. Each window's parameters are chosen by
 * a sweep over its training bars alone, then run as a plain backtest over its test bars
 * alone (a fresh account and fresh indicators, as `keel backtest` on those bars), so no
 * choice ever sees a bar at or after its test window begins, and nothing at all reads the
 * reserve unless a final validation run is asked for.
 *
 * The test runs are stitched into one out-of-sample curve: each starts where the previous
 * ended (its equity, trades' pnl, fees and sizes scaled by the previous end over the
 * capital), so the curve is what one account would have made switching parameters at each
 * window. Walk-forward efficiency (Pardo) = the out-of-sample annualised log return over the
 * mean annualised log return of the chosen trials on their training bars.
 */
import { runBacktest, type BacktestResult } from '../backtest/engine';
import { computeMetrics, type Metrics } from '../backtest/metrics';
import type { RoundTrip } from '../backtest/round-trips';
import { KeelError, badInput } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { BarSeries } from '../model/bar';
import { seriesView } from './pool';
import type { Params } from './space';
import { runSweep, type SweepProgress, type SweepResult, type SweepSpec, type TrialExecutor } from './sweep';

export interface WindowRange {
  trainFrom: number;
  trainTo: number;
  testFrom: number;
  testTo: number;
}

/** Windows over bars [0, usable): train N, test M, step M; anchored trains from 0. Only whole test windows. */
export function walkForwardWindows(usable: number, train: number, test: number, anchored: boolean): WindowRange[] {
  if (!(Number.isInteger(train) && train >= 2)) throw badInput(`must be a whole number of bars >= 2, got ${train}`, '--train');
  if (!(Number.isInteger(test) && test >= 1)) throw badInput(`must be a whole number of bars >= 1, got ${test}`, '--test');
  const out: WindowRange[] = [];
  for (let k = 0; train + (k + 1) * test <= usable; k++) {
    const testFrom = train + k * test;
    out.push({ trainFrom: anchored ? 0 : k * test, trainTo: testFrom, testFrom, testTo: testFrom + test });
  }
  if (out.length === 0) throw badInput(`${usable} bars before the reserve hold no window of ${train} training + ${test} test bars`, '--train');
  return out;
}

/** Bars kept back at the end: ⌊n × reserve⌋. */
export function reserveBars(n: number, reserve: number): number {
  if (!(reserve >= 0 && reserve < 1)) throw badInput(`must be a fraction in [0, 1), got ${reserve}`, '--reserve');
  return Math.floor(n * reserve);
}

export interface WindowResult extends WindowRange {
  /** The chosen parameters; undefined when no trial qualified (the test window then stays flat). */
  params: Params | undefined;
  /** The chosen trial's objective and metrics on its training bars. */
  trainScore: number | undefined;
  trainMetrics: Metrics | undefined;
  test: BacktestResult | undefined;
  trials: number;
}

export interface WalkForwardResult {
  windows: WindowResult[];
  /** Stitched out-of-sample equity, one point per test bar. */
  oos: { ts: Float64Array; equity: Float64Array; trades: RoundTrip[]; metrics: Metrics };
  efficiency: number | null;
  reserve: { from: number; to: number; bars: number };
}

export interface WalkForwardSpec {
  /** The sweep over the whole data; each window narrows its bars. */
  sweep: SweepSpec;
  train: number;
  test: number;
  anchored: boolean;
  reserve: number;
}

const YEAR_MS = 365 * 86_400_000;

/** ln(E_end / E_start) per year over the bars the curve covers. */
function annualLogReturn(equity: ArrayLike<number>, ts: ArrayLike<number>, tfMs: number): number | undefined {
  const n = equity.length;
  if (n < 1 || !(equity[0]! > 0) || !(equity[n - 1]! > 0)) return undefined;
  const years = (ts[n - 1]! - ts[0]! + tfMs) / YEAR_MS;
  return years > 0 ? Math.log(equity[n - 1]! / equity[0]!) / years : undefined;
}

/** The spec of a sweep over bars [from, to) of the data. */
export function sliceSpec(spec: SweepSpec, from: number, to: number): SweepSpec {
  const d = spec.data;
  return { ...spec, data: { ...d, series: seriesView(d.series, from, to), id: `${d.sha256}:${d.from + from}:${d.from + to}`, from: d.from + from, to: d.from + to } };
}

export async function runWalkForward(
  wf: WalkForwardSpec,
  exec: TrialExecutor,
  opts: { onProgress?: (p: SweepProgress) => void; signal?: AbortSignal; concurrency?: number } = {},
): Promise<WalkForwardResult> {
  const spec = wf.sweep;
  const series = spec.data.series;
  const n = series.length;
  const kept = reserveBars(n, wf.reserve);
  const windows = walkForwardWindows(n - kept, wf.train, wf.test, wf.anchored);
  const s = spec.settings;
  const tfMs = timeframeMs(series.timeframe);

  // Progress over every window's trials: a grid's count is known; random and TPE run spec.trials each.
  const perWindow = new Map<number, SweepProgress>();
  const report = () => {
    let done = 0;
    let total = 0;
    for (const p of perWindow.values()) {
      done += p.done;
      total += p.total;
    }
    opts.onProgress?.({ done, total: Math.max(total, done) });
  };

  const results: WindowResult[] = new Array(windows.length);
  const runWindow = async (w: WindowRange, i: number): Promise<void> => {
    const train = sliceSpec(spec, w.trainFrom, w.trainTo);
    let sweep: SweepResult;
    try {
      sweep = await runSweep(train, exec, { signal: opts.signal, onProgress: (p) => (perWindow.set(i, p), report()) });
    } finally {
      await exec.release?.(train);
    }
    const best = sweep.best;
    const test = best
      ? await runBacktest({ series: seriesView(series, w.testFrom, w.testTo), strategy: spec.strategy, params: best.params, capital: s.capital, fee: s.fee, slippage: s.slippage, periodsPerYear: s.periodsPerYear })
      : undefined;
    results[i] = { ...w, params: best?.params, trainScore: best?.score, trainMetrics: best?.metrics, test, trials: sweep.trials.length };
  };
  const limit = Math.max(1, opts.concurrency ?? 2);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, windows.length) }, async () => {
      while (next < windows.length) {
        const i = next++;
        if (opts.signal?.aborted) throw new KeelError('CANCELLED', `cancelled after ${i} of ${windows.length} windows`, { where: 'walkforward' });
        await runWindow(windows[i]!, i);
      }
    }),
  );

  // Stitch: window k's curve is scaled so it starts where window k−1 ended.
  const testBars = windows.reduce((a, w) => a + (w.testTo - w.testFrom), 0);
  const ts = new Float64Array(testBars);
  const equity = new Float64Array(testBars);
  const trades: RoundTrip[] = [];
  let fees = 0;
  let inMarket = 0;
  let level = s.capital;
  let at = 0;
  for (const r of results) {
    const scale = level / s.capital;
    for (let t = r.testFrom; t < r.testTo; t++) {
      ts[at] = series.ts[t]!;
      equity[at] = r.test ? r.test.equity[t - r.testFrom]! * scale : level;
      at++;
    }
    if (r.test) {
      for (const tr of r.test.trades) trades.push({ ...tr, qty: tr.qty * scale, pnl: tr.pnl * scale, fees: tr.fees * scale });
      fees += (r.test.metrics.fees_paid ?? 0) * scale;
      inMarket += Math.round((r.test.metrics.exposure ?? 0) * (r.testTo - r.testFrom));
      level = equity[at - 1]!;
    }
  }
  const metrics = computeMetrics({ ts, equity, length: testBars, trades, feesPaid: fees, barsInMarket: inMarket, initialCapital: s.capital, periodsPerYear: s.periodsPerYear });
  const oosRate = annualLogReturn(equity, ts, tfMs);
  const trainRates = results
    .filter((r) => r.trainMetrics)
    .map((r) => {
      const m = r.trainMetrics!;
      const years = (m.end! - m.start! + tfMs) / YEAR_MS;
      return m.final_equity! > 0 && years > 0 ? Math.log(m.final_equity! / m.initial_capital!) / years : undefined;
    })
    .filter((x): x is number => x !== undefined);
  const meanTrain = trainRates.length ? trainRates.reduce((a, b) => a + b, 0) / trainRates.length : undefined;
  const efficiency = oosRate !== undefined && meanTrain !== undefined && meanTrain !== 0 ? oosRate / meanTrain : null;
  return { windows: results, oos: { ts, equity, trades, metrics }, efficiency, reserve: { from: n - kept, to: n, bars: kept } };
}

/** Open time of bar i, or the end of the last bar when i is one past the end: ranges are [from, to). */
export function barTime(series: BarSeries, i: number): number {
  return i < series.length ? series.ts[i]! : series.ts[series.length - 1]! + timeframeMs(series.timeframe);
}

/** The reserve, run once with the last window's parameters: only when the user asks. */
export async function validateOnReserve(wf: WalkForwardSpec, result: WalkForwardResult): Promise<BacktestResult | undefined> {
  const last = [...result.windows].reverse().find((w) => w.params);
  if (!last || result.reserve.bars < 2) return undefined;
  const s = wf.sweep.settings;
  return runBacktest({
    series: seriesView(wf.sweep.data.series, result.reserve.from, result.reserve.to),
    strategy: wf.sweep.strategy,
    params: last.params!,
    capital: s.capital,
    fee: s.fee,
    slippage: s.slippage,
    periodsPerYear: s.periodsPerYear,
  });
}
