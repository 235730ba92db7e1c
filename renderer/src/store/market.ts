import { create } from 'zustand';
import type { DatasetInfo, IndicatorCatalogueEntry } from '../../../engine/protocol';
import { sortTimeframes, timeframeMs } from '../lib/timeframe';

/** One indicator on the chart: which catalogue entry, with which parameters. */
export interface ActiveIndicator {
  key: string;
  id: string;
  params: Record<string, number>;
}

export function symbolsOf(datasets: DatasetInfo[]): string[] {
  return [...new Set(datasets.map((d) => d.symbol))].sort();
}

export function timeframesOf(datasets: DatasetInfo[], symbol: string): string[] {
  return sortTimeframes(datasets.filter((d) => d.symbol === symbol).map((d) => d.timeframe));
}

const STANDARD_TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'];

/**
 * What the chart can show for a symbol: the timeframes held, plus the standard coarser
 * ones the store resamples to on request.
 */
export function chartTimeframes(datasets: DatasetInfo[], symbol: string): { tf: string; held: boolean }[] {
  const held = timeframesOf(datasets, symbol);
  if (held.length === 0) return [];
  const finest = timeframeMs(held[0]!) ?? 0;
  const coarser = STANDARD_TIMEFRAMES.filter((tf) => (timeframeMs(tf) ?? 0) > finest && (timeframeMs(tf) ?? 0) % finest === 0);
  return sortTimeframes([...held, ...coarser]).map((tf) => ({ tf, held: held.includes(tf) }));
}

/**
 * Keeps the chart's symbol and timeframe pointing at something the store holds: after an
 * import or on first run, the current choice is kept if it still exists, else the first.
 */
export function reconcileSelection(datasets: DatasetInfo[], symbol: string | undefined, timeframe: string | undefined): { symbol?: string; timeframe?: string } {
  const symbols = symbolsOf(datasets);
  if (symbols.length === 0) return {};
  const sym = symbol && symbols.includes(symbol) ? symbol : symbols[0]!;
  const tfs = chartTimeframes(datasets, sym).map((t) => t.tf);
  const tf = timeframe && tfs.includes(timeframe) ? timeframe : tfs[0]!;
  return { symbol: sym, timeframe: tf };
}

/** Candlestick patterns, as the catalogue groups them. */
export const isPattern = (entry: IndicatorCatalogueEntry | undefined): boolean => entry?.group === 'pattern';

/** Labels for a chart chip: short ("SMA 20") to read, full ("Simple moving average 20") to name. */
export function indicatorLabel(entry: IndicatorCatalogueEntry | undefined, ind: ActiveIndicator): { short: string; full: string } {
  const values = Object.values(ind.params).join(', ');
  const name = entry?.name ?? ind.id;
  const short = ind.id.length <= 6 && !isPattern(entry) ? ind.id.toUpperCase() : name;
  return { short: values ? `${short} ${values}` : short, full: values ? `${name} ${values}` : name };
}

interface MarketStore {
  datasets: DatasetInfo[];
  catalogue: IndicatorCatalogueEntry[];
  symbol: string | undefined;
  timeframe: string | undefined;
  indicators: ActiveIndicator[];
  setDatasets(d: DatasetInfo[]): void;
  setCatalogue(c: IndicatorCatalogueEntry[]): void;
  select(symbol: string, timeframe?: string): void;
  addIndicator(entry: IndicatorCatalogueEntry, params?: Record<string, number>): void;
  removeIndicator(key: string): void;
}

let seq = 0;

const SELECTION_KEY = 'keel.chart.v1';

/**
 * The last chart selection, so the first bars can be asked for before the dataset list
 * arrives (first paint is one round trip shorter). Validated against the datasets later.
 */
function savedSelection(): { symbol?: string; timeframe?: string } {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(SELECTION_KEY) ?? 'null') as unknown;
    if (v && typeof v === 'object' && typeof (v as { symbol?: unknown }).symbol === 'string' && typeof (v as { timeframe?: unknown }).timeframe === 'string') {
      return { symbol: (v as { symbol: string }).symbol, timeframe: (v as { timeframe: string }).timeframe };
    }
  } catch {
    // nothing saved, or not readable: start from the dataset list
  }
  return {};
}

export const useMarket = create<MarketStore>((set) => ({
  datasets: [],
  catalogue: [],
  symbol: savedSelection().symbol,
  timeframe: savedSelection().timeframe,
  indicators: [],
  setDatasets: (datasets) => set((s) => ({ datasets, ...reconcileSelection(datasets, s.symbol, s.timeframe) })),
  setCatalogue: (catalogue) => set({ catalogue }),
  select: (symbol, timeframe) => set((s) => ({ ...reconcileSelection(s.datasets, symbol, timeframe ?? s.timeframe) })),
  addIndicator: (entry, params) =>
    set((s) => ({
      indicators: [
        ...s.indicators,
        { key: `${entry.id}-${++seq}`, id: entry.id, params: params ?? Object.fromEntries(entry.params.map((p) => [p.name, p.default])) },
      ],
    })),
  removeIndicator: (key) => set((s) => ({ indicators: s.indicators.filter((i) => i.key !== key) })),
}));

useMarket.subscribe((s, prev) => {
  if (s.symbol === prev.symbol && s.timeframe === prev.timeframe) return;
  try {
    globalThis.localStorage?.setItem(SELECTION_KEY, JSON.stringify({ symbol: s.symbol, timeframe: s.timeframe }));
  } catch {
    // private mode or full storage: the selection is a convenience
  }
});
