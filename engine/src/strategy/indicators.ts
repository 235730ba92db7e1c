/**
 * The indicators a strategy reads through ctx.indicators. A strategy asks for them in
 * create(); the runtime feeds every closed bar to all of them before onBar, and keeps each
 * output's recent values so ctx.indicators.history() can look back without the strategy
 * keeping its own buffers. Same request, same object: sma(20) twice is one SMA.
 *
 * Two things let a sweep share work between trials without a second backtest loop:
 * an IndicatorSource hands in outputs computed once for the whole run's series (by this
 * same code, so the values are the same bit for bit), and vector() lets a strategy compute
 * a column of its own in one pass over the bars (the look-ahead check in research/ guards it).
 */
import { badInput } from '../core/errors';
import { GrowableF64 } from '../data/growable';
import {
  StreamingATR,
  StreamingBollinger,
  StreamingDonchian,
  StreamingEMA,
  StreamingLogReturn,
  StreamingMACD,
  StreamingRSI,
  StreamingSMA,
  StreamingVolatility,
  StreamingZScore,
} from '../features/streaming';
import type { BarColumns, BarView, IndicatorValue, Indicators, PriceSource } from '../../sdk';

/** How far back history() can look. A power of two: the ring index is a mask. */
export const HISTORY_DEPTH = 1024;
const MASK = HISTORY_DEPTH - 1;

/**
 * One indicator output: its current value and a ring of its last HISTORY_DEPTH values; or,
 * bound to values precomputed for every bar of the run, the next of those on each bar.
 */
export class TrackedValue implements IndicatorValue {
  value = NaN;
  ready = false;
  private readonly ring = new Float64Array(HISTORY_DEPTH);
  private pos = 0;
  private count = 0;
  private values: Float64Array | undefined;

  set(v: number): void {
    this.value = v;
    this.ready = v === v;
    this.ring[this.pos] = v;
    this.pos = (this.pos + 1) & MASK;
    this.count++;
  }

  /** From now on each bar takes the next of `values` (bar i's value at index i). */
  bind(values: Float64Array): void {
    this.values = values;
  }

  /** The next precomputed value (bound values only). */
  next(): void {
    const v = this.values![this.count++]!;
    this.value = v;
    this.ready = v === v;
  }

  back(k: number): number {
    if (!Number.isInteger(k) || k < 0) throw badInput(`history offset must be a whole number >= 0, got ${k}`, 'indicators.history');
    if (k >= HISTORY_DEPTH) throw badInput(`history keeps the last ${HISTORY_DEPTH} values; ${k} bars back is not kept`, 'indicators.history');
    if (k >= this.count) return NaN;
    return this.values !== undefined ? this.values[this.count - 1 - k]! : this.ring[(this.pos - 1 - k) & MASK]!;
  }
}

/** The outputs of an indicator's view, in a fixed order (the view's own key order). */
export function outputsOf(view: unknown): TrackedValue[] {
  return view instanceof TrackedValue ? [view] : (Object.values(view as object) as TrackedValue[]);
}

/**
 * Indicator outputs computed beforehand for every bar of one series (a sweep computes them
 * once and hands them to each trial). `outputs(key)` is one array per output of the
 * indicator, in outputsOf order, or undefined for an indicator it does not hold.
 */
export interface IndicatorSource {
  /** The series the outputs were computed on; a backtest refuses a source made for another. */
  readonly series: BarColumns;
  outputs(key: string): readonly Float64Array[] | undefined;
}

const SOURCES: Record<PriceSource, number> = { open: 0, high: 1, low: 2, close: 3, hl2: 4, hlc3: 5, ohlc4: 6 };

function price(b: BarView, src: number): number {
  switch (src) {
    case 0:
      return b.open;
    case 1:
      return b.high;
    case 2:
      return b.low;
    case 3:
      return b.close;
    case 4:
      return (b.high + b.low) / 2;
    case 5:
      return (b.high + b.low + b.close) / 3;
    default:
      return (b.open + b.high + b.low + b.close) / 4;
  }
}

interface Feed {
  update(bar: BarView): void;
}

/** Indicators of one input series (a price of the bar). */
class PriceFeed implements Feed {
  constructor(
    private readonly ind: { update(x: number): number },
    private readonly src: number,
    readonly out: TrackedValue,
  ) {}
  update(bar: BarView): void {
    this.out.set(this.ind.update(price(bar, this.src)));
  }
}

class AtrFeed implements Feed {
  readonly out = new TrackedValue();
  constructor(private readonly ind: StreamingATR) {}
  update(bar: BarView): void {
    this.out.set(this.ind.update(bar.high, bar.low, bar.close));
  }
}

class MacdFeed implements Feed {
  readonly macd = new TrackedValue();
  readonly signal = new TrackedValue();
  readonly histogram = new TrackedValue();
  constructor(private readonly ind: StreamingMACD) {}
  update(bar: BarView): void {
    this.ind.update(bar.close);
    this.macd.set(this.ind.macd);
    this.signal.set(this.ind.signal);
    this.histogram.set(this.ind.histogram);
  }
}

class BollingerFeed implements Feed {
  readonly lower = new TrackedValue();
  readonly middle = new TrackedValue();
  readonly upper = new TrackedValue();
  constructor(private readonly ind: StreamingBollinger) {}
  update(bar: BarView): void {
    this.ind.update(bar.close);
    this.lower.set(this.ind.lower);
    this.middle.set(this.ind.middle);
    this.upper.set(this.ind.upper);
  }
}

class DonchianFeed implements Feed {
  readonly upper = new TrackedValue();
  readonly lower = new TrackedValue();
  readonly middle = new TrackedValue();
  constructor(private readonly ind: StreamingDonchian) {}
  update(bar: BarView): void {
    this.ind.update(bar.high, bar.low);
    this.upper.set(this.ind.upper);
    this.lower.set(this.ind.lower);
    this.middle.set(this.ind.middle);
  }
}

function vectorValues(key: string, out: ArrayLike<number>, bars: number): Float64Array {
  if (!out || typeof out.length !== 'number' || out.length !== bars) {
    throw badInput(`vector ${key} must return one value per bar: got ${out?.length ?? typeof out} values for ${bars} bars`, 'indicators.vector');
  }
  return out instanceof Float64Array ? out : Float64Array.from(out);
}

/** A strategy's column over the whole run's bars, computed once, revealed one bar at a time. */
class WholeVectorFeed implements Feed {
  private values: Float64Array | undefined;
  private n = 0;
  constructor(
    private readonly key: string,
    private readonly fn: (bars: BarColumns) => ArrayLike<number>,
    private readonly bars: BarColumns,
    readonly out: TrackedValue,
  ) {}
  update(): void {
    this.values ??= vectorValues(this.key, this.fn(this.bars), this.bars.length);
    this.out.set(this.values[this.n++]!);
  }
}

/** Without the run's bars up front (live): the column is recomputed on the bars so far at each bar. */
class GrowingVectorFeed implements Feed {
  private readonly cols = { ts: new GrowableF64(), open: new GrowableF64(), high: new GrowableF64(), low: new GrowableF64(), close: new GrowableF64(), volume: new GrowableF64() };
  constructor(
    private readonly key: string,
    private readonly fn: (bars: BarColumns) => ArrayLike<number>,
    readonly out: TrackedValue,
  ) {}
  update(bar: BarView): void {
    const c = this.cols;
    c.ts.push(bar.ts);
    c.open.push(bar.open);
    c.high.push(bar.high);
    c.low.push(bar.low);
    c.close.push(bar.close);
    c.volume.push(bar.volume);
    const n = c.ts.length;
    const values = vectorValues(this.key, this.fn({ length: n, ts: c.ts.view(), open: c.open.view(), high: c.high.view(), low: c.low.view(), close: c.close.view(), volume: c.volume.view() }), n);
    this.out.set(values[n - 1]!);
  }
}

export interface IndicatorSetOptions {
  /** Outputs computed beforehand for the run's series (a sweep's shared indicators). */
  source?: IndicatorSource;
  /** The run's bars, known up front in a backtest: vector() columns are computed once over them. */
  bars?: BarColumns;
  /** Compute only the indicators whose key passes (a sweep splits its shared indicators between threads). */
  only?: (key: string) => boolean;
}

export class IndicatorSet implements Indicators {
  private readonly feeds: Feed[] = [];
  private readonly bound: TrackedValue[] = [];
  private readonly cache = new Map<string, unknown>();
  private sealed = false;

  constructor(private readonly opts: IndicatorSetOptions = {}) {}

  /** After create(): an indicator made later would start behind the others. */
  seal(): void {
    this.sealed = true;
  }

  update(bar: BarView): void {
    const feeds = this.feeds;
    for (let i = 0; i < feeds.length; i++) feeds[i]!.update(bar);
    // Outputs bound to shared values: one array read each, in one monomorphic loop.
    const bound = this.bound;
    for (let i = 0; i < bound.length; i++) bound[i]!.next();
  }

  /** Every output of every indicator asked for has a value: a warm-up was long enough. */
  allReady(): boolean {
    for (const v of this.cache.values()) {
      const outs = v instanceof TrackedValue ? [v] : Object.values(v as Record<string, TrackedValue>);
      if (!outs.every((o) => o.ready)) return false;
    }
    return true;
  }

  private register<T>(key: string, make: () => { feed: Feed; view: T }): T {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as T;
    if (this.sealed) throw badInput(`indicator ${key} requested after create(); ask for indicators in create()`, 'strategy indicators');
    const { feed, view } = make();
    const given = this.opts.source?.outputs(key);
    if (this.opts.only && !this.opts.only(key)) {
      // left out: its view stays NaN and is never updated
    } else if (given) {
      const outs = outputsOf(view);
      if (given.length !== outs.length) throw badInput(`the shared outputs of ${key} are ${given.length} arrays for ${outs.length} outputs`, 'strategy indicators');
      outs.forEach((o, i) => {
        o.bind(given[i]!);
        this.bound.push(o);
      });
    } else {
      this.feeds.push(feed);
    }
    this.cache.set(key, view);
    return view;
  }

  /** Every indicator asked for so far, by key, with its outputs (for a sweep's shared cache). */
  entries(): [key: string, outputs: TrackedValue[]][] {
    return [...this.cache.entries()].map(([k, v]) => [k, outputsOf(v)]);
  }

  private priced(key: string, source: PriceSource, make: () => { update(x: number): number }): IndicatorValue {
    const src = SOURCES[source];
    if (src === undefined) throw badInput(`unknown price source "${source}" (use ${Object.keys(SOURCES).join(', ')})`, `indicators.${key}`);
    return this.register(`${key}:${source}`, () => {
      const feed = new PriceFeed(make(), src, new TrackedValue());
      return { feed, view: feed.out };
    });
  }

  sma(n: number, source: PriceSource = 'close'): IndicatorValue {
    return this.priced(`sma(${n})`, source, () => new StreamingSMA(n));
  }

  ema(n: number, source: PriceSource = 'close'): IndicatorValue {
    return this.priced(`ema(${n})`, source, () => new StreamingEMA(n));
  }

  zscore(n: number, source: PriceSource = 'close'): IndicatorValue {
    return this.priced(`zscore(${n})`, source, () => new StreamingZScore(n));
  }

  rsi(n: number): IndicatorValue {
    return this.priced(`rsi(${n})`, 'close', () => new StreamingRSI(n));
  }

  volatility(n: number): IndicatorValue {
    return this.priced(`volatility(${n})`, 'close', () => new StreamingVolatility(n));
  }

  logReturn(): IndicatorValue {
    return this.priced('logReturn', 'close', () => new StreamingLogReturn());
  }

  atr(n: number): IndicatorValue {
    return this.register(`atr(${n})`, () => {
      const feed = new AtrFeed(new StreamingATR(n));
      return { feed, view: feed.out };
    });
  }

  macd(fast = 12, slow = 26, signal = 9): { macd: IndicatorValue; signal: IndicatorValue; histogram: IndicatorValue } {
    return this.register(`macd(${fast},${slow},${signal})`, () => {
      const feed = new MacdFeed(new StreamingMACD(fast, slow, signal));
      return { feed, view: { macd: feed.macd, signal: feed.signal, histogram: feed.histogram } };
    });
  }

  bollinger(n = 20, k = 2): { lower: IndicatorValue; middle: IndicatorValue; upper: IndicatorValue } {
    return this.register(`bollinger(${n},${k})`, () => {
      const feed = new BollingerFeed(new StreamingBollinger(n, k));
      return { feed, view: { lower: feed.lower, middle: feed.middle, upper: feed.upper } };
    });
  }

  donchian(n = 20): { upper: IndicatorValue; lower: IndicatorValue; middle: IndicatorValue } {
    return this.register(`donchian(${n})`, () => {
      const feed = new DonchianFeed(new StreamingDonchian(n));
      return { feed, view: { upper: feed.upper, lower: feed.lower, middle: feed.middle } };
    });
  }

  vector(key: string, fn: (bars: BarColumns) => ArrayLike<number>): IndicatorValue {
    if (typeof key !== 'string' || key === '') throw badInput('vector() needs a key naming the column and every parameter it depends on', 'indicators.vector');
    if (typeof fn !== 'function') throw badInput(`vector ${key} needs a function of the bars`, 'indicators.vector');
    const bars = this.opts.bars;
    return this.register(`vector:${key}`, () => {
      const out = new TrackedValue();
      return { feed: bars ? new WholeVectorFeed(key, fn, bars, out) : new GrowingVectorFeed(key, fn, out), view: out };
    });
  }

  history(ind: IndicatorValue, k: number): number {
    if (!(ind instanceof TrackedValue)) throw badInput('history() takes an indicator from ctx.indicators', 'indicators.history');
    return ind.back(k);
  }
}
