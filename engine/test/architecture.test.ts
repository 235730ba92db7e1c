// The layering of design.md, enforced: each folder may import only what its row allows.
// Reads every source file's import specifiers (static and dynamic) and resolves relative ones.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'out') out.push(...sources(p));
    } else if (/\.(ts|tsx)$/.test(e.name) && !/\.(test|config)\.tsx?$/.test(e.name)) out.push(p); // tests and build configs run in Node by design
  }
  return out;
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  return parseImports(readFileSync(join(root, file), 'utf8'));
}

function parseImports(text: string): Import[] {
  const found: Import[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"\n;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec) found.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return found;
}

/** Where a specifier points: a repo-relative path for relative imports, else the package name. */
function target(file: string, spec: string): string {
  if (spec.startsWith('.')) return relative(root, resolve(root, dirname(file), spec));
  return spec;
}

const isPlatform = (t: string) => t.startsWith('node:') || t === 'electron' || ['fs', 'path', 'os', 'child_process', 'crypto', 'worker_threads'].includes(t);

function violations(dir: string, rule: (t: string, imp: Import) => string | undefined): string[] {
  const bad: string[] = [];
  for (const f of sources(dir)) {
    for (const imp of importsOf(f)) {
      const why = rule(target(f, imp.spec), imp);
      if (why) bad.push(`${f} imports ${imp.spec}: ${why}`);
    }
  }
  return bad;
}

describe('layering (design.md)', () => {
  it('finds the source files it polices, and every kind of import in them', () => {
    expect(sources('engine/src/model').length).toBeGreaterThan(3);
    const text = [
      "import { a } from '../a';",
      "import type { B } from './b';",
      "export * from 'node:fs';",
      "import 'side-effect';",
      "const m = await import('./lazy');",
    ].join('\n');
    expect(parseImports(text)).toEqual([
      { spec: '../a', typeOnly: false },
      { spec: './b', typeOnly: true },
      { spec: 'node:fs', typeOnly: false },
      { spec: 'side-effect', typeOnly: false },
      { spec: './lazy', typeOnly: false },
    ]);
  });

  it('core, model and protocol import nothing platform-specific', () => {
    for (const dir of ['engine/src/core', 'engine/src/model', 'engine/protocol']) {
      const bad = violations(dir, (t) => {
        if (isPlatform(t)) return 'platform import in a platform-free layer';
        if (t.startsWith('engine/') && !/^engine\/(src\/core|src\/model|protocol)\b/.test(t)) return 'reaches into an upper layer';
        return undefined;
      });
      // core/paths.ts is the one exception: it answers "where is the user's data dir", a Node question.
      expect(bad.filter((b) => !b.startsWith('engine/src/core/paths.ts'))).toEqual([]);
    }
  });

  it('the engine never imports electron or the renderer', () => {
    const bad = violations('engine', (t) => (t === 'electron' || t.startsWith('renderer') ? 'engine must run without Electron' : undefined));
    expect(bad).toEqual([]);
  });

  it('strategies import only the SDK', () => {
    const bad = violations('strategies', (t) => (t.startsWith('engine/sdk') || t.startsWith('strategies') ? undefined : 'strategies may import engine/sdk only'));
    expect(bad).toEqual([]);
  });

  it('the renderer imports engine/protocol types only, and no Node or Electron', () => {
    const bad = violations('renderer', (t, imp) => {
      if (isPlatform(t)) return 'renderer runs in a sandboxed page';
      if (t.startsWith('engine/protocol/client')) return undefined; // platform-free RPC client
      if (t.startsWith('engine/protocol')) return imp.typeOnly ? undefined : 'use `import type` from engine/protocol';
      if (t.startsWith('engine') || t.startsWith('electron')) return 'renderer may not import engine or electron code';
      return undefined;
    });
    expect(bad).toEqual([]);
  });

  it('electron imports no renderer code and only protocol types from the engine', () => {
    const bad = violations('electron', (t, imp) => {
      if (t.startsWith('renderer')) return 'main and preload never import renderer code';
      if (t.startsWith('engine/protocol')) return undefined;
      if (t.startsWith('engine')) return imp.typeOnly ? undefined : 'electron talks to the engine over the protocol only';
      return undefined;
    });
    expect(bad).toEqual([]);
  });
});
