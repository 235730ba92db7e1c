import type { OptimizeRequest, ParamSpecDto, ResearchMethod, ResearchObjective, StrategyInfo, WalkForwardRequest } from '../../../../engine/protocol';
import { buildBacktestRequest, type BacktestFormState, type ParamValue } from '../backtestForm';

/** A parameter in a sweep: searched over lo..hi by step, or held at a value. */
export interface ParamSetting {
  search: boolean;
  lo: string;
  hi: string;
  step: string;
  value: ParamValue;
}

export interface SweepFormState extends Omit<BacktestFormState, 'params'> {
  settings: Record<string, ParamSetting>;
  method: ResearchMethod;
  trials: string;
  seed: string;
  objective: ResearchObjective;
  minTrades: string;
}

export interface WalkForwardFormState extends SweepFormState {
  train: string;
  test: string;
  anchored: boolean;
  reservePct: string;
  validate: boolean;
}

export const OBJECTIVES: { key: ResearchObjective; label: string }[] = [
  { key: 'sharpe', label: 'Sharpe' },
  { key: 'sortino', label: 'Sortino' },
  { key: 'calmar', label: 'Calmar' },
  { key: 'total_return', label: 'Total return' },
  { key: 'profit_factor', label: 'Profit factor' },
];

export const METHODS: { key: ResearchMethod; label: string }[] = [
  { key: 'grid', label: 'Grid (every point)' },
  { key: 'random', label: 'Random (seeded)' },
  { key: 'tpe', label: 'TPE (Bayesian)' },
];

const round = (x: number, step: number | undefined) => (step ? Math.round(x / step) * step : Number(x.toPrecision(6)));

/**
 * A first search range for a parameter: half to twice its default, within its declared range,
 * in about ten steps (whole steps of its own), so a first grid runs in seconds. Numbers only;
 * booleans and choices start held at their default.
 */
export function defaultSetting(p: ParamSpecDto): ParamSetting {
  if (p.kind !== 'int' && p.kind !== 'float') return { search: false, lo: '', hi: '', step: '', value: p.default };
  const d = p.default as number;
  const lo = Math.max(p.min ?? -Infinity, round(d / 2, p.step));
  const hi = Math.min(p.max ?? Infinity, round(d * 2 || 1, p.step));
  const unit = p.step ?? (p.kind === 'int' ? 1 : undefined);
  const step = unit ? Math.max(unit, Math.ceil((hi - lo) / 10 / unit) * unit) : Number(((hi - lo) / 10).toPrecision(3));
  return { search: hi > lo, lo: String(lo), hi: String(hi), step: String(step), value: d };
}

export function defaultSettings(s: StrategyInfo | undefined): Record<string, ParamSetting> {
  return Object.fromEntries((s?.params ?? []).map((p) => [p.name, defaultSetting(p)]));
}

/** The request the Optimise form describes, or what is wrong with it. */
export function buildOptimizeRequest(f: SweepFormState, strategies: StrategyInfo[]): { request: OptimizeRequest } | { errors: string[] } {
  const strat = strategies.find((s) => s.id === f.strategy);
  // The shared fields (dataset, dates, costs) are checked as the backtest form checks them;
  // the parameters are checked below, as ranges.
  const base = buildBacktestRequest({ ...f, params: {} }, strategies);
  const errors = 'errors' in base ? [...base.errors] : [];
  const ranges: OptimizeRequest['ranges'] = {};
  const fixed: Record<string, ParamValue> = {};
  for (const p of strat?.params ?? []) {
    const s = f.settings[p.name] ?? defaultSetting(p);
    if (!s.search) {
      fixed[p.name] = p.kind === 'int' || p.kind === 'float' ? Number(s.value) : s.value;
      continue;
    }
    const [lo, hi, step] = [s.lo, s.hi, s.step].map((x) => (x.trim() === '' ? NaN : Number(x)));
    if (!Number.isFinite(lo!) || !Number.isFinite(hi!)) errors.push(`${p.name}: from and to must be numbers`);
    else if (lo! > hi!) errors.push(`${p.name}: from must not be above to`);
    else if ((p.min !== undefined && lo! < p.min) || (p.max !== undefined && hi! > p.max)) errors.push(`${p.name}: must stay within ${p.min} … ${p.max}`);
    if (s.step.trim() !== '' && !(step! > 0)) errors.push(`${p.name}: step must be positive`);
    ranges[p.name] = s.step.trim() === '' ? { lo: lo!, hi: hi! } : { lo: lo!, hi: hi!, step: step! };
  }
  const trials = Number(f.trials);
  if (f.method !== 'grid' && !(Number.isInteger(trials) && trials >= 1)) errors.push('Trials must be a whole number ≥ 1');
  const seed = Number(f.seed);
  if (!(Number.isInteger(seed) && seed >= 0)) errors.push('Seed must be a whole number ≥ 0');
  const minTrades = Number(f.minTrades);
  if (!(Number.isInteger(minTrades) && minTrades >= 0)) errors.push('Minimum trades must be a whole number ≥ 0');
  if (errors.length || !('request' in base)) return { errors };
  const { strategy, symbol, timeframe, from, to, capital, fee, slippage } = base.request;
  const request: OptimizeRequest = { strategy, symbol, timeframe, capital, fee, slippage, ranges, fixed, method: f.method, seed, objective: f.objective, minTrades };
  if (from !== undefined) request.from = from;
  if (to !== undefined) request.to = to;
  if (f.method !== 'grid') request.trials = trials;
  return { request };
}

export function buildWalkForwardRequest(f: WalkForwardFormState, strategies: StrategyInfo[]): { request: WalkForwardRequest } | { errors: string[] } {
  const built = buildOptimizeRequest(f, strategies);
  const errors = 'errors' in built ? [...built.errors] : [];
  const train = Number(f.train);
  const test = Number(f.test);
  const reserve = Number(f.reservePct) / 100;
  if (!(Number.isInteger(train) && train >= 2)) errors.push('Train must be a whole number of bars ≥ 2');
  if (!(Number.isInteger(test) && test >= 1)) errors.push('Test must be a whole number of bars ≥ 1');
  if (!(reserve >= 0 && reserve < 1)) errors.push('Reserve must be a percent from 0 to below 100');
  if (errors.length || !('request' in built)) return { errors };
  return { request: { ...built.request, train, test, anchored: f.anchored, reserve, validate: f.validate } };
}
