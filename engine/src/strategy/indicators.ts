/**
 * The indicators a strategy reads through ctx.indicators. A strategy asks for them in
 * create(); the runtime feeds every closed bar to all of them before onBar, and keeps each
 * output's recent values so ctx.indicators.history() can look back without the strategy
 * keeping its own buffers. Same request, same object: sma(20) twice is one SMA.
 */
import { badInput } from '../core/errors';
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
import type { BarView, IndicatorValue, Indicators, PriceSource } from '../../sdk';

/** How far back history() can look. A power of two: the ring index is a mask. */
export const HISTORY_DEPTH = 1024;
const MASK = HISTORY_DEPTH - 1;

/** One indicator output: its current value and a ring of its last HISTORY_DEPTH values. */
export class TrackedValue implements IndicatorValue {
  value = NaN;
  ready = false;
  private readonly ring = new Float64Array(HISTORY_DEPTH);
  private pos = 0;
  private count = 0;

  set(v: number): void {
    this.value = v;
    this.ready = v === v;
    this.ring[this.pos] = v;
    this.pos = (this.pos + 1) & MASK;
    this.count++;
  }

  back(k: number): number {
    if (!Number.isInteger(k) || k < 0) throw badInput(`history offset must be a whole number >= 0, got ${k}`, 'indicators.history');
    if (k >= HISTORY_DEPTH) throw badInput(`history keeps the last ${HISTORY_DEPTH} values; ${k} bars back is not kept`, 'indicators.history');
    if (k >= this.count) return NaN;
    return this.ring[(this.pos - 1 - k) & MASK]!;
  }
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

export class IndicatorSet implements Indicators {
  private readonly feeds: Feed[] = [];
  private readonly cache = new Map<string, unknown>();
  private sealed = false;

  /** After create(): an indicator made later would start behind the others. */
  seal(): void {
    this.sealed = true;
  }

  update(bar: BarView): void {
    const feeds = this.feeds;
    for (let i = 0; i < feeds.length; i++) feeds[i]!.update(bar);
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
    this.feeds.push(feed);
    this.cache.set(key, view);
    return view;
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

  history(ind: IndicatorValue, k: number): number {
    if (!(ind instanceof TrackedValue)) throw badInput('history() takes an indicator from ctx.indicators', 'indicators.history');
    return ind.back(k);
  }
}
