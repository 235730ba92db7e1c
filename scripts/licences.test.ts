// The About dialog's licence list: generated from what is installed, it must cover every
// package that ships (the engine's dependencies, what the page bundles, Electron, and what they
// depend on), each with a licence, and carry lightweight-charts' attribution notice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectLicences } from './licences.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('third-party licences', () => {
  const list = collectLicences();
  const byName = new Map(list.map((p) => [p.name, p]));

  it('cover every runtime dependency, the packages the page bundles, Electron, and their dependencies', () => {
    for (const name of [...Object.keys(pkg.dependencies), 'react', 'react-dom', 'zustand', 'ag-grid-community', 'ag-grid-react', 'lightweight-charts', 'electron']) {
      expect(byName.has(name), name).toBe(true);
    }
    // Transitive: better-sqlite3 needs bindings, react-dom needs scheduler.
    expect(byName.has('bindings')).toBe(true);
    expect(byName.has('scheduler')).toBe(true);
    // Nothing only the build or the tests use.
    for (const dev of ['vitest', 'vite', 'typescript', '@playwright/test', 'electron-builder', 'fast-check']) expect(byName.has(dev), dev).toBe(false);
    // Nor what the electron package uses to download its binary at install time.
    expect(byName.has('@electron/get')).toBe(false);
    expect(byName.get('electron')!.notice).toContain('LICENSES.chromium.html');
  });

  it('name a licence for each, with its text where the package ships one', () => {
    for (const p of list) expect(p.licence, p.name).not.toBe('UNKNOWN');
    expect(byName.get('react')!.licence).toBe('MIT');
    expect(byName.get('react')!.texts[0]!.text).toContain('Permission is hereby granted');
    const withText = list.filter((p) => p.texts.length > 0).length;
    expect(withText / list.length).toBeGreaterThan(0.9);
  });

  it("carry lightweight-charts' Apache-2.0 licence, its attribution notice and the link to TradingView", () => {
    const lw = byName.get('lightweight-charts')!;
    expect(lw.licence).toBe('Apache-2.0');
    expect(lw.texts.map((t) => t.text).join('\n')).toContain('Apache License');
    expect(lw.notice).toContain('TradingView Lightweight Charts™');
    expect(lw.link).toBe('https://www.tradingview.com/');
  });
});
