/*
 * How an indicator is presented, as the feature catalogue (engine/src/features/catalogue.ts)
 * declares it and the wire carries it: a chart draws each output as its catalogue says,
 * never guessing from the output's name.
 */

/** line; histogram (columns from zero, coloured by sign); dots (points, no line: a SAR); marker (1 where something happened, drawn on the bar). */
export const OUTPUT_STYLES = ['line', 'histogram', 'dots', 'marker'] as const;
export type OutputStyle = (typeof OUTPUT_STYLES)[number];

/** overlay: drawn on the price pane, in price units; pane: in a pane of its own below it. */
export type IndicatorKind = 'overlay' | 'pane';

export type IndicatorGroup = 'trend' | 'momentum' | 'volatility' | 'volume' | 'returns' | 'pattern';

/**
 * The price an indicator of one input reads: a bar field or a blend of them (hl2 = (high+low)/2,
 * hlc3 = typical price, ohlc4 = the bar's mean). Only indicators whose one input is the close
 * take a source; the others read the fields their formula names.
 */
export const PRICE_SOURCES = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** How a line output is stroked on a chart. */
export const LINE_STYLES = ['solid', 'dashed', 'dotted'] as const;
export type LineStyleName = (typeof LINE_STYLES)[number];

/** The value of `source` for one bar. */
export function sourceValue(source: PriceSource, open: number, high: number, low: number, close: number): number {
  switch (source) {
    case 'close':
      return close;
    case 'open':
      return open;
    case 'high':
      return high;
    case 'low':
      return low;
    case 'hl2':
      return (high + low) / 2;
    case 'hlc3':
      return (high + low + close) / 3;
    case 'ohlc4':
      return (open + high + low + close) / 4;
  }
}
