/**
 * The strategy SDK: everything a strategy module may import. A strategy declares its
 * parameters with their ranges (so optimisation is configuration) and reacts to events;
 * it cannot tell a backtest from paper or live, and never sees a bar before its close.
 *
 *   export default defineStrategy({
 *     id: 'sma-cross', name: 'SMA cross', description: '…',
 *     params: { fast: int(10, 2, 200), slow: int(30, 5, 500) },
 *     validate: (p) => (p.fast < p.slow ? undefined : 'fast must be below slow'),
 *     create(ctx, p) {
 *       const fast = ctx.indicators.sma(p.fast), slow = ctx.indicators.sma(p.slow);
 *       return { onBar() { if (fast.ready && slow.ready && fast.value > slow.value) … } };
 *     },
 *   });
 */
import type { OrderEvent } from '../src/execution/types';
import type { OrderRequest, Side } from '../src/model/order';

export * as sizing from '../src/risk/sizing';
export type { OrderEvent, OrderRequest, Side };

// ---------- parameters ----------

export type ParamSpec =
  | { kind: 'int'; default: number; min: number; max: number; step?: number; label?: string; description?: string }
  | { kind: 'float'; default: number; min: number; max: number; step?: number; label?: string; description?: string }
  | { kind: 'bool'; default: boolean; label?: string; description?: string }
  | { kind: 'choice'; default: string; choices: readonly string[]; label?: string; description?: string };

export type ParamSpecs = Record<string, ParamSpec>;

export type ParamValues<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends { kind: 'bool' } ? boolean : S[K] extends { kind: 'choice' } ? string : number;
};

export const int = (def: number, min: number, max: number, step = 1, description?: string): ParamSpec => ({ kind: 'int', default: def, min, max, step, description });
export const float = (def: number, min: number, max: number, step?: number, description?: string): ParamSpec => ({ kind: 'float', default: def, min, max, step, description });
export const bool = (def: boolean, description?: string): ParamSpec => ({ kind: 'bool', default: def, description });
export const choice = (def: string, choices: readonly string[], description?: string): ParamSpec => ({ kind: 'choice', default: def, choices, description });

// ---------- what a strategy sees ----------

/** The bar that just closed. One object reused for every bar: copy fields if you keep them. */
export interface BarView {
  readonly symbol: string;
  readonly index: number;
  /**
   * Bars are missing right before this one: the feed went stale or reconnected, and the
   * strategy was not fed what came between. Forward only; a backtest's series is what it is.
   */
  readonly gap: boolean;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Bars in columns, oldest first: what a vector() function sees. */
export interface BarColumns {
  readonly length: number;
  readonly ts: ArrayLike<number>;
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
}

/** A streaming indicator the runtime updates on each closed bar before onBar runs. */
export interface IndicatorValue {
  readonly value: number;
  readonly ready: boolean;
}

export type PriceSource = 'open' | 'high' | 'low' | 'close' | 'hl2' | 'hlc3' | 'ohlc4';

export interface Indicators {
  sma(n: number, source?: PriceSource): IndicatorValue;
  ema(n: number, source?: PriceSource): IndicatorValue;
  rsi(n: number): IndicatorValue;
  atr(n: number): IndicatorValue;
  macd(fast?: number, slow?: number, signal?: number): { macd: IndicatorValue; signal: IndicatorValue; histogram: IndicatorValue };
  bollinger(n?: number, k?: number): { lower: IndicatorValue; middle: IndicatorValue; upper: IndicatorValue };
  donchian(n?: number): { upper: IndicatorValue; lower: IndicatorValue; middle: IndicatorValue };
  zscore(n: number, source?: PriceSource): IndicatorValue;
  volatility(n: number): IndicatorValue;
  logReturn(): IndicatorValue;
  /**
   * A column of the strategy's own, computed by `fn` over many bars at once (one value per
   * bar), read one bar at a time like any indicator. In a backtest `fn` runs once over the
   * whole run, and a sweep shares the column between trials that use the same `key`, so the
   * key must name every parameter the column depends on ("zfast(20,2)"). Value t must depend
   * on bars 0..t only: `keel check` re-runs on truncated data and flags a column that looks
   * ahead. Live, the column is recomputed on the bars so far at each bar.
   */
  vector(key: string, fn: (bars: BarColumns) => ArrayLike<number>): IndicatorValue;
  /** The indicator's value `k` bars ago (k = 0 is now); NaN when that far back is not known. */
  history(ind: IndicatorValue, k: number): number;
}

export interface PositionView {
  readonly qty: number;
  readonly avgPrice: number;
  readonly unrealizedPnl: number;
}

/** The result of placing an order: its id, or why risk refused it (also sent as a 'denied' event). */
export type PlaceResult = { ok: true; orderId: string } | { ok: false; check: string; reason: string };

export type StrategyOrder = Omit<OrderRequest, 'symbol' | 'source' | 'owner'> & { symbol?: string };

export interface StrategyContext {
  readonly symbol: string;
  readonly timeframe: string;
  readonly indicators: Indicators;
  /** Time of the last closed bar's close (simulated in backtests). */
  now(): number;
  position(symbol?: string): PositionView;
  cash(): number;
  equity(): number;
  /** Orders this strategy placed that are still working. */
  workingOrders(): readonly { id: string; side: Side; type: string; qty: number; price?: number; stopPrice?: number }[];
  place(order: StrategyOrder): PlaceResult;
  /** Market buy. Give qty, or quoteQty to spend that much cash with fees included. */
  buy(size: { qty: number } | { quoteQty: number }, opts?: Partial<StrategyOrder>): PlaceResult;
  sell(size: { qty: number }, opts?: Partial<StrategyOrder>): PlaceResult;
  /**
   * An entry whose take-profit limit and stop-loss stop go out, sized to what filled, as one
   * OCO pair once it fills (emulated by the engine). Refused where the run has no emulator.
   */
  bracket(entry: StrategyOrder, exits: { takeProfit: number; stopLoss: number }): PlaceResult;
  /** Market order that takes the position to zero; ok with no order when already flat. */
  closePosition(opts?: Partial<StrategyOrder>): PlaceResult | undefined;
  cancel(orderId: string): void;
  cancelAll(): void;
  log(message: string): void;
}

export interface StrategyHandlers {
  onStart?(): void;
  onBar?(bar: BarView): void;
  onOrderEvent?(event: OrderEvent): void;
  onStop?(): void;
  /**
   * A small JSON-safe state to keep across an engine restart (a counter, a level, a flag the
   * indicators cannot rebuild). Called after each bar a running strategy has handled; what it
   * returns is handed to onLoad when the strategy resumes, after its warm-up.
   */
  onSave?(): unknown;
  onLoad?(state: unknown): void;
}

export interface StrategyModule<S extends ParamSpecs = ParamSpecs> {
  id: string;
  name: string;
  description: string;
  params: S;
  /** A message when a combination of parameters makes no sense, else undefined. */
  validate?(params: ParamValues<S>): string | undefined;
  /**
   * Closed bars the strategy needs before it can trade: running forward, the host feeds this
   * many stored bars to its indicators (not to onBar, and no orders) before the first live
   * bar, so it is ready at start. Without it, the host warms up by DEFAULT_WARMUP_BARS.
   */
  warmup?(params: ParamValues<S>): number;
  create(ctx: StrategyContext, params: ParamValues<S>): StrategyHandlers;
}

/** Warm-up bars for a strategy that does not declare its own. */
export const DEFAULT_WARMUP_BARS = 500;

export function defineStrategy<S extends ParamSpecs>(m: StrategyModule<S>): StrategyModule<S> {
  return m;
}
