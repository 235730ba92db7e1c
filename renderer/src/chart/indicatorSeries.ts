import type { IndicatorCatalogueEntry, OutputStyle } from '../../../engine/protocol';

/** One output of an indicator as the chart draws it. */
export interface PlannedSeries {
  output: string;
  /** The catalogue's style for this output: never inferred from its name. */
  style: OutputStyle;
  /** price: over the candles; own: the indicator's own pane below them (one per indicator). */
  pane: 'price' | 'own';
  /** The series' title on its price scale. */
  title: string;
}

/**
 * What to draw for an indicator, from its catalogue entry alone: each output in the catalogue's
 * order with the catalogue's style, in the pane the entry's kind names. A lone output is titled
 * with the indicator (`label`), several with their own labels.
 */
export function planSeries(entry: IndicatorCatalogueEntry, label: string): PlannedSeries[] {
  const pane = entry.kind === 'pane' ? 'own' : 'price';
  const single = entry.outputs.length === 1;
  return entry.outputs.map((o) => ({ output: o.name, style: o.style, pane, title: single ? label : o.label }));
}
