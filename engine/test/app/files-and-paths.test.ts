// Item 8 of the hardening issue: data.export writes only where the trader picked (the exports
// folder headless, a save dialog's path under Electron) and never overwrites unasked;
// data.importFile refuses the engine's own files and quotes nothing of a file that is not
// market data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import { toWireError } from '../../src/host/wire-error';

let dir: string;
let home: string;
let app: EngineApp;

/** The error a call fails with, as the wire carries it. */
async function wireFailure(call: () => unknown): Promise<{ code: string; message: string; where?: string; details?: unknown }> {
  try {
    await call();
  } catch (e) {
    return toWireError(e);
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-paths-'));
  home = join(dir, 'home');
  app = new EngineApp({ home, mode: 'headless' });
  await app.start();
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const btc = { symbol: 'BTC/USDT', timeframe: '5m', format: 'csv' as const };

describe('data.export (headless)', () => {
  it('writes into <home>/exports and will not overwrite an export unless asked', async () => {
    const first = await app.handlers['data.export'](btc);
    expect(first).toEqual({ path: join(home, 'exports', 'BTC-USDT-5m.csv'), rows: 10_999 });
    const before = statSync(first.path).mtimeMs;
    const again = await wireFailure(() => app.handlers['data.export'](btc));
    expect(again).toMatchObject({ code: 'BAD_INPUT', where: 'overwrite', message: 'overwrite: a file of that name exists; export under another name, or ask to overwrite it' });
    expect(statSync(first.path).mtimeMs).toBe(before);
    expect((await app.handlers['data.export']({ ...btc, overwrite: true })).rows).toBe(10_999);
    expect(readFileSync(first.path, 'utf8').split('\n')[0]).toBe('timestamp,open,high,low,close,volume');
    // A name of the trader's, and a subfolder of exports, are fine.
    expect((await app.handlers['data.export']({ ...btc, path: 'mine.csv' })).path).toBe(join(home, 'exports', 'mine.csv'));
    expect((await app.handlers['data.export']({ ...btc, path: 'jan/btc.csv' })).path).toBe(join(home, 'exports', 'jan', 'btc.csv'));
  });

  it('refuses any path outside the exports folder, and leaves the file there untouched', async () => {
    const victim = join(dir, 'victim.csv');
    writeFileSync(victim, 'precious\n');
    mkdirSync(join(home, 'exports'), { recursive: true });
    symlinkSync(dir, join(home, 'exports', 'out'));
    for (const path of [victim, '../../victim.csv', '../victim.csv', join(home, 'state.csv'), 'out/victim.csv', 'out/new.csv']) {
      const e = await wireFailure(() => app.handlers['data.export']({ ...btc, path, overwrite: true }));
      expect([path, e.code, e.where]).toEqual([path, 'BAD_INPUT', 'path']);
      expect(e.message).toContain(`exports are written inside ${join(home, 'exports')}`);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(existsSync(join(dir, 'new.csv'))).toBe(false);
  });
});

describe('data.export under Electron', () => {
  it('writes where the save dialog pointed (main grants that one path), and nowhere else', async () => {
    const eHome = join(dir, 'electron-home');
    const e = new EngineApp({ home: eHome, mode: 'electron' });
    await e.start();
    try {
      const chosen = join(dir, 'chosen.csv');
      writeFileSync(chosen, 'old\n');
      // Not granted: refused like headless.
      expect(await wireFailure(() => e.handlers['data.export']({ ...btc, path: chosen }))).toMatchObject({ code: 'BAD_INPUT', where: 'path' });
      expect(readFileSync(chosen, 'utf8')).toBe('old\n');
      // The dialog asked about replacing it; the grant covers one export.
      e.grantExport(chosen);
      expect(await e.handlers['data.export']({ ...btc, path: chosen })).toEqual({ path: chosen, rows: 10_999 });
      expect(readFileSync(chosen, 'utf8').split('\n')[1]).toMatch(/^1672677900000,/);
      expect(await wireFailure(() => e.handlers['data.export']({ ...btc, path: chosen }))).toMatchObject({ where: 'path' });
      // A grant reaches a headless engine never.
      app.grantExport(chosen);
      expect(await wireFailure(() => app.handlers['data.export']({ ...btc, path: chosen, overwrite: true }))).toMatchObject({ where: 'path' });
    } finally {
      await e.close();
    }
  });
});

describe('data.importFile', () => {
  it("refuses the engine's own files, however the path is spelled", async () => {
    const link = join(dir, 'token-link');
    writeFileSync(join(home, 'serve-token'), `${'ab'.repeat(32)}\n`);
    symlinkSync(join(home, 'serve-token'), link);
    linkSync(join(home, 'serve-token'), join(dir, 'token-hardlink'));
    const cases: [string, string][] = [
      [join(home, 'serve-token'), 'serve token'],
      [link, 'serve token'],
      [join(dir, 'token-hardlink'), 'serve token'],
      [join(home, '.', 'market.duckdb'), 'market store'],
      [join(home, 'state.sqlite'), 'state database'],
      [join(home, 'logs', 'engine.log'), 'log'],
      [join(home, 'logs'), 'log'],
    ];
    for (const [path, what] of cases) {
      const e = await wireFailure(() => app.handlers['data.importFile']({ path }));
      expect([path, e]).toEqual([path, { code: 'BAD_INPUT', where: 'path', message: `path: refused: that is the engine's ${what}, not market data` }]);
    }
    const token = readFileSync(join(home, 'serve-token'), 'utf8').trim();
    expect(token).toBe('ab'.repeat(32));
  });

  it('never quotes a line of a file that is not market data, on the wire', async () => {
    const secret = join(dir, 'passwd');
    writeFileSync(secret, 'root:x:0:0:SECRET-LINE-ONE:/root:/bin/bash\ndaemon:x:1:1:SECRET-LINE-TWO\n');
    const e = await wireFailure(() => app.handlers['data.importFile']({ path: secret }));
    expect(e.code).toBe('BAD_FILE');
    expect(JSON.stringify(e)).not.toMatch(/SECRET|root|daemon/);
    expect(e.message).toContain("no open, high, low, close column among the header's 1 field");
    const csvish = join(dir, 'keys.csv');
    writeFileSync(csvish, 'api_key,secret\nAKIA-SECRET-KEY,very-SECRET-value\n');
    const e2 = await wireFailure(() => app.handlers['data.importFile']({ path: csvish, symbol: 'K' }));
    expect(JSON.stringify(e2)).not.toMatch(/SECRET|AKIA|api_key/);
  });
});
