import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { minimatch } from 'minimatch';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[] };
  mac: { target: string[]; hardenedRuntime: boolean; notarize: unknown };
  win: { target: string[] };
  publish: { provider: string; url: string }[];
}

/** electron-builder's `files` rule: included when a positive pattern matches and no later negation does. */
function packed(path: string, patterns: string[]): boolean {
  let inc = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) inc = false;
    } else if (minimatch(path, p, { dot: true })) inc = true;
  }
  return inc;
}

describe('electron-builder config', () => {
  const config = require(join(root, 'electron-builder.config.cjs')) as BuilderConfig;

  it('names the app', () => {
    expect(config.productName).toBe('Keel');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
  });

  it('unpacks native modules from the asar', () => {
    for (const f of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node',
      'node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node',
    ]) {
      expect(config.asarUnpack.some((p) => minimatch(f, p, { dot: true })), f).toBe(true);
    }
  });

  it('ships the sample data and its licence note as resources', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'data/samples', to: 'samples' }));
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'data/README.md' }));
    expect(existsSync(join(root, 'data/samples'))).toBe(true);
  });

  it('packs the built bundles but no source maps, tests or TypeScript sources', () => {
    expect(packed('out/main/index.js', config.files)).toBe(true);
    expect(packed('out/preload/index.cjs', config.files)).toBe(true);
    expect(packed('out/renderer/index.html', config.files)).toBe(true);
    expect(packed('package.json', config.files)).toBe(true);
    expect(packed('out/main/index.js.map', config.files)).toBe(false);
    expect(packed('out/renderer/assets/index-abc.js.map', config.files)).toBe(false);
    expect(packed('engine/src/host/server.ts', config.files)).toBe(false);
    expect(packed('engine/test/host/headless.test.ts', config.files)).toBe(false);
    expect(packed('electron/main/settings.test.ts', config.files)).toBe(false);
    expect(packed('node_modules/zod/src/index.ts', config.files)).toBe(false);
  });

  it('targets AppImage+deb, a hardened dmg and nsis, with a generic update feed', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.publish[0]!.provider).toBe('generic');
  });
});

describe('electron-vite build', () => {
  it('produces the main, engine and sandboxed preload bundles', () => {
    execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'pipe', timeout: 90_000 });
    const main = readFileSync(join(root, 'out/main/index.js'), 'utf8');
    const engine = readFileSync(join(root, 'out/main/engine.js'), 'utf8');
    const preload = readFileSync(join(root, 'out/preload/index.cjs'), 'utf8');
    expect(main).toContain('utilityProcess.fork');
    expect(engine).toContain('parentPort');
    // Native modules stay external (loaded from the unpacked node_modules), never inlined.
    expect(main).toMatch(/from "@napi-rs\/keyring"/);
    expect(engine).toMatch(/from "@duckdb\/node-api"/);
    expect(engine).not.toContain('duckdb.node'); // the native binding is loaded at run time, never bundled
    expect(engine).toMatch(/from "better-sqlite3"/);
    // The engine bundle must not pull in Electron: it also runs under plain node.
    expect(engine).not.toMatch(/from "electron"/);
    // A sandboxed preload may require electron and nothing else.
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    expect(existsSync(join(root, 'out/renderer/index.html'))).toBe(true);
    expect(existsSync(join(root, 'out/main/index.js.map'))).toBe(false);
  }, 120_000);

  it('builds the CSV parse worker as its own file beside the engine, and it parses when started from there', async () => {
    // Runs after the build above (vitest runs a file's tests in order).
    const engine = readFileSync(join(root, 'out/main/engine.js'), 'utf8');
    // The engine finds the worker relative to its own module URL: the call must sit in engine.js itself, not in a chunk.
    expect(engine).toContain('workerEntry(import.meta.url, "bar-csv-worker")');
    const worker = new Worker(pathToFileURL(join(root, 'out/main/bar-csv-worker.js')));
    try {
      const fixture = join(root, 'engine/test/fixtures/data/index-5m-2006.csv');
      worker.postMessage({ type: 'parse', path: fixture, batchRows: 1000, maxInFlight: 4 });
      let rows = 0;
      const done = await new Promise<{ checks: { rowsRead: number; ts: Float64Array }; sha256: string }>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: { type: string; rows: number; cols: Float64Array[]; result: never; error: unknown }) => {
          if (m.type === 'batch') {
            rows += m.rows;
            worker.postMessage({ type: 'recycle', cols: m.cols }, m.cols.map((c) => c.buffer as ArrayBuffer));
          } else if (m.type === 'done') resolve(m.result);
          else if (m.type === 'error') reject(new Error(JSON.stringify(m.error)));
        });
      });
      expect(rows).toBe(2142);
      expect(done.checks.ts.length).toBe(2142);
      expect(done.sha256).toBe(createHash('sha256').update(readFileSync(fixture)).digest('hex'));
    } finally {
      await worker.terminate();
    }
  }, 30_000);
});
