import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  directories: { buildResources: string };
  extraResources: { from: string; to: string }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; hardenedRuntime: boolean; notarize: unknown; icon: string; entitlements: string };
  win: { target: string[]; icon: string; verifyUpdateCodeSignature?: boolean };
  publish: { provider: string; url: string }[];
  generateUpdatesFilesForAllChannels: boolean;
}

/** The config as electron-builder would load it under `env` (the file reads the release machine's variables). */
function loadConfig(env: Record<string, string | undefined>): BuilderConfig {
  const path = join(root, 'electron-builder.config.cjs');
  const saved = { ...process.env };
  try {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    delete require.cache[require.resolve(path)];
    return require(path) as BuilderConfig;
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    delete require.cache[require.resolve(path)];
  }
}

const RELEASE_ENV = { KEEL_UPDATE_URL: 'https://updates.example.com/keel', APPLE_API_KEY: '/keys/AuthKey.p8', APPLE_API_KEY_ID: 'ABC', APPLE_API_ISSUER: 'issuer', APPLE_TEAM_ID: 'TEAM' };
const LOCAL_ENV = { KEEL_UPDATE_URL: undefined, APPLE_API_KEY: undefined, APPLE_API_KEY_ID: undefined, APPLE_API_ISSUER: undefined, APPLE_TEAM_ID: undefined };

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
  const config = loadConfig(LOCAL_ENV);

  it("passes electron-builder's own schema, on a developer's machine and on the release machine", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await validateConfiguration(config, new DebugLogger(false));
    await validateConfiguration(loadConfig(RELEASE_ENV), new DebugLogger(false));
    // And it would catch a mistake: the v24 object form of notarize is refused by v26.
    await expect(validateConfiguration({ ...config, mac: { ...config.mac, notarize: { teamId: 'X' } } }, new DebugLogger(false))).rejects.toThrow(/notarize should be a boolean/);
  });

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

  it('targets AppImage+deb, a hardened and notarised dmg, and nsis, with icons from resources/', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.directories.buildResources).toBe('resources');
    for (const icon of [config.linux.icon, config.mac.icon, config.win.icon]) {
      expect(icon).toBe('resources/icon.png');
      const png = readFileSync(join(root, icon));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // electron-builder makes the .icns and .ico from it: macOS needs 512x512 at least.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    }
    const entitlements = readFileSync(join(root, config.mac.entitlements), 'utf8');
    expect([...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]).sort()).toEqual([
      'com.apple.security.cs.allow-jit',
      'com.apple.security.cs.disable-library-validation',
      'com.apple.security.network.client',
    ]);
  });

  it('rebuilds native modules for Electron at packaging time and keeps them out of the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
  });

  it('publishes updates to a generic HTTPS feed with stable and beta files, and keeps Windows signature checks on', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: 'https://updates.invalid/keel' }]);
    expect(loadConfig(RELEASE_ENV).publish).toEqual([{ provider: 'generic', url: 'https://updates.example.com/keel' }]);
    expect(config.generateUpdatesFilesForAllChannels).toBe(true);
    expect(config.win.verifyUpdateCodeSignature).not.toBe(false);
  });
});

describe('Electron fuses', () => {
  const config = loadConfig(LOCAL_ENV);

  it('are set for production', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it("are flipped in the binary by electron-builder's fuse step as configured", async () => {
    const fuses = require('@electron/fuses') as typeof import('@electron/fuses');
    const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants') as { SENTINEL: string; FuseState: { ENABLE: number; DISABLE: number } };
    const { PlatformPackager } = require('app-builder-lib') as { PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<import('@electron/fuses').FuseConfig> } } };
    // A stand-in for the Electron binary: the fuse sentinel followed by a v1 wire at Electron's defaults
    // (RunAsNode, NODE_OPTIONS, --inspect and file:// privileges on; cookie encryption, asar integrity and asar-only off).
    const defaults = '10110001';
    const dir = mkdtempSync(join(tmpdir(), 'keel-fuses-'));
    try {
      const binary = join(dir, 'keel');
      writeFileSync(binary, Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), Buffer.from([1, defaults.length]), Buffer.from(defaults), Buffer.alloc(4096, 9)]));
      const wire = await PlatformPackager.prototype.generateFuseConfig.call(undefined, config.electronFuses);
      await fuses.flipFuses(binary, wire);
      const after = await fuses.getCurrentFuseWire(binary);
      const state = (o: number): string => (after[o as keyof typeof after] === FuseState.ENABLE ? 'on' : after[o as keyof typeof after] === FuseState.DISABLE ? 'off' : 'other');
      const O = fuses.FuseV1Options;
      expect({
        RunAsNode: state(O.RunAsNode),
        EnableCookieEncryption: state(O.EnableCookieEncryption),
        EnableNodeOptionsEnvironmentVariable: state(O.EnableNodeOptionsEnvironmentVariable),
        EnableNodeCliInspectArguments: state(O.EnableNodeCliInspectArguments),
        EnableEmbeddedAsarIntegrityValidation: state(O.EnableEmbeddedAsarIntegrityValidation),
        OnlyLoadAppFromAsar: state(O.OnlyLoadAppFromAsar),
        GrantFileProtocolExtraPrivileges: state(O.GrantFileProtocolExtraPrivileges),
      }).toEqual({
        RunAsNode: 'off',
        EnableCookieEncryption: 'on',
        EnableNodeOptionsEnvironmentVariable: 'off',
        EnableNodeCliInspectArguments: 'off',
        EnableEmbeddedAsarIntegrityValidation: 'on',
        OnlyLoadAppFromAsar: 'on',
        GrantFileProtocolExtraPrivileges: 'off',
      });
      // Nothing else in the binary moved.
      const bytes = readFileSync(binary);
      expect(bytes.subarray(0, 4096).every((b) => b === 7)).toBe(true);
      expect(bytes.subarray(bytes.length - 4096).every((b) => b === 9)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    // Main opens the keychain with the engine's module, which the two bundles share as a chunk.
    const mainChunks = [...main.matchAll(/from "\.\/(chunks\/[^"]+\.js)"/g)].map((m) => readFileSync(join(root, 'out/main', m[1]!), 'utf8'));
    expect([main, ...mainChunks].some((t) => /from "@napi-rs\/keyring"/.test(t))).toBe(true);
    expect(engine).toMatch(/from "@duckdb\/node-api"/);
    expect(engine).not.toContain('duckdb.node'); // the native binding is loaded at run time, never bundled
    expect(engine).toMatch(/from "better-sqlite3"/);
    // The engine bundle must not pull in Electron, nor any chunk it shares with main: it also runs under plain node.
    expect(engine).not.toMatch(/from "electron"/);
    for (const m of engine.matchAll(/from "\.\/(chunks\/[^"]+\.js)"/g)) expect(readFileSync(join(root, 'out/main', m[1]!), 'utf8'), m[1]).not.toMatch(/from "electron"/);
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

  it('builds the download worker as its own file beside the engine, and it fetches a page from the simulator when started from there', async () => {
    const engine = readFileSync(join(root, 'out/main/engine.js'), 'utf8');
    expect(engine).toContain('workerEntry(import.meta.url, "download-worker")');
    const { ExchangeSimulator } = await import('../../engine/src/exchange/simulator/server');
    const sim = await ExchangeSimulator.start({ start: Date.UTC(2024, 0, 10), historyBars: 3000, tradesPerSecond: 0, rateLimit: false });
    const worker = new Worker(pathToFileURL(join(root, 'out/main/download-worker.js')));
    try {
      const want = sim.symbol('BTC/USDT').closedBars();
      const from = want.ts[1000]!;
      const heard = (type: string) =>
        new Promise<{ page: { bars: { length: number; ts: Float64Array; close: Float64Array }; gaps: unknown[] } }>((resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (m: { type: string; error?: unknown }) => (m.type === type ? resolve(m as never) : m.type === 'retry' || reject(new Error(JSON.stringify(m)))));
        });
      worker.postMessage({ type: 'init', spec: { exchange: 'binance', apiUrl: sim.url, rateLimitMs: 0 } });
      await heard('ready');
      worker.removeAllListeners('message');
      worker.postMessage({ type: 'page', id: 1, job: { index: 0, from, to: from + 1000 * 60_000, symbol: 'BTC/USDT', timeframe: '1m' } });
      const { page } = await heard('page');
      expect(page.bars.length).toBe(1000);
      expect(Array.from(page.bars.ts)).toEqual(Array.from(want.ts.subarray(1000, 2000)));
      expect(Array.from(page.bars.close)).toEqual(Array.from(want.close.subarray(1000, 2000)));
      expect(page.gaps).toEqual([]);
    } finally {
      await worker.terminate();
      await sim.stop();
    }
  }, 30_000);
});
