/**
 * The files research runs write. Numbers at full precision (String(x)), undefined values
 * empty, each file written beside its name and renamed into place. Nothing here depends on
 * the clock or the worker count, so a re-run writes the same bytes.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BacktestResult } from '../backtest/engine';
import type { Metrics } from '../backtest/metrics';
import { writeBacktestReport } from '../backtest/report';
import type { BarSeries } from '../model/bar';
import type { ParamValue } from '../strategy/params';
import type { StrategyModule } from '../../sdk';
import type { SweepAnalysis, SweepResult, SweepSpec } from './sweep';
import { barTime, type WalkForwardResult, type WalkForwardSpec } from './walkforward';
import { FAN_QUANTILES, summariseMc, type McMethodResult, type McTrades } from './montecarlo';

type Cell = ParamValue | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return String(v);
}

export function csvLine(values: readonly Cell[]): string {
  return values.map(cell).join(',');
}

export function writeFileAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomically(path, JSON.stringify(value, null, 2) + '\n');
}

/** A CSV from a header and rows, in one write. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  writeFileAtomically(path, [csvLine(header), ...rows.map(csvLine)].join('\n') + '\n');
}

/** Bars as a CSV in Keel's own layout (timestamp = open time in ms), full precision: read back, the same bars. */
export function writeBarsCsv(path: string, s: BarSeries): void {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < s.length; i++) lines.push(`${s.ts[i]},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}`);
  writeFileAtomically(path, lines.join('\n') + '\n');
}

/** metrics.json's keys in its own order: the columns that follow the parameters. */
export function metricNames(all: readonly (Metrics | undefined)[]): string[] {
  return Object.keys(all.find((m) => m !== undefined) ?? {});
}

export const paramNames = (s: StrategyModule): string[] => Object.keys(s.params);

/** The files of a backtest as `keel backtest --out` writes them (metrics.json, trades.csv, equity.csv, run.json). */
export function writeRunFiles(dir: string, r: BacktestResult, spec: Pick<SweepSpec, 'data' | 'settings'>): string[] {
  writeBacktestReport(dir, r, {
    data: spec.data.path ?? null,
    dataSha256: spec.data.sha256,
    fee: spec.settings.fee,
    slippage: spec.settings.slippage,
    capital: spec.settings.capital,
    periodsPerYear: spec.settings.periodsPerYear,
  });
  return ['metrics.json', 'trades.csv', 'equity.csv', 'run.json'];
}

export const SWEEP_FILES = ['trials.csv', 'summary.json', 'best/metrics.json', 'best/trades.csv', 'best/equity.csv', 'best/run.json'];

/** The summary of a sweep: best, objective, trials, deflated_sharpe and pbo first, then the rest. */
export function sweepSummary(spec: SweepSpec, result: SweepResult, a: SweepAnalysis): Record<string, unknown> {
  const failed = result.trials.filter((t) => t.error);
  return {
    best: result.best?.params ?? null,
    objective: spec.objective,
    trials: result.trials.length,
    deflated_sharpe: a.deflatedSharpe,
    pbo: a.pbo?.pbo ?? null,
    best_trial: result.best?.index ?? null,
    best_objective: result.best?.score ?? null,
    best_metrics: result.best?.metrics ?? null,
    strategy: spec.strategy.id,
    method: spec.method,
    seed: spec.seed,
    min_trades: spec.minTrades,
    eligible: result.trials.filter((t) => t.score !== undefined).length,
    sr0_per_bar: a.sr0,
    pbo_blocks: spec.settings.pboBlocks,
    pbo_splits: a.pbo?.combinations ?? 0,
    periods_per_year: spec.settings.periodsPerYear,
    skipped: { count: result.skipped.count, first: result.skipped.first ?? null },
    failed: failed.map((t) => ({ trial: t.index, params: t.params, error: t.error })),
  };
}

/** trials.csv (parameters, then metrics.json's metrics under the same names), best/ and summary.json. */
export function writeSweepFiles(dir: string, spec: SweepSpec, result: SweepResult, a: SweepAnalysis, extra: Record<string, unknown> = {}): string[] {
  const params = paramNames(spec.strategy);
  const metrics = metricNames(result.trials.map((t) => t.metrics));
  writeCsv(
    join(dir, 'trials.csv'),
    [...params, ...metrics],
    result.trials.map((t) => [...params.map((p) => t.params[p]), ...metrics.map((m) => t.metrics?.[m])]),
  );
  const files = ['trials.csv', 'summary.json'];
  if (a.bestRun) files.push(...writeRunFiles(join(dir, 'best'), a.bestRun, spec).map((f) => `best/${f}`));
  writeJsonFile(join(dir, 'summary.json'), { ...sweepSummary(spec, result, a), ...extra });
  return files;
}

/** windows.csv, oos/ (the stitched test runs, as a backtest's files), summary.json and, when asked, validation/. */
export function writeWalkForwardFiles(dir: string, wf: WalkForwardSpec, r: WalkForwardResult, validation: BacktestResult | undefined, extra: Record<string, unknown> = {}): string[] {
  const spec = wf.sweep;
  const series = spec.data.series;
  const params = paramNames(spec.strategy);
  const metrics = metricNames(r.windows.map((w) => w.test?.metrics));
  writeCsv(
    join(dir, 'windows.csv'),
    ['train_from', 'train_to', 'test_from', 'test_to', ...params, ...metrics],
    r.windows.map((w) => [
      barTime(series, w.trainFrom),
      barTime(series, w.trainTo),
      barTime(series, w.testFrom),
      barTime(series, w.testTo),
      ...params.map((p) => w.params?.[p]),
      ...metrics.map((m) => w.test?.metrics[m]),
    ]),
  );
  const oos: BacktestResult = {
    strategy: spec.strategy.id,
    params: {},
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: r.oos.ts,
    equity: r.oos.equity,
    trades: r.oos.trades,
    metrics: r.oos.metrics,
    notes: [`stitched from the test runs of ${r.windows.length} walk-forward windows; each window's parameters are in windows.csv`],
    fills: 0,
  };
  const files = ['windows.csv', ...writeRunFiles(join(dir, 'oos'), oos, spec).map((f) => `oos/${f}`), 'summary.json'];
  if (validation) files.push(...writeRunFiles(join(dir, 'validation'), validation, spec).map((f) => `validation/${f}`));
  writeJsonFile(join(dir, 'summary.json'), {
    windows: r.windows.length,
    walk_forward_efficiency: r.efficiency,
    oos_metrics: r.oos.metrics,
    chosen: r.windows.map((w) => ({ test_from: barTime(series, w.testFrom), params: w.params ?? null, train_objective: w.trainScore ?? null, trials: w.trials })),
    strategy: spec.strategy.id,
    method: spec.method,
    objective: spec.objective,
    min_trades: spec.minTrades,
    seed: spec.seed,
    train: wf.train,
    test: wf.test,
    anchored: wf.anchored,
    reserve: { fraction: wf.reserve, bars: r.reserve.bars, from: r.reserve.bars > 0 ? barTime(series, r.reserve.from) : null, to: r.reserve.bars > 0 ? barTime(series, r.reserve.to) : null },
    validation: validation ? { params: [...r.windows].reverse().find((w) => w.params)?.params ?? null, metrics: validation.metrics } : null,
    periods_per_year: spec.settings.periodsPerYear,
    ...extra,
  });
  return files;
}

/** paths.csv (method,path,final_return,max_drawdown), fan.csv and summary.json of a Monte Carlo run. */
export function writeMonteCarloFiles(dir: string, t: McTrades, results: readonly McMethodResult[], o: { runs: number; seed: number; confidence: number; drawdown: number }): string[] {
  const rows: (string | number)[][] = [];
  for (const r of results) for (let p = 0; p < r.final.length; p++) rows.push([r.method, p, r.final[p]!, r.maxDrawdown[p]!]);
  writeCsv(join(dir, 'paths.csv'), ['method', 'path', 'final_return', 'max_drawdown'], rows);
  const fan: (string | number)[][] = [];
  for (const r of results) r.steps.forEach((k, j) => fan.push([r.method, k, ...r.fan.map((f) => f[j]!)]));
  writeCsv(join(dir, 'fan.csv'), ['method', 'trades', ...FAN_QUANTILES.map((q) => `p${Math.round(q * 100)}`)], fan);
  writeJsonFile(join(dir, 'summary.json'), {
    trades: t.returns.length,
    runs: o.runs,
    seed: o.seed,
    confidence: o.confidence,
    drawdown: o.drawdown,
    original: { final_return: t.final, max_drawdown: t.maxDrawdown },
    methods: results.map((r) => summariseMc(r, o.confidence, o.drawdown)),
  });
  return ['paths.csv', 'fan.csv', 'summary.json'];
}
