/*
 * The trader's workspace as the engine keeps it (state database settings, so it survives a
 * browser change and works headless): the chart layout and named layouts, the watchlist,
 * the timeframe last used per symbol, and the chart-trading preferences.
 */
import type { LineStyleName, PriceSource } from './indicator';

/** Charts on the Markets screen: one, two side by side, or four in a grid. */
export const CHART_COUNTS = [1, 2, 4] as const;
export type ChartCount = (typeof CHART_COUNTS)[number];

/** One indicator on a chart, with the trader's settings (the catalogue's defaults where absent). */
export interface IndicatorSetting {
  /** Stable per chart: a chip, its series and its colour follow it. */
  key: string;
  id: string;
  params: Record<string, number>;
  source?: PriceSource;
  /** One CSS colour per output, in the catalogue's output order; the indicator's stable colour where absent. */
  colors?: string[];
  lineStyle?: LineStyleName;
  lineWidth?: number;
}

export interface ChartPaneState {
  symbol?: string;
  timeframe?: string;
  indicators: IndicatorSetting[];
}

export interface ChartLayout {
  count: ChartCount;
  /** Changing one chart's symbol changes the others'. */
  linkSymbol: boolean;
  /** The crosshair on one chart shows the same time on the others. */
  linkCrosshair: boolean;
  /** The chart the toolbar, ticket and watchlist act on. */
  active: number;
  /** Always CHART_COUNTS' largest number of panes; those past `count` are kept for when it grows again. */
  charts: ChartPaneState[];
}

export const MAX_CHARTS = CHART_COUNTS[CHART_COUNTS.length - 1];

/** What the chart-trading keys do. Each sends an order (or a flatten or a cancel) after a confirmation. */
export const HOTKEY_ACTIONS = ['buy_market', 'sell_market', 'flatten', 'cancel_all'] as const;
export type HotkeyAction = (typeof HOTKEY_ACTIONS)[number];

export const HOTKEY_LABELS: Readonly<Record<HotkeyAction, string>> = {
  buy_market: 'Buy at market',
  sell_market: 'Sell at market',
  flatten: 'Flatten your position in the chart’s symbol',
  cancel_all: 'Cancel the symbol’s working orders',
};

export interface TradingPrefs {
  /** Buy and sell buttons on the chart that send at once, without a confirmation. Off until the trader turns it on (and confirms that). */
  oneClick: boolean;
  /** The quantity chart orders (right-click menu, one-click, hotkeys) are sent for. */
  quantity: number;
  /** Off until the trader turns them on; each key asks for a confirmation before it acts. */
  hotkeys: { enabled: boolean; keys: Record<HotkeyAction, string> };
}

export const DEFAULT_TRADING_PREFS: TradingPrefs = {
  oneClick: false,
  quantity: 0.01,
  hotkeys: { enabled: false, keys: { buy_market: 'Shift+B', sell_market: 'Shift+S', flatten: 'Shift+F', cancel_all: 'Shift+C' } },
};

export interface Workspace {
  /** Symbols in the watchlist, in the trader's order. */
  watchlist: string[];
  /** The timeframe last shown per symbol. */
  timeframes: Record<string, string>;
  /** The layout in use; absent until the trader changes anything. */
  layout?: ChartLayout;
  /** Layouts saved by name. */
  layouts: Record<string, ChartLayout>;
  trading: TradingPrefs;
}

export const WORKSPACE_LIMITS = { watchlist: 200, layouts: 50, layoutName: 60, indicatorsPerChart: 20, drawingsPerSymbol: 500 } as const;

/** A key combination as the page reads it from a key event: modifiers in a fixed order, then the key ("Shift+B", "Ctrl+Alt+1"). */
export function keyCombo(e: { key: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }): string {
  const key = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  return [e.ctrlKey && 'Ctrl', e.altKey && 'Alt', e.metaKey && 'Meta', e.shiftKey && 'Shift', key].filter(Boolean).join('+');
}

/** A key combination the hotkey form accepts: optional modifiers, then one key. */
export const KEY_COMBO_PATTERN = /^((Ctrl|Alt|Meta|Shift)\+)*([A-Z0-9]|F\d{1,2}|[A-Za-z]+)$/;
