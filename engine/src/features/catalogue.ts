/**
 * Every indicator Keel offers, described as plain data (the UI builds its menu and parameter
 * forms from it; the strategy runtime validates against it), and `computeIndicator` to run
 * any of them over a BarSeries. The hot ones are Keel's own exact implementations
 * (batch.ts / streaming.ts); the long tail comes from `technicalindicators` (long-tail.ts).
 */
import { badInput } from '../core/errors';
import type { BarSeries } from '../model/bar';
import { sourceValue, type IndicatorGroup, type IndicatorKind, type OutputStyle, type PriceSource } from '../model/indicator';
import * as batch from './batch';
import { CANDLESTICKS, detectCandlestick, LONG_TAIL, type Outputs, type Params } from './long-tail';

export type BarField = 'open' | 'high' | 'low' | 'close' | 'volume';

export interface ParamSpec {
  name: string;
  label: string;
  type: 'int' | 'float';
  default: number;
  min: number;
  max: number;
  step: number;
}

export interface OutputSpec {
  name: string;
  label: string;
  /** How a chart draws it; `marker` outputs are 1 where something happened, 0 elsewhere. */
  style: OutputStyle;
}

export interface IndicatorSpec {
  id: string;
  name: string;
  group: IndicatorGroup;
  /** Which pane its outputs are drawn in: overlay on the price chart; pane in its own below it. */
  kind: IndicatorKind;
  inputs: readonly BarField[];
  params: readonly ParamSpec[];
  outputs: readonly OutputSpec[];
  /** keel: exact (TTR-equal), with a streaming twin in streaming.ts; technicalindicators: batch only. */
  source: 'keel' | 'technicalindicators';
  /** The streaming.ts class that computes the same numbers bar by bar, for `keel` indicators. */
  streaming?: string;
  note?: string;
  /** Levels a chart draws as guides in the indicator's pane: where its readings are usually judged (RSI 30 and 70). */
  guides?: readonly number[];
}

const int = (name: string, label: string, def: number, min = 1, max = 1000): ParamSpec => ({ name, label, type: 'int', default: def, min, max, step: 1 });
const float = (name: string, label: string, def: number, min: number, max: number, step: number): ParamSpec => ({ name, label, type: 'float', default: def, min, max, step });
const line = (name: string, label = name): OutputSpec => ({ name, label, style: 'line' });
const value = [line('value', 'value')];
const HLC: BarField[] = ['high', 'low', 'close'];
const HLCV: BarField[] = ['high', 'low', 'close', 'volume'];

const HOT: IndicatorSpec[] = [
  { id: 'sma', name: 'Simple moving average', group: 'trend', kind: 'overlay', inputs: ['close'], params: [int('n', 'Period', 20)], outputs: value, source: 'keel', streaming: 'StreamingSMA' },
  {
    id: 'ema',
    name: 'Exponential moving average',
    group: 'trend',
    kind: 'overlay',
    inputs: ['close'],
    params: [int('n', 'Period', 20)],
    outputs: value,
    source: 'keel',
    streaming: 'StreamingEMA',
    note: 'ratio 2/(n+1), seeded with the SMA of the first n closes (TTR)',
  },
  { id: 'rsi', name: 'Relative strength index', group: 'momentum', kind: 'pane', inputs: ['close'], params: [int('n', 'Period', 14)], outputs: value, source: 'keel', streaming: 'StreamingRSI', note: "Wilder's smoothing", guides: [30, 70] },
  { id: 'atr', name: 'Average true range', group: 'volatility', kind: 'pane', inputs: HLC, params: [int('n', 'Period', 14)], outputs: value, source: 'keel', streaming: 'StreamingATR', note: "Wilder's smoothing" },
  {
    id: 'macd',
    name: 'MACD',
    group: 'momentum',
    kind: 'pane',
    inputs: ['close'],
    params: [int('fast', 'Fast period', 12), int('slow', 'Slow period', 26), int('signal', 'Signal period', 9)],
    outputs: [line('macd', 'MACD'), line('signal', 'Signal'), { name: 'histogram', label: 'Histogram', style: 'histogram' }],
    source: 'keel',
    streaming: 'StreamingMACD',
    note: 'in price units (TTR percent = FALSE)',
    guides: [0],
  },
  {
    id: 'bollinger',
    name: 'Bollinger Bands',
    group: 'volatility',
    kind: 'overlay',
    inputs: ['close'],
    params: [int('n', 'Period', 20), float('k', 'Width (sd)', 2, 0.1, 10, 0.1)],
    outputs: [line('lower', 'Lower'), line('middle', 'Middle'), line('upper', 'Upper')],
    source: 'keel',
    streaming: 'StreamingBollinger',
    note: 'population standard deviation',
  },
  {
    id: 'donchian',
    name: 'Donchian channel',
    group: 'volatility',
    kind: 'overlay',
    inputs: ['high', 'low'],
    params: [int('n', 'Period', 20)],
    outputs: [line('upper', 'Upper'), line('middle', 'Middle'), line('lower', 'Lower')],
    source: 'keel',
    streaming: 'StreamingDonchian',
    note: 'includes the current bar',
  },
  { id: 'zscore', name: 'Rolling z-score', group: 'volatility', kind: 'pane', inputs: ['close'], params: [int('n', 'Period', 20, 2)], outputs: value, source: 'keel', streaming: 'StreamingZScore', note: 'population sd', guides: [-2, 0, 2] },
  {
    id: 'volatility',
    name: 'Rolling volatility',
    group: 'returns',
    kind: 'pane',
    inputs: ['close'],
    params: [int('n', 'Period', 20, 2)],
    outputs: value,
    source: 'keel',
    streaming: 'StreamingVolatility',
    note: 'sample sd of log returns, per bar (not annualised)',
  },
  { id: 'logreturn', name: 'Log return', group: 'returns', kind: 'pane', inputs: ['close'], params: [], outputs: value, source: 'keel', streaming: 'StreamingLogReturn' },
];

const tail = (spec: Omit<IndicatorSpec, 'source'>): IndicatorSpec => ({ ...spec, source: 'technicalindicators' });

const TAIL: IndicatorSpec[] = [
  tail({ id: 'wma', name: 'Weighted moving average', group: 'trend', kind: 'overlay', inputs: ['close'], params: [int('period', 'Period', 9)], outputs: value }),
  tail({ id: 'wema', name: "Wilder's moving average", group: 'trend', kind: 'overlay', inputs: ['close'], params: [int('period', 'Period', 14)], outputs: value }),
  tail({ id: 'stochastic', name: 'Stochastic oscillator', group: 'momentum', kind: 'pane', inputs: HLC, params: [int('period', 'Period', 14), int('signalPeriod', 'Signal period', 3)], outputs: [line('k', '%K'), line('d', '%D')], guides: [20, 80] }),
  tail({
    id: 'stochrsi',
    name: 'Stochastic RSI',
    group: 'momentum',
    kind: 'pane',
    inputs: ['close'],
    params: [int('rsiPeriod', 'RSI period', 14), int('stochasticPeriod', 'Stochastic period', 14), int('kPeriod', '%K period', 3), int('dPeriod', '%D period', 3)],
    outputs: [line('stochRsi', 'StochRSI'), line('k', '%K'), line('d', '%D')],
    guides: [20, 80],
  }),
  tail({ id: 'adx', name: 'Average directional index', group: 'trend', kind: 'pane', inputs: HLC, params: [int('period', 'Period', 14)], outputs: [line('adx', 'ADX'), line('plusDi', '+DI'), line('minusDi', '-DI')] }),
  tail({ id: 'cci', name: 'Commodity channel index', group: 'momentum', kind: 'pane', inputs: HLC, params: [int('period', 'Period', 20)], outputs: value, guides: [-100, 100] }),
  tail({ id: 'williamsr', name: 'Williams %R', group: 'momentum', kind: 'pane', inputs: HLC, params: [int('period', 'Period', 14)], outputs: value, guides: [-80, -20] }),
  tail({ id: 'roc', name: 'Rate of change', group: 'momentum', kind: 'pane', inputs: ['close'], params: [int('period', 'Period', 12)], outputs: value, note: 'percent', guides: [0] }),
  tail({ id: 'trix', name: 'TRIX', group: 'momentum', kind: 'pane', inputs: ['close'], params: [int('period', 'Period', 18)], outputs: value }),
  tail({
    id: 'kst',
    name: 'Know sure thing',
    group: 'momentum',
    kind: 'pane',
    inputs: ['close'],
    params: [
      int('roc1', 'ROC 1', 10),
      int('roc2', 'ROC 2', 15),
      int('roc3', 'ROC 3', 20),
      int('roc4', 'ROC 4', 30),
      int('sma1', 'SMA of ROC 1', 10),
      int('sma2', 'SMA of ROC 2', 10),
      int('sma3', 'SMA of ROC 3', 10),
      int('sma4', 'SMA of ROC 4', 15),
      int('signalPeriod', 'Signal period', 9),
    ],
    outputs: [line('kst', 'KST'), line('signal', 'Signal')],
  }),
  tail({
    id: 'ao',
    name: 'Awesome oscillator',
    group: 'momentum',
    kind: 'pane',
    inputs: ['high', 'low'],
    params: [int('fastPeriod', 'Fast period', 5), int('slowPeriod', 'Slow period', 34)],
    outputs: [{ name: 'value', label: 'value', style: 'histogram' }],
    guides: [0],
  }),
  tail({ id: 'obv', name: 'On-balance volume', group: 'volume', kind: 'pane', inputs: ['close', 'volume'], params: [], outputs: value }),
  tail({ id: 'adl', name: 'Accumulation/distribution line', group: 'volume', kind: 'pane', inputs: HLCV, params: [], outputs: value }),
  tail({ id: 'vwap', name: 'VWAP', group: 'volume', kind: 'overlay', inputs: HLCV, params: [], outputs: value, note: 'cumulative from the first bar of the series (no session reset), typical price (H+L+C)/3' }),
  tail({ id: 'mfi', name: 'Money flow index', group: 'volume', kind: 'pane', inputs: HLCV, params: [int('period', 'Period', 14)], outputs: value, guides: [20, 80] }),
  tail({ id: 'forceindex', name: 'Force index', group: 'volume', kind: 'pane', inputs: ['close', 'volume'], params: [int('period', 'Period', 13)], outputs: value }),
  tail({
    id: 'psar',
    name: 'Parabolic SAR',
    group: 'trend',
    kind: 'overlay',
    inputs: ['high', 'low'],
    params: [float('step', 'Step', 0.02, 0.001, 1, 0.001), float('max', 'Maximum', 0.2, 0.01, 1, 0.01)],
    outputs: [{ name: 'value', label: 'SAR', style: 'dots' }],
  }),
  tail({
    id: 'ichimoku',
    name: 'Ichimoku cloud',
    group: 'trend',
    kind: 'overlay',
    inputs: ['high', 'low'],
    params: [int('conversionPeriod', 'Conversion period', 9), int('basePeriod', 'Base period', 26), int('spanPeriod', 'Span B period', 52), int('displacement', 'Displacement', 26)],
    outputs: [line('conversion', 'Conversion'), line('base', 'Base'), line('spanA', 'Span A'), line('spanB', 'Span B')],
    note: 'spans are given at the bar they are computed on; a chart shifts them forward by `displacement` bars. Defined once max(periods, displacement) bars exist.',
  }),
  tail({
    id: 'keltner',
    name: 'Keltner channels',
    group: 'volatility',
    kind: 'overlay',
    inputs: HLC,
    params: [int('maPeriod', 'EMA period', 20), int('atrPeriod', 'ATR period', 10), float('multiplier', 'ATR multiple', 2, 0.1, 10, 0.1)],
    outputs: [line('upper', 'Upper'), line('middle', 'Middle'), line('lower', 'Lower')],
  }),
  tail({
    id: 'chandelier',
    name: 'Chandelier exit',
    group: 'volatility',
    kind: 'overlay',
    inputs: HLC,
    params: [int('period', 'Period', 22), float('multiplier', 'ATR multiple', 3, 0.1, 10, 0.1)],
    outputs: [line('exitLong', 'Long exit'), line('exitShort', 'Short exit')],
  }),
];

const PATTERNS: IndicatorSpec[] = Object.entries(CANDLESTICKS).map(([key, c]) => ({
  id: `cdl_${key}`,
  name: c.name,
  group: 'pattern',
  kind: 'overlay',
  inputs: ['open', 'high', 'low', 'close'],
  params: [],
  outputs: [{ name: 'signal', label: c.name, style: 'marker' }],
  source: 'technicalindicators',
  note: `looks at the last ${c.bars} bar${c.bars === 1 ? '' : 's'}`,
}));

export const CATALOGUE: readonly IndicatorSpec[] = [...HOT, ...TAIL, ...PATTERNS];

const BY_ID = new Map(CATALOGUE.map((s) => [s.id, s]));

export function findIndicator(id: string): IndicatorSpec | undefined {
  return BY_ID.get(id);
}

const HOT_COMPUTE: Record<string, (s: BarSeries, p: Params) => Outputs> = {
  sma: (s, p) => ({ value: batch.sma(s.close, p.n!) }),
  ema: (s, p) => ({ value: batch.ema(s.close, p.n!) }),
  rsi: (s, p) => ({ value: batch.rsi(s.close, p.n!) }),
  atr: (s, p) => ({ value: batch.atr(s.high, s.low, s.close, p.n!) }),
  macd: (s, p) => ({ ...batch.macd(s.close, p.fast!, p.slow!, p.signal!) }),
  bollinger: (s, p) => ({ ...batch.bollinger(s.close, p.n!, p.k!) }),
  donchian: (s, p) => ({ ...batch.donchian(s.high, s.low, p.n!) }),
  zscore: (s, p) => ({ value: batch.zscore(s.close, p.n!) }),
  volatility: (s, p) => ({ value: batch.rollingVolatility(s.close, p.n!) }),
  logreturn: (s) => ({ value: batch.logReturns(s.close) }),
};

/** Defaults filled in; every given parameter known, in range, and whole where it must be. */
export function resolveParams(spec: IndicatorSpec, given: Readonly<Record<string, number>> = {}): Params {
  const known = new Set(spec.params.map((p) => p.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const expected = spec.params.length ? spec.params.map((p) => p.name).join(', ') : 'none';
      throw badInput(`unknown parameter "${name}" (expected: ${expected})`, `indicator ${spec.id}`);
    }
  }
  const out: Params = {};
  for (const p of spec.params) {
    const v = given[p.name] ?? p.default;
    const where = `indicator ${spec.id}.${p.name}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`must be a finite number, got ${String(v)}`, where);
    if (p.type === 'int' && !Number.isInteger(v)) throw badInput(`must be a whole number, got ${v}`, where);
    if (v < p.min || v > p.max) throw badInput(`must be between ${p.min} and ${p.max}, got ${v}`, where);
    out[p.name] = v;
  }
  return out;
}

/** The indicator reads one price, which may come from another source than the close. */
export const takesSource = (spec: IndicatorSpec): boolean => spec.inputs.length === 1 && spec.inputs[0] === 'close';

/** `series` with its closes replaced by `source`'s values: what a one-price indicator reads. */
export function withSource(series: BarSeries, source: PriceSource): BarSeries {
  if (source === 'close') return series;
  const close = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) close[i] = sourceValue(source, series.open[i]!, series.high[i]!, series.low[i]!, series.close[i]!);
  return { ...series, close };
}

/**
 * Runs indicator `id` over `series`: one Float64Array per declared output, each of
 * series.length, NaN where undefined (warm-up at the front), aligned with the bars. A
 * `source` other than the close is for indicators of one price only (takesSource).
 */
export function computeIndicator(id: string, series: BarSeries, params: Readonly<Record<string, number>> = {}, source?: PriceSource): Outputs {
  const spec = findIndicator(id);
  if (!spec) throw badInput(`unknown indicator "${id}"`, 'indicator');
  const p = resolveParams(spec, params);
  if (source !== undefined && source !== 'close') {
    if (!takesSource(spec)) throw badInput(`${spec.name} reads ${spec.inputs.join(', ')}; only an indicator of one price takes a source`, `indicator ${spec.id}.source`);
    series = withSource(series, source);
  }
  if (spec.group === 'pattern') {
    const c = CANDLESTICKS[id.slice('cdl_'.length)]!;
    return { signal: detectCandlestick(series, c.bars, c.detect) };
  }
  const compute = HOT_COMPUTE[id] ?? LONG_TAIL[id];
  if (!compute) throw badInput(`indicator "${id}" has no implementation`, 'indicator');
  return compute(series, p);
}
