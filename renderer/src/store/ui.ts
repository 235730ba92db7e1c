import { create } from 'zustand';
import type { HotkeyAction } from '../../../engine/protocol/definitions';
import type { Alert } from '../../../engine/protocol';

export const SCREENS = ['markets', 'dashboard', 'strategies', 'backtest', 'data', 'spread', 'risk', 'system'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_LABELS: Record<Screen, string> = {
  markets: 'Markets',
  dashboard: 'Dashboard',
  strategies: 'Strategies',
  backtest: 'Backtest',
  data: 'Data',
  risk: 'Risk',
  system: 'System',
  spread: 'Spread',
};

/** What the Markets screen's side panel shows. */
export type SidePanel = 'ticket' | 'watchlist' | 'alerts';

interface UiStore {
  screen: Screen;
  side: SidePanel;
  setSide(s: SidePanel): void;
  /** A trading key pressed, waiting for its confirmation. */
  pendingHotkey: HotkeyAction | undefined;
  /** The working order the ticket is changing (from the blotter or the chart), if any. */
  editingOrder: string | undefined;
  editOrder(id: string | undefined): void;
  helpOpen: boolean;
  /** The About dialog (System › About Keel and licences, or Electron's Help menu). */
  aboutOpen: boolean;
  killConfirmOpen: boolean;
  toast: { kind: 'ok' | 'error'; text: string } | undefined;
  /** Engine alerts: they stay until the trader dismisses them (a toast could be missed). */
  alerts: Alert[];
  addAlert(a: Alert): void;
  dismissAlert(a: Alert): void;
  /** Bumped by the Electron menu's "Import data…": the Data screen opens its file dialog. */
  importRequests: number;
  requestImport(): void;
  setScreen(s: Screen): void;
  setHelp(open: boolean): void;
  setAbout(open: boolean): void;
  setKillConfirm(open: boolean): void;
  notify(kind: 'ok' | 'error', text: string): void;
}

export const useUi = create<UiStore>((set) => ({
  screen: 'markets',
  side: 'ticket',
  setSide: (side) => set({ side }),
  pendingHotkey: undefined,
  editingOrder: undefined,
  editOrder: (editingOrder) => set(editingOrder ? { editingOrder, side: 'ticket', screen: 'markets' } : { editingOrder }),
  helpOpen: false,
  aboutOpen: false,
  killConfirmOpen: false,
  toast: undefined,
  alerts: [],
  addAlert: (a) => set((s) => ({ alerts: [...s.alerts.slice(-4), a] })),
  dismissAlert: (a) => set((s) => ({ alerts: s.alerts.filter((x) => x !== a) })),
  importRequests: 0,
  requestImport: () => set((s) => ({ screen: 'data', importRequests: s.importRequests + 1 })),
  setScreen: (screen) => set({ screen }),
  setHelp: (helpOpen) => set({ helpOpen }),
  setAbout: (aboutOpen) => set({ aboutOpen }),
  setKillConfirm: (killConfirmOpen) => set({ killConfirmOpen }),
  notify: (kind, text) => set({ toast: { kind, text } }),
}));
