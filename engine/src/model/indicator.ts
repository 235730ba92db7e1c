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
