import type { Timeframe } from '../core/timeframe';

/**
 * One OHLCV bar. `ts` is the bar's open time in ms since the epoch (UTC); a bar is
 * complete, and may be seen by a strategy, only once `ts + timeframe` has passed.
 */
export interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Bars in columns. Every research path (indicators, backtests, charts) works on these
 * typed arrays directly: no per-bar objects on hot paths.
 */
export interface BarSeries {
  symbol: string;
  timeframe: Timeframe;
  length: number;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export function emptySeries(symbol: string, timeframe: Timeframe, length: number): BarSeries {
  return {
    symbol,
    timeframe,
    length,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

export function seriesFromBars(symbol: string, timeframe: Timeframe, bars: readonly Bar[]): BarSeries {
  const s = emptySeries(symbol, timeframe, bars.length);
  bars.forEach((b, i) => {
    s.ts[i] = b.ts;
    s.open[i] = b.open;
    s.high[i] = b.high;
    s.low[i] = b.low;
    s.close[i] = b.close;
    s.volume[i] = b.volume;
  });
  return s;
}

export function barAt(s: BarSeries, i: number): Bar {
  return { ts: s.ts[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
}

/** A contiguous slice [from, to) sharing no memory with the source. */
export function sliceSeries(s: BarSeries, from: number, to: number): BarSeries {
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    length: Math.max(0, to - from),
    ts: s.ts.slice(from, to),
    open: s.open.slice(from, to),
    high: s.high.slice(from, to),
    low: s.low.slice(from, to),
    close: s.close.slice(from, to),
    volume: s.volume.slice(from, to),
  };
}

/** Copies bar `t` of `s` into `into` (one reused object: no allocation per bar). */
export function readBar(s: BarSeries, t: number, into: Bar): void {
  into.ts = s.ts[t]!;
  into.open = s.open[t]!;
  into.high = s.high[t]!;
  into.low = s.low[t]!;
  into.close = s.close[t]!;
  into.volume = s.volume[t]!;
}
