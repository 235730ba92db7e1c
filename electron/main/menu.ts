import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../engine/protocol/bridge';

export const KILL_SWITCH_ACCELERATOR = 'CmdOrCtrl+Shift+K';

/** Shortcuts listed by Help > Keyboard shortcuts (a native dialog, so it works whatever state the page is in). */
export const SHORTCUTS: readonly { keys: string; action: string }[] = [
  { keys: KILL_SWITCH_ACCELERATOR, action: 'Kill switch: halt trading and cancel working orders (works even when the window is not focused)' },
  { keys: 'CmdOrCtrl+O', action: 'Import data…' },
  { keys: 'CmdOrCtrl+E', action: 'Export data…' },
  { keys: 'P', action: 'Market replay: play / pause (Markets screen)' },
  { keys: 'CmdOrCtrl+R', action: 'Reload the window' },
  { keys: 'CmdOrCtrl+Plus / Minus / 0', action: 'Zoom in / out / reset' },
  { keys: 'F11', action: 'Full screen' },
];

/**
 * The application menu as plain data, so its shape (and the kill switch's accelerator)
 * is tested without Electron. Commands for the page go through `send`; the kill switch
 * goes straight to the engine through `killSwitch` so it works with a hung page.
 */
export function menuTemplate(p: {
  isMac: boolean;
  send(cmd: MenuCommand): void;
  killSwitch(): void;
  restartEngine(): void;
  showShortcuts(): void;
  /** Present when the build has an update feed. */
  updates?: { check(): void; beta: boolean; setBeta(on: boolean): void };
}): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (p.isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: 'File',
      submenu: [
        { label: 'Import data…', accelerator: 'CmdOrCtrl+O', click: () => p.send('import-data') },
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => p.send('export-data') },
        { type: 'separator' },
        p.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Trading',
      submenu: [
        { label: 'Kill switch', accelerator: KILL_SWITCH_ACCELERATOR, click: () => p.killSwitch() },
        { type: 'separator' },
        { label: 'Restart engine', click: () => p.restartEngine() },
      ],
    },
    {
      role: 'help',
      submenu: [
        { label: 'Keyboard shortcuts', accelerator: 'CmdOrCtrl+/', click: () => p.showShortcuts() },
        ...(p.updates
          ? ([
              { type: 'separator' },
              { label: 'Check for updates…', click: () => p.updates!.check() },
              { label: 'Beta updates', type: 'checkbox', checked: p.updates.beta, click: (item: { checked: boolean }) => p.updates!.setBeta(item.checked) },
            ] satisfies MenuItemConstructorOptions[])
          : []),
        { type: 'separator' },
        { label: 'About Keel and licences', click: () => p.send('show-about') },
      ],
    },
  );
  return template;
}

/** The text of the shortcuts dialog, with CmdOrCtrl spelled for the platform. */
export function shortcutsText(isMac: boolean): string {
  return SHORTCUTS.map((s) => `${s.keys.replace(/CmdOrCtrl/g, isMac ? 'Cmd' : 'Ctrl')}    ${s.action}`).join('\n');
}
