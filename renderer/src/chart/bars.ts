import type { CandlestickData, HistogramData, LineData, UTCTimestamp, WhitespaceData } from 'lightweight-charts';
import type { BarsPayload } from '../../../engine/protocol';
import { palette } from '../theme';

/** The chart's clock is whole seconds; the engine's is milliseconds. */
export const toChartTime = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;

/** Columns [from, to) to candle rows in one pass: the only per-bar allocation before the first paint. */
export function toCandles(p: BarsPayload, from = 0, to = p.ts.length): CandlestickData[] {
  const n = to - from;
  const { ts, open, high, low, close } = p;
  const out = new Array<CandlestickData>(Math.max(0, n));
  for (let i = 0; i < n; i++) {
    const j = from + i;
    out[i] = { time: toChartTime(ts[j]!), open: open[j]!, high: high[j]!, low: low[j]!, close: close[j]! };
  }
  return out;
}

/** An indicator output; nulls (warm-up) become whitespace so the line starts where it is defined. */
export function toLineData(ts: number[], values: (number | null)[]): (LineData | WhitespaceData)[] {
  const out = new Array<LineData | WhitespaceData>(ts.length);
  for (let i = 0; i < ts.length; i++) {
    const v = values[i];
    const time = toChartTime(ts[i]!);
    out[i] = v === null || v === undefined || !Number.isFinite(v) ? { time } : { time, value: v };
  }
  return out;
}

export function histogramColors(ts: number[], values: (number | null)[]): (HistogramData | WhitespaceData)[] {
  return toLineData(ts, values).map((d) =>
    'value' in d ? { ...d, color: (d as LineData).value >= 0 ? palette.up : palette.down } : d,
  );
}
