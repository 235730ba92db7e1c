// The layering of design.md, enforced: each folder may import only what its row allows.
// Reads every source file's import specifiers (static and dynamic) and resolves relative ones.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ORDER_TYPES, SIDES, SIZE_MODES, TIMES_IN_FORCE } from '../src/model/order';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The one keychain implementation (headless engine, CLI, and Electron main). */
const KEYCHAIN_MODULE = 'engine/src/secrets/keychain';

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
  // The clause before `from` may span lines (`import {\n a,\n b,\n} from ...`).
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\w$*\s,]*\{[^}]*\}|[\w$*\s,]+?)\s*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
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
      'import {',
      '  many,',
      '  lines,',
      "} from '../multi';",
      "export { x, type Y } from './re';",
      "import * as ns from 'pkg';",
    ].join('\n');
    expect(parseImports(text)).toEqual([
      { spec: '../a', typeOnly: false },
      { spec: './b', typeOnly: true },
      { spec: 'node:fs', typeOnly: false },
      { spec: 'side-effect', typeOnly: false },
      { spec: './lazy', typeOnly: false },
      { spec: '../multi', typeOnly: false },
      { spec: './re', typeOnly: false },
      { spec: 'pkg', typeOnly: false },
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
      if (t === 'engine/protocol/client') return undefined; // platform-free RPC client
      // The domain's definitions (order vocabulary, limit ranges): forms derive their rules from them (docs/architecture.md).
      if (t === 'engine/protocol/definitions') return undefined;
      if (t.startsWith('engine/protocol')) return imp.typeOnly ? undefined : 'use `import type` from engine/protocol';
      if (t.startsWith('engine') || t.startsWith('electron')) return 'renderer may not import engine or electron code';
      return undefined;
    });
    expect(bad).toEqual([]);
  });

  it('what the renderer may import at run time from the engine is re-exported platform-free model, nothing else', () => {
    const file = 'engine/protocol/definitions.ts';
    const text = readFileSync(join(root, file), 'utf8');
    const specs = importsOf(file).map((i) => target(file, i.spec));
    expect(specs.length).toBeGreaterThan(0);
    expect(specs.filter((t) => !t.startsWith('engine/src/model/'))).toEqual([]);
    // Re-exports only: no code of its own, so no state and no logic lives in the exception.
    const statements = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').split(';').map((x) => x.trim()).filter(Boolean);
    expect(statements.filter((x) => !/^export\s+(type\s+)?\{[^}]*\}\s*from\s+'[^']+'$/.test(x))).toEqual([]);
  });

  it('domain code (model, risk, execution, state) does not import the wire protocol: the protocol maps the domain', () => {
    for (const dir of ['engine/src/model', 'engine/src/risk', 'engine/src/execution', 'engine/src/state']) {
      const bad = violations(dir, (t) => (t.startsWith('engine/protocol') ? 'domain code must not depend on the wire' : undefined));
      expect(bad).toEqual([]);
    }
  });

  it('electron imports no renderer code and only protocol types from the engine, and the one keychain module', () => {
    const bad = violations('electron', (t, imp) => {
      if (t.startsWith('renderer')) return 'main and preload never import renderer code';
      if (t.startsWith('engine/protocol')) return undefined;
      // Under Electron main alone opens the OS keychain, with the engine's module: one implementation of one rule.
      if (t === KEYCHAIN_MODULE) return undefined;
      if (t.startsWith('engine')) return imp.typeOnly ? undefined : 'electron talks to the engine over the protocol only';
      return undefined;
    });
    expect(bad).toEqual([]);
  });

  it('the keychain module main shares with the engine pulls in nothing of the engine but core, model and protocol types', () => {
    const file = `${KEYCHAIN_MODULE}.ts`;
    const specs = importsOf(file).map((i) => ({ t: target(file, i.spec), typeOnly: i.typeOnly }));
    expect(specs.map((s) => s.t)).toContain('@napi-rs/keyring');
    const bad = specs.filter(({ t, typeOnly }) => {
      if (t === '@napi-rs/keyring' || /^engine\/src\/(core|model)\//.test(t)) return false;
      return !(typeOnly && t.startsWith('engine/protocol/'));
    });
    expect(bad).toEqual([]);
  });

  it('nothing but the keychain module imports the native keychain library', () => {
    const users = [...sources('engine'), ...sources('electron')].filter((f) => importsOf(f).some((i) => i.spec === '@napi-rs/keyring'));
    expect(users).toEqual([`${KEYCHAIN_MODULE}.ts`]);
  });
});

describe('one list of each order vocabulary (engine/src/model/order.ts)', () => {
  const lists = { ORDER_TYPES, SIDES, TIMES_IN_FORCE, SIZE_MODES };
  /** Two different members of one list written next to each other (`'a', 'b'` or `'a' | 'b'`): a copy of the list. */
  function copies(text: string): string[] {
    const found: string[] = [];
    for (const [name, list] of Object.entries(lists)) {
      const word = `'(${list.join('|')})'`;
      for (const m of text.matchAll(new RegExp(`${word}\\s*[,|]\\s*${word}`, 'g'))) if (m[1] !== m[2]) found.push(`${name}: ${m[0]}`);
    }
    return found;
  }

  it('finds a copied list however it is written', () => {
    expect(copies("const T = new Set(['market', 'limit']);")).toEqual(["ORDER_TYPES: 'market', 'limit'"]);
    expect(copies("type S = 'buy' | 'sell';")).toEqual(["SIDES: 'buy' | 'sell'"]);
    expect(copies("z.enum(['GTC', 'IOC'])")).toEqual(["TIMES_IN_FORCE: 'GTC', 'IOC'"]);
    expect(copies("if (t === 'limit' || t === 'stop') x = ['qty']")).toEqual([]);
  });

  it('no source file lists order types, sides, times in force or size modes but the model', () => {
    // A migration is the schema as it was applied; engine/test/state checks its CHECK lists against the model.
    const exempt = new Set(['engine/src/model/order.ts', 'engine/src/state/migrations.ts']);
    const bad: string[] = [];
    for (const dir of ['engine', 'renderer', 'electron', 'strategies']) {
      for (const f of sources(dir)) {
        if (exempt.has(f)) continue;
        // Comments (TypeScript's and SQL's) may name the values; code may not list them.
        const code = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|(\/\/|--).*$/gm, '');
        for (const c of copies(code)) bad.push(`${f}: ${c}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
