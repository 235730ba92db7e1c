import { create } from 'zustand';
import { DEFAULT_TRADING_PREFS } from '../../../engine/protocol/definitions';
import type { ChartLayout, TradingPrefs, Workspace } from '../../../engine/protocol';
import type { EngineConnection } from '../client/connection';
import { layoutOf, useMarket } from './market';

/**
 * The workspace the engine keeps (state database): watchlist, named layouts, trading
 * preferences; the chart layout and per-symbol timeframes live in the market store and are
 * saved back as they change.
 */
interface WorkspaceStore {
  /** The engine's workspace has been read: until then nothing is saved over it. */
  loaded: boolean;
  watchlist: string[];
  layouts: Record<string, ChartLayout>;
  trading: TradingPrefs;
  apply(w: Workspace): void;
}

export const useWorkspace = create<WorkspaceStore>((set) => ({
  loaded: false,
  watchlist: [],
  layouts: {},
  trading: DEFAULT_TRADING_PREFS,
  apply: (w) => set({ watchlist: w.watchlist, layouts: w.layouts, trading: w.trading }),
}));

/** Saving is debounced: a divider drag or a run of clicks is one write. */
export const SAVE_DEBOUNCE_MS = 400;

let connection: EngineConnection | undefined;
let layoutTimer: ReturnType<typeof setTimeout> | undefined;
let timeframeTimer: ReturnType<typeof setTimeout> | undefined;

/** Reads the engine's workspace into the stores (on every hello: the engine may have restarted). */
export async function loadWorkspace(c: EngineConnection): Promise<void> {
  connection = c;
  const w = await c.call('workspace.get', {});
  useWorkspace.getState().apply(w);
  const m = useMarket.getState();
  m.setTimeframes(w.timeframes);
  if (w.layout) m.applyLayout(w.layout);
  useWorkspace.setState({ loaded: true });
}

useMarket.subscribe((s, prev) => {
  const c = connection;
  if (!c || !useWorkspace.getState().loaded) return;
  const layoutChanged = s.charts !== prev.charts || s.count !== prev.count || s.linkSymbol !== prev.linkSymbol || s.linkCrosshair !== prev.linkCrosshair || s.active !== prev.active;
  if (layoutChanged) {
    clearTimeout(layoutTimer);
    layoutTimer = setTimeout(() => {
      layoutTimer = undefined;
      c.call('workspace.set', { layout: layoutOf(useMarket.getState()) }).catch(() => undefined);
    }, SAVE_DEBOUNCE_MS);
  }
  if (s.timeframes !== prev.timeframes) {
    clearTimeout(timeframeTimer);
    timeframeTimer = setTimeout(() => {
      timeframeTimer = undefined;
      c.call('workspace.set', { timeframes: useMarket.getState().timeframes }).catch(() => undefined);
    }, SAVE_DEBOUNCE_MS);
  }
});

export async function setWatchlist(watchlist: string[]): Promise<void> {
  useWorkspace.setState({ watchlist });
  if (connection) useWorkspace.getState().apply(await connection.call('workspace.set', { watchlist }));
}

export async function setTrading(trading: TradingPrefs): Promise<void> {
  if (!connection) return;
  useWorkspace.getState().apply(await connection.call('workspace.set', { trading }));
}

export async function saveLayout(name: string): Promise<void> {
  if (!connection) return;
  useWorkspace.getState().apply(await connection.call('layouts.save', { name, layout: layoutOf(useMarket.getState()) }));
}

export async function deleteLayout(name: string): Promise<void> {
  if (!connection) return;
  useWorkspace.getState().apply(await connection.call('layouts.delete', { name }));
}

export function loadLayout(name: string): void {
  const l = useWorkspace.getState().layouts[name];
  if (l) useMarket.getState().applyLayout(l);
}
