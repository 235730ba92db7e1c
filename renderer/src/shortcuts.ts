import { HOTKEY_ACTIONS, keyCombo, type HotkeyAction } from '../../engine/protocol/definitions';
import type { Side, TradingPrefs } from '../../engine/protocol';
import { toggleReplay } from './screens/replayActions';
import { useReplay } from './store/replay';
import { SCREEN_LABELS, SCREENS, useUi, type Screen } from './store/ui';
import { useWorkspace } from './store/workspace';

export interface Shortcut {
  keys: string;
  does: string;
}

/** Shown in the help overlay; the handler below is the single place they are bound. */
export const SHORTCUTS: Shortcut[] = [
  { keys: 'Ctrl/Cmd + Shift + K', does: 'Kill switch (opens the confirm; Enter engages)' },
  { keys: '?', does: 'This help' },
  { keys: `Alt + 1 … ${SCREENS.length}`, does: SCREENS.map((s) => SCREEN_LABELS[s]).join(', ') },
  { keys: 'B / S', does: 'Order ticket: buy / sell side (Markets)' },
  { keys: 'P', does: 'Market replay: play / pause (starts one if none runs; Markets)' },
  { keys: 'End', does: 'Chart: back to the latest bar (Markets)' },
  { keys: 'Delete, arrows', does: 'Chart: delete or move the selected drawing (Shift: ten steps)' },
  { keys: 'Shift + B / S / F / C', does: 'Trading keys, when turned on (⚙ Trading): buy, sell, flatten, cancel all; each asks first' },
  { keys: 'Esc', does: 'Close a dialog or menu' },
  { keys: 'Arrow keys on a divider', does: 'Resize panels (Shift for bigger steps)' },
];

const isTyping = (t: EventTarget | null): boolean => {
  const el = t as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
};

/** The trading key a press is, when the trader turned them on. */
export function hotkeyFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, prefs: TradingPrefs['hotkeys']): HotkeyAction | undefined {
  if (!prefs.enabled) return undefined;
  const combo = keyCombo(e);
  return HOTKEY_ACTIONS.find((a) => prefs.keys[a] === combo);
}

/** What a key press means, or undefined; pure so it can be tested without a DOM. */
export function shortcutFor(
  e: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
  typing: boolean,
  hotkeys?: TradingPrefs['hotkeys'],
):
  | { kind: 'kill' }
  | { kind: 'hotkey'; action: HotkeyAction }
  | { kind: 'help' }
  | { kind: 'screen'; screen: Screen }
  | { kind: 'side'; side: Side }
  | { kind: 'replay' }
  | { kind: 'latest' }
  | undefined {
  if ((e.ctrlKey || e.metaKey) && e.shiftKey && (e.key === 'K' || e.key === 'k' || e.code === 'KeyK')) return { kind: 'kill' };
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    const n = /^Digit([1-9])$/.exec(e.code)?.[1];
    const screen = n ? SCREENS[Number(n) - 1] : undefined;
    if (screen) return { kind: 'screen', screen };
  }
  if (typing) return undefined;
  // Trading keys come before the plain ones they may share a letter with (Shift+B is not B).
  const action = hotkeys && hotkeyFor(e, hotkeys);
  if (action) return { kind: 'hotkey', action };
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.key === '?') return { kind: 'help' };
  if (e.key === 'b' || e.key === 'B') return { kind: 'side', side: 'buy' };
  if (e.key === 's' || e.key === 'S') return { kind: 'side', side: 'sell' };
  if (e.key === 'p' || e.key === 'P') return { kind: 'replay' };
  if (e.key === 'End') return { kind: 'latest' };
  return undefined;
}

export function installShortcuts(): () => void {
  const onKey = (e: KeyboardEvent) => {
    const s = shortcutFor(e, isTyping(e.target), useWorkspace.getState().trading.hotkeys);
    if (!s) return;
    const ui = useUi.getState();
    if (s.kind === 'kill') ui.setKillConfirm(true);
    else if (s.kind === 'hotkey') {
      // A key that trades always asks first; an open dialog is not replaced.
      if (ui.screen !== 'markets' || ui.pendingHotkey || ui.killConfirmOpen) return;
      useUi.setState({ pendingHotkey: s.action });
    }
    else if (s.kind === 'help') ui.setHelp(!ui.helpOpen);
    else if (s.kind === 'screen') ui.setScreen(s.screen);
    else if (s.kind === 'replay') {
      if (ui.screen !== 'markets') return;
      void toggleReplay(useReplay.getState().speed);
    } else if (s.kind === 'latest') {
      if (ui.screen !== 'markets') return;
      document.querySelector<HTMLButtonElement>('button[aria-label="Go to the latest bar"]')?.click();
    } else if (s.kind === 'side') {
      if (ui.screen !== 'markets') return;
      document.querySelector<HTMLButtonElement>(`form[aria-label="Order ticket"] button.${s.side}`)?.click();
      document.querySelector<HTMLInputElement>('form[aria-label="Order ticket"] input[name=size]')?.focus();
    }
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
