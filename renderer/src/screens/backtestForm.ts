import type { BacktestRequest, DatasetInfo, ParamSpecDto, StrategyInfo } from '../../../engine/protocol';

export type ParamValue = number | boolean | string;

export function defaultParams(s: StrategyInfo | undefined): Record<string, ParamValue> {
  return Object.fromEntries((s?.params ?? []).map((p) => [p.name, p.default]));
}

/** "int 5 … 50 step 5", the range a param accepts, shown beside its field. */
export function rangeHint(p: ParamSpecDto): string {
  if (p.kind === 'bool') return 'on / off';
  if (p.kind === 'choice') return (p.choices ?? []).join(' / ');
  const parts: string[] = [p.kind];
  if (p.min !== undefined || p.max !== undefined) parts.push(`${p.min ?? '−∞'} … ${p.max ?? '∞'}`);
  if (p.step !== undefined) parts.push(`step ${p.step}`);
  return parts.join(' ');
}

/** A param's typed value checked against its spec; an error names the param and its range. */
export function checkParam(p: ParamSpecDto, raw: ParamValue): { value: ParamValue } | { error: string } {
  if (p.kind === 'bool') return { value: Boolean(raw) };
  if (p.kind === 'choice') {
    const v = String(raw);
    return p.choices && !p.choices.includes(v) ? { error: `${p.name} must be one of ${p.choices.join(', ')}` } : { value: v };
  }
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim() === '' ? NaN : raw);
  if (!Number.isFinite(n)) return { error: `${p.name} must be a number` };
  if (p.kind === 'int' && !Number.isInteger(n)) return { error: `${p.name} must be a whole number` };
  if (p.min !== undefined && n < p.min) return { error: `${p.name} must be ≥ ${p.min}` };
  if (p.max !== undefined && n > p.max) return { error: `${p.name} must be ≤ ${p.max}` };
  return { value: n };
}

/** Every param of `strat` typed and checked; problems are added to `errors`. */
export function checkParams(strat: StrategyInfo | undefined, values: Record<string, ParamValue>, errors: string[]): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const p of strat?.params ?? []) {
    const r = checkParam(p, values[p.name] ?? p.default);
    if ('error' in r) errors.push(r.error);
    else params[p.name] = r.value;
  }
  return params;
}

export interface BacktestFormState {
  strategy: string;
  dataset: string; // "SYMBOL|timeframe"
  from: string; // yyyy-mm-dd, '' = from the start
  to: string;
  capital: string;
  feePct: string;
  slippagePct: string;
  params: Record<string, ParamValue>;
}

export const datasetKey = (d: Pick<DatasetInfo, 'symbol' | 'timeframe'>): string => `${d.symbol}|${d.timeframe}`;

const dayMs = (s: string): number | undefined => (s ? Date.parse(`${s}T00:00:00Z`) : undefined);

/** The request the form describes, or the list of what is wrong with it. */
export function buildBacktestRequest(f: BacktestFormState, strategies: StrategyInfo[]): { request: BacktestRequest } | { errors: string[] } {
  const errors: string[] = [];
  const strat = strategies.find((s) => s.id === f.strategy);
  if (!strat) errors.push('Pick a strategy');
  const [symbol, timeframe] = f.dataset.split('|');
  if (!symbol || !timeframe) errors.push('Pick a dataset');
  const capital = Number(f.capital);
  if (!(capital > 0)) errors.push('Capital must be a positive number');
  const fee = Number(f.feePct);
  if (!(fee >= 0) || fee >= 100) errors.push('Fee must be a percent between 0 and 100');
  const slippage = Number(f.slippagePct);
  if (!(slippage >= 0) || slippage >= 100) errors.push('Slippage must be a percent between 0 and 100');
  const from = dayMs(f.from);
  // "to" is inclusive of that whole day
  const toStart = dayMs(f.to);
  const to = toStart === undefined ? undefined : toStart + 86_400_000 - 1;
  if (from !== undefined && to !== undefined && from > to) errors.push('From must be before To');
  const params = checkParams(strat, f.params, errors);
  if (errors.length) return { errors };
  const request: BacktestRequest = { strategy: strat!.id, params, symbol: symbol!, timeframe: timeframe!, capital, fee: fee / 100, slippage: slippage / 100 };
  if (from !== undefined) request.from = from;
  if (to !== undefined) request.to = to;
  return { request };
}
