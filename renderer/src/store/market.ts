import { create } from 'zustand';
import { MAX_CHARTS, type ChartCount } from '../../../engine/protocol/definitions';
import type { ChartLayout, ChartPaneState, DatasetInfo, IndicatorCatalogueEntry, IndicatorSetting } from '../../../engine/protocol';
import { palette } from '../theme';
import { sortTimeframes, timeframeMs } from '../lib/timeframe';

/** One indicator on a chart: which catalogue entry, with which parameters and style. */
export type ActiveIndicator = IndicatorSetting;

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
export function indicatorLabel(entry: IndicatorCatalogueEntry | undefined, ind: Pick<ActiveIndicator, 'id' | 'params' | 'source'>): { short: string; full: string } {
  const values = [...Object.values(ind.params), ...(ind.source && ind.source !== 'close' ? [ind.source] : [])].join(', ');
  const name = entry?.name ?? ind.id;
  const short = ind.id.length <= 6 && !isPattern(entry) ? ind.id.toUpperCase() : name;
  return { short: values ? `${short} ${values}` : short, full: values ? `${name} ${values}` : name };
}

/**
 * Colours for a new indicator's outputs: the first palette colours no other indicator on the
 * chart uses, so an indicator keeps its colour whatever is added or removed beside it.
 */
export function freshColors(existing: readonly ActiveIndicator[], outputs: number): string[] {
  const used = new Set(existing.flatMap((i) => i.colors ?? []));
  const free = palette.series.filter((c) => !used.has(c));
  const pool = free.length >= outputs ? free : [...free, ...palette.series];
  return pool.slice(0, Math.max(outputs, 0));
}

const emptyPane = (): ChartPaneState => ({ indicators: [] });

interface MarketStore {
  datasets: DatasetInfo[];
  catalogue: IndicatorCatalogueEntry[];
  /** Every chart of the layout, MAX_CHARTS of them; those past `count` wait for it to grow. */
  charts: ChartPaneState[];
  count: ChartCount;
  linkSymbol: boolean;
  linkCrosshair: boolean;
  /** The chart the toolbar, the ticket and the watchlist act on. */
  active: number;
  /** The timeframe last shown per symbol: a symbol opens on it. */
  timeframes: Record<string, string>;
  /** The active chart's, for everything that acts on "the chart". */
  symbol: string | undefined;
  timeframe: string | undefined;
  indicators: ActiveIndicator[];
  /** A time the active chart should show (a backtest trade clicked): `seq` tells one request from the next. */
  focus: { ts: number; seq: number } | undefined;
  setDatasets(d: DatasetInfo[]): void;
  setCatalogue(c: IndicatorCatalogueEntry[]): void;
  /** Shows `symbol` (at `timeframe`, else the one it was last shown at) on chart `slot` (the active one by default). */
  select(symbol: string, timeframe?: string, slot?: number): void;
  setActive(slot: number): void;
  setCount(n: ChartCount): void;
  setLink(link: { symbol?: boolean; crosshair?: boolean }): void;
  addIndicator(entry: IndicatorCatalogueEntry, params?: Record<string, number>, slot?: number): void;
  removeIndicator(key: string, slot?: number): void;
  updateIndicator(key: string, patch: Partial<Omit<ActiveIndicator, 'key' | 'id'>>, slot?: number): void;
  setTimeframes(t: Record<string, string>): void;
  applyLayout(l: ChartLayout): void;
  focusTime(ts: number): void;
}

/** The layout as the engine keeps it. */
export function layoutOf(s: Pick<MarketStore, 'charts' | 'count' | 'linkSymbol' | 'linkCrosshair' | 'active'>): ChartLayout {
  return { count: s.count, linkSymbol: s.linkSymbol, linkCrosshair: s.linkCrosshair, active: s.active, charts: s.charts.map((c) => ({ ...c, indicators: c.indicators })) };
}

let seq = 0;

const SELECTION_KEY = 'keel.chart.v1';

/**
 * The last chart selection, so the first bars can be asked for before the engine's workspace
 * and the dataset list arrive (first paint is a round trip shorter). A cache only: the
 * engine's workspace says what the charts show, and the datasets validate it.
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

/** The active chart's fields mirrored at the top of the store. */
function mirror(s: Pick<MarketStore, 'charts' | 'active'>): Pick<MarketStore, 'symbol' | 'timeframe' | 'indicators'> {
  const c = s.charts[s.active] ?? emptyPane();
  return { symbol: c.symbol, timeframe: c.timeframe, indicators: c.indicators };
}

/** Each chart kept on something the store holds (charts never shown stay empty until they are). */
function reconcileAll(datasets: DatasetInfo[], charts: ChartPaneState[]): ChartPaneState[] {
  if (datasets.length === 0) return charts;
  return charts.map((c, k) => {
    if (!c.symbol && k > 0) return c;
    const r = reconcileSelection(datasets, c.symbol, c.timeframe);
    return r.symbol === c.symbol && r.timeframe === c.timeframe ? c : { ...c, ...r };
  });
}

const initialCharts = (): ChartPaneState[] => {
  const first = { ...emptyPane(), ...savedSelection() };
  return [first, ...Array.from({ length: MAX_CHARTS - 1 }, emptyPane)];
};

export const useMarket = create<MarketStore>((set, get) => {
  const charts = initialCharts();
  /** Replaces chart `slot` and keeps the mirror in step. */
  const withCharts = (next: ChartPaneState[], extra: Partial<MarketStore> = {}): Partial<MarketStore> => {
    const active = extra.active ?? get().active;
    return { ...extra, charts: next, ...mirror({ charts: next, active }) };
  };
  const slotOf = (slot: number | undefined) => slot ?? get().active;
  const editIndicators = (slot: number | undefined, edit: (list: ActiveIndicator[]) => ActiveIndicator[]) => {
    const i = slotOf(slot);
    const next = get().charts.map((c, k) => (k === i ? { ...c, indicators: edit(c.indicators) } : c));
    set(withCharts(next));
  };
  return {
    datasets: [],
    catalogue: [],
    charts,
    count: 1,
    linkSymbol: false,
    linkCrosshair: false,
    active: 0,
    timeframes: {},
    ...mirror({ charts, active: 0 }),
    focus: undefined,
    setDatasets: (datasets) => set({ datasets, ...withCharts(reconcileAll(datasets, get().charts)) }),
    setCatalogue: (catalogue) => set({ catalogue }),
    select: (symbol, timeframe, slot) => {
      const s = get();
      const i = slotOf(slot);
      const remembered = (sym: string, own: string | undefined) => (sym !== s.charts[i]?.symbol ? (s.timeframes[sym] ?? own) : own);
      const linked = s.linkSymbol && symbol !== s.charts[i]?.symbol;
      const next = s.charts.map((c, k) => {
        if (k === i) return { ...c, ...reconcileSelection(s.datasets, symbol, timeframe ?? remembered(symbol, c.timeframe)) };
        // A linked chart takes the symbol and keeps its own timeframe where the symbol has it.
        if (linked && k < s.count) return { ...c, ...reconcileSelection(s.datasets, symbol, c.timeframe) };
        return c;
      });
      const tf = next[i]!.timeframe;
      const sym = next[i]!.symbol;
      set(withCharts(next, sym && tf && s.timeframes[sym] !== tf ? { timeframes: { ...s.timeframes, [sym]: tf } } : {}));
    },
    setActive: (active) => set(withCharts(get().charts, { active: Math.min(Math.max(0, active), get().count - 1) })),
    setCount: (count) => {
      const s = get();
      // Charts shown for the first time open on the active chart's symbol.
      const base = s.charts[s.active] ?? emptyPane();
      const next = s.charts.map((c, k) => (k < count && !c.symbol ? { ...c, symbol: base.symbol, timeframe: base.timeframe } : c));
      set(withCharts(reconcileAll(s.datasets, next), { count, active: Math.min(s.active, count - 1) }));
    },
    setLink: ({ symbol, crosshair }) => {
      const s = get();
      const patch: Partial<MarketStore> = {};
      if (crosshair !== undefined) patch.linkCrosshair = crosshair;
      if (symbol !== undefined) patch.linkSymbol = symbol;
      // Linking by symbol puts every shown chart on the active chart's symbol at once.
      if (symbol && s.charts[s.active]?.symbol) {
        const sym = s.charts[s.active]!.symbol!;
        const next = s.charts.map((c, k) => (k < s.count && c.symbol !== sym ? { ...c, ...reconcileSelection(s.datasets, sym, c.timeframe) } : c));
        set(withCharts(next, patch));
      } else set(patch);
    },
    addIndicator: (entry, params, slot) =>
      editIndicators(slot, (list) => [
        ...list,
        {
          key: `${entry.id}-${Date.now().toString(36)}${++seq}`,
          id: entry.id,
          params: params ?? Object.fromEntries(entry.params.map((p) => [p.name, p.default])),
          colors: freshColors(list, entry.outputs.length),
        },
      ]),
    removeIndicator: (key, slot) => editIndicators(slot, (list) => list.filter((i) => i.key !== key)),
    updateIndicator: (key, patch, slot) => editIndicators(slot, (list) => list.map((i) => (i.key === key ? { ...i, ...patch } : i))),
    setTimeframes: (timeframes) => set({ timeframes }),
    applyLayout: (l) => {
      const charts = Array.from({ length: MAX_CHARTS }, (_, k) => l.charts[k] ?? emptyPane());
      const active = Math.min(l.active, l.count - 1);
      set({ count: l.count, linkSymbol: l.linkSymbol, linkCrosshair: l.linkCrosshair, ...withCharts(reconcileAll(get().datasets, charts), { active }) });
    },
    focusTime: (ts) => set({ focus: { ts, seq: ++seq } }),
  };
});

useMarket.subscribe((s, prev) => {
  if (s.symbol === prev.symbol && s.timeframe === prev.timeframe) return;
  try {
    globalThis.localStorage?.setItem(SELECTION_KEY, JSON.stringify({ symbol: s.symbol, timeframe: s.timeframe }));
  } catch {
    // private mode or full storage: the selection is a convenience
  }
});
