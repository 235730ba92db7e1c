import { describe, expect, it } from 'vitest';
import { indicatorService } from '../../../engine/src/app/indicator-adapter';
import type { IndicatorCatalogueEntry } from '../../../engine/protocol';
import { planSeries } from './indicatorSeries';

const catalogue = indicatorService.catalogue();
const entry = (id: string): IndicatorCatalogueEntry => catalogue.find((e) => e.id === id)!;

describe("the chart draws each indicator output as the engine's catalogue says", () => {
  it('ao as a histogram in its own pane, psar as dots over the candles', () => {
    expect(planSeries(entry('ao'), 'AO')).toEqual([{ output: 'value', style: 'histogram', pane: 'own', title: 'AO' }]);
    expect(planSeries(entry('psar'), 'PSAR')).toEqual([{ output: 'value', style: 'dots', pane: 'price', title: 'PSAR' }]);
  });

  it('macd: two lines and a histogram in one pane, titled by their labels', () => {
    expect(planSeries(entry('macd'), 'MACD')).toEqual([
      { output: 'macd', style: 'line', pane: 'own', title: 'MACD' },
      { output: 'signal', style: 'line', pane: 'own', title: 'Signal' },
      { output: 'histogram', style: 'histogram', pane: 'own', title: 'Histogram' },
    ]);
  });

  it('candlestick patterns as markers on the bars', () => {
    expect(planSeries(entry('cdl_doji'), 'CDL_DOJI').map((s) => [s.style, s.pane])).toEqual([['marker', 'price']]);
  });

  it('follows the style, not the name: an output called "histogram" styled as a line draws a line', () => {
    const decoy: IndicatorCatalogueEntry = {
      id: 'x',
      name: 'Decoy',
      group: 'momentum',
      kind: 'pane',
      params: [],
      sourced: false,
      outputs: [
        { name: 'histogram', label: 'H', style: 'line' },
        { name: 'value', label: 'V', style: 'histogram' },
        { name: 'line', label: 'L', style: 'dots' },
      ],
    };
    expect(planSeries(decoy, 'X').map((s) => [s.output, s.style])).toEqual([
      ['histogram', 'line'],
      ['value', 'histogram'],
      ['line', 'dots'],
    ]);
  });

  it('gives every catalogue output exactly its catalogue style', () => {
    for (const e of catalogue) expect(planSeries(e, e.id).map((s) => s.style), e.id).toEqual(e.outputs.map((o) => o.style));
  });
});
