import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { KILL_SWITCH_ACCELERATOR, menuTemplate, shortcutsText } from './menu';

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const i of items) {
    if (i.label === label) return i;
    if (Array.isArray(i.submenu)) {
      const f = find(i.submenu, label);
      if (f) return f;
    }
  }
  return undefined;
}

describe('application menu', () => {
  it('has the kill switch under Trading with its shortcut, going straight to the engine', () => {
    const sent: string[] = [];
    let kills = 0;
    let help = 0;
    const t = menuTemplate({ isMac: false, send: (c) => sent.push(c), killSwitch: () => (kills += 1), restartEngine: () => {}, showShortcuts: () => (help += 1) });
    expect(t.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'Trading', 'help']);
    const kill = find(t, 'Kill switch')!;
    expect(kill.accelerator).toBe(KILL_SWITCH_ACCELERATOR);
    (kill.click as () => void)();
    expect(kills).toBe(1);
    expect(sent).toEqual([]);
    (find(t, 'Import data…')!.click as () => void)();
    (find(t, 'Keyboard shortcuts')!.click as () => void)();
    expect(sent).toEqual(['import-data']);
    expect(help).toBe(1);
  });

  it('offers update checks and the beta channel only when the build has a feed, and About always', () => {
    const sent: string[] = [];
    const none = menuTemplate({ isMac: false, send: (c) => sent.push(c), killSwitch: () => {}, restartEngine: () => {}, showShortcuts: () => {} });
    expect(find(none, 'Check for updates…')).toBeUndefined();
    (find(none, 'About Keel and licences')!.click as () => void)();
    expect(sent).toEqual(['show-about']);
    let checks = 0;
    const beta: boolean[] = [];
    const t = menuTemplate({ isMac: false, send: () => {}, killSwitch: () => {}, restartEngine: () => {}, showShortcuts: () => {}, updates: { check: () => void checks++, beta: true, setBeta: (on) => void beta.push(on) } });
    (find(t, 'Check for updates…')!.click as () => void)();
    expect(checks).toBe(1);
    const item = find(t, 'Beta updates')!;
    expect(item).toMatchObject({ type: 'checkbox', checked: true });
    (item.click as (i: { checked: boolean }) => void)({ checked: false });
    expect(beta).toEqual([false]);
  });

  it('adds the app menu on macOS', () => {
    const t = menuTemplate({ isMac: true, send: () => {}, killSwitch: () => {}, restartEngine: () => {}, showShortcuts: () => {} });
    expect(t[0]!.role).toBe('appMenu');
    expect(shortcutsText(true)).toContain('Cmd+Shift+K');
    expect(shortcutsText(false)).toContain('Ctrl+Shift+K');
  });
});
