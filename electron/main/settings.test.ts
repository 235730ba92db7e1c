import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitBounds, sanitizeSettings, SettingsFile } from './settings';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-settings-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('window settings', () => {
  it('persists bounds and layout across instances (a restart)', () => {
    const path = join(tmp(), 'sub', 'settings.json');
    const a = new SettingsFile(path);
    expect(a.get()).toEqual({ bounds: undefined, maximized: false, layout: {}, updateChannel: 'stable' });
    a.update({ bounds: { x: 100, y: 50, width: 1300, height: 820 } });
    a.update({ layout: { 'markets.side': 320, 'bottom.height': 0.3 } });
    const b = new SettingsFile(path);
    expect(b.get()).toEqual({ bounds: { x: 100, y: 50, width: 1300, height: 820 }, maximized: false, layout: { 'markets.side': 320, 'bottom.height': 0.3 }, updateChannel: 'stable' });
    b.update({ updateChannel: 'beta' });
    expect(new SettingsFile(path).get().updateChannel).toBe('beta');
    expect(readdirSync(join(path, '..'))).toEqual(['settings.json']); // no temp file left behind
  });

  it('survives a corrupt or hostile file by falling back field by field', () => {
    const path = join(tmp(), 'settings.json');
    writeFileSync(path, '{not json');
    expect(new SettingsFile(path).get()).toEqual({ bounds: undefined, maximized: false, layout: {}, updateChannel: 'stable' });
    expect(sanitizeSettings({ bounds: { width: 1e9, height: 10 }, maximized: 'yes', layout: { a: 1, b: 'x', c: Infinity }, updateChannel: 'nightly' })).toEqual({
      bounds: undefined,
      maximized: false,
      layout: { a: 1 },
      updateChannel: 'stable',
    });
    expect(sanitizeSettings({ bounds: { width: 900.4, height: 700, x: 'left' } }).bounds).toEqual({ width: 900, height: 700 });
  });

  it('keeps a window on a display that still exists', () => {
    const primary = { x: 0, y: 0, width: 1920, height: 1080 };
    const right = { x: 1920, y: 0, width: 2560, height: 1440 };
    expect(fitBounds({ x: 2000, y: 100, width: 1600, height: 900 }, [primary, right])).toEqual({ x: 2000, y: 100, width: 1600, height: 900 });
    // The right monitor was unplugged: keep the size (clamped to what fits), drop the position.
    expect(fitBounds({ x: 2000, y: 100, width: 2400, height: 1300 }, [primary])).toEqual({ width: 1920, height: 1080 });
    expect(fitBounds(undefined, [primary])).toBeUndefined();
  });

  it('writes plain JSON a person can read', () => {
    const path = join(tmp(), 'settings.json');
    new SettingsFile(path).update({ maximized: true });
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ maximized: true });
  });
});
