import { describe, expect, it } from 'vitest';
import { DEFAULT_TRADING_PREFS } from '../../engine/protocol/definitions';
import { SHORTCUTS, shortcutFor } from './shortcuts';

const key = (k: Partial<KeyboardEvent>) => ({ key: '', code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...k });

describe('shortcuts', () => {
  it('binds the kill switch on Ctrl or Cmd + Shift + K, even while typing', () => {
    expect(shortcutFor(key({ key: 'K', code: 'KeyK', ctrlKey: true, shiftKey: true }), true)).toEqual({ kind: 'kill' });
    expect(shortcutFor(key({ key: 'k', code: 'KeyK', metaKey: true, shiftKey: true }), false)).toEqual({ kind: 'kill' });
    expect(shortcutFor(key({ key: 'k', code: 'KeyK', ctrlKey: true }), false)).toBeUndefined();
  });

  it('switches screens on Alt+digit and leaves plain keys to inputs', () => {
    expect(shortcutFor(key({ key: '4', code: 'Digit4', altKey: true }), false)).toEqual({ kind: 'screen', screen: 'backtest' });
    expect(shortcutFor(key({ key: '3', code: 'Digit3', altKey: true }), false)).toEqual({ kind: 'screen', screen: 'strategies' });
    expect(shortcutFor(key({ key: '?' }), false)).toEqual({ kind: 'help' });
    expect(shortcutFor(key({ key: '?' }), true)).toBeUndefined();
    expect(shortcutFor(key({ key: 'b' }), true)).toBeUndefined();
    expect(shortcutFor(key({ key: 's' }), false)).toEqual({ kind: 'side', side: 'sell' });
    expect(shortcutFor(key({ key: 'p' }), false)).toEqual({ kind: 'replay' });
    expect(shortcutFor(key({ key: 'p' }), true)).toBeUndefined();
    expect(shortcutFor(key({ key: 'p', ctrlKey: true }), false)).toBeUndefined();
    expect(shortcutFor(key({ key: 'End' }), false)).toEqual({ kind: 'latest' });
    expect(shortcutFor(key({ key: 'End' }), true)).toBeUndefined();
    // every bound key is listed in the help overlay
    expect(SHORTCUTS.some((s) => s.keys === 'P' && /replay/i.test(s.does))).toBe(true);
    expect(SHORTCUTS.some((s) => s.keys === 'End' && /latest bar/i.test(s.does))).toBe(true);
  });

  it('trading keys act only when turned on, before the plain letter they share, never while typing', () => {
    const off = DEFAULT_TRADING_PREFS.hotkeys;
    const on = { ...off, enabled: true };
    const shiftB = key({ key: 'B', shiftKey: true });
    expect(shortcutFor(shiftB, false, off)).toEqual({ kind: 'side', side: 'buy' });
    expect(shortcutFor(shiftB, false, on)).toEqual({ kind: 'hotkey', action: 'buy_market' });
    expect(shortcutFor(shiftB, true, on)).toBeUndefined();
    expect(shortcutFor(key({ key: 'F', shiftKey: true }), false, on)).toEqual({ kind: 'hotkey', action: 'flatten' });
    expect(shortcutFor(key({ key: 'x', ctrlKey: true }), false, { ...on, keys: { ...on.keys, cancel_all: 'Ctrl+X' } })).toEqual({ kind: 'hotkey', action: 'cancel_all' });
    expect(SHORTCUTS.some((s) => /Trading keys/.test(s.does))).toBe(true);
  });
});
