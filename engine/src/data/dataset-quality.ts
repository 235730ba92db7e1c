import { timeframeMs } from '../core/timeframe';
import { downloadCounts, readGaps } from './download-store';
import { barSeriesOf, type MarketStore } from './market-store';
import { qualityReport, type QualityOptions, type QualityReport } from './quality-report';

/**
 * The quality report of a stored dataset: its bars as stored, with what the store learned on
 * the way in (repeats merged, rows out of time order and rows rejected, by every import and
 * download of it) and the holes downloads found at the exchange.
 */
export async function datasetQuality(store: MarketStore, symbol: string, timeframe: string, opts: Omit<QualityOptions, 'exchangeGaps' | 'intake'> = {}): Promise<QualityReport> {
  const bars = await store.bars(symbol, timeframe);
  const intake = { duplicates: 0, outOfOrder: 0, rejected: 0 };
  for (const i of await store.imports()) {
    if (i.symbol !== symbol || i.timeframe !== timeframe || i.report.store?.alreadyImported) continue;
    intake.duplicates += i.report.duplicatesInFile;
    intake.outOfOrder += i.report.rejected.byReason['out-of-order'] ?? 0;
    intake.rejected += i.report.rejected.count;
  }
  const series = (await barSeriesOf(store.reader, symbol)).find((s) => s.timeframe === timeframe);
  let exchangeGaps: { from: number; to: number }[] = [];
  if (series) {
    const d = await downloadCounts(store.reader, series.id);
    intake.duplicates += d.duplicates;
    intake.outOfOrder += d.outOfOrder;
    intake.rejected += d.rejected;
    exchangeGaps = await readGaps(store.reader, series.id, timeframeMs(timeframe));
  }
  return qualityReport(bars, { ...opts, exchangeGaps, intake });
}
