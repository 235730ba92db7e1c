// keel backup while a real `keel serve` runs on the home, then keel restore into a new home
// and a real engine on it: every dataset, order, fill and setting is there.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { RpcClient, webSocketTransport } from '../../protocol/client';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index';
import { BACKUP_MANIFEST, restoreBackup, writeBackup } from '../../src/app/backup';
import { MarketStore } from '../../src/data/market-store';
import { StateStore } from '../../src/state/store';
import { repoRoot, startServe, stubUi, type ServeChild } from '../host/serve-child';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'keel-backup-'));
const serves: ServeChild[] = [];
afterAll(async () => {
  for (const s of serves) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

async function connect(s: ServeChild): Promise<RpcClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + s.token]);
  const client = new RpcClient(webSocketTransport(ws as unknown as Parameters<typeof webSocketTransport>[0]));
  await new Promise<void>((r) => client.onHello(() => r()));
  return client;
}

/** `keel ARGS` as a trader runs it; resolves with its exit code and output, never rejects. */
async function keel(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin', 'keel.js'), ...args], { cwd: root, env: { ...process.env, KEEL_HOME: join(root, 'unused-home') } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('keel backup / keel restore', () => {
  it('backs up a home while keel serve runs on it, and restores every dataset, order, fill and setting into a new home', async () => {
    const home = join(root, 'home');
    const ui = stubUi(root);
    const a = await startServe(home, ui);
    serves.push(a);
    const c = await connect(a);

    // Data: the samples the engine imports on first start, and a file imported now.
    const t0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 300 }, (_, i) => `${t0 + i * 3_600_000},${100 + i},${102 + i},${99 + i},${101 + i},${10 + (i % 7)}`);
    const report = await c.request('data.importText', { name: 'SOL_USDT-1h.csv', content: ['timestamp,open,high,low,close,volume', ...rows].join('\n'), symbol: 'SOL/USDT', timeframe: '1h' });
    expect(report.rowsStored).toBe(300);
    const datasets = await until(async () => {
      const d = await c.request('data.datasets', {});
      return d.some((x) => x.symbol === 'BTC/USDT') ? d : undefined;
    });
    expect(datasets.length).toBeGreaterThanOrEqual(2);

    // Orders and fills: a market order that fills, and a limit far from the market that stays working.
    expect((await c.request('orders.place', { symbol: 'SOL/USDT', side: 'buy', type: 'market', size: 2, sizeMode: 'qty' })).ok).toBe(true);
    expect((await c.request('orders.place', { symbol: 'SOL/USDT', side: 'buy', type: 'limit', size: 1, sizeMode: 'qty', price: 390 })).ok).toBe(true);
    const fills = await until(async () => {
      const f = await c.request('fills.list', {});
      return f.length >= 1 ? f : undefined;
    });
    const orders = await until(async () => {
      const o = await c.request('orders.list', { scope: 'all' });
      return o.length === 2 && o.every((x) => x.status !== 'submitted') ? o : undefined;
    });
    expect(orders.map((o) => o.status).sort()).toEqual(['accepted', 'filled']);

    // Settings: a risk limit and an exchange's API URL.
    const limits = await c.request('risk.setLimits', { maxOrderNotional: 12_345, priceCollarPct: 7 });
    await c.request('exchanges.setApiUrl', { exchange: 'binance', apiUrl: 'http://127.0.0.1:9' });

    // The backup, from another process, while the engine serves (it holds the DuckDB lock).
    const out = join(root, 'backup');
    const b = await keel('backup', '--out', out, '--home', home);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    expect(b.out).toContain('the running engine took the copy');
    expect(existsSync(join(out, BACKUP_MANIFEST))).toBe(true);
    // The engine kept serving, and took the copy inside its home's backups/ and handed it over.
    expect((await c.request('system.status', {})).state).toBe('ready');
    expect(existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')) : []).toEqual([]);

    // Refusals: over a home with something in it, and --force over a home an engine runs on.
    const r1 = await keel('restore', '--from', out, '--home', home);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('not empty');
    const r2 = await keel('restore', '--from', out, '--home', home, '--force');
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('engine is running');

    // Restore into a new home and run a real engine on it.
    const fresh = join(root, 'restored');
    const r = await keel('restore', '--from', out, '--home', fresh);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = await startServe(fresh, ui);
    serves.push(s);
    const d = await connect(s);
    expect(await d.request('data.datasets', {})).toEqual(datasets);
    const sol = await d.request('data.bars', { symbol: 'SOL/USDT', timeframe: '1h' });
    expect(sol.ts.length).toBe(300);
    expect(sol.close[299]).toBe(400);
    expect(await d.request('fills.list', {})).toEqual(fills);
    const restoredOrders = await d.request('orders.list', { scope: 'all' });
    expect(restoredOrders.map((o) => o.id).sort()).toEqual(orders.map((o) => o.id).sort());
    for (const o of orders) {
      const again = restoredOrders.find((x) => x.id === o.id)!;
      // A restart cancels orders working in the previous run (paper reconciliation), so only the status may move, and only that way.
      expect({ ...again, status: o.status, updatedAt: o.updatedAt }).toMatchObject({ ...o });
      if (o.status === 'filled') expect(again.status).toBe('filled');
    }
    expect((await d.request('risk.state', {})).limits).toEqual(limits);
    expect((await d.request('exchanges.list', { ids: ['binance'] }))[0]!.apiUrl).toBe('http://127.0.0.1:9');
    // And the restored market store takes a new import (its sequences came along).
    const more = await d.request('data.importText', { name: 'ETH_USDT-1h.csv', content: ['timestamp,open,high,low,close,volume', ...rows].join('\n'), symbol: 'ETH/USDT', timeframe: '1h' });
    expect(more.rowsStored).toBe(300);
  }, 120_000);

  it('refuses a backup that was changed, cut short or points outside itself, and leaves the home alone', async () => {
    const home = join(root, 'quiet');
    mkdirSync(home);
    const state = StateStore.open(join(home, 'state.sqlite'));
    state.setSetting('probe', { a: 1 }, 1);
    state.close();
    const market = await MarketStore.open(join(home, 'market.duckdb'));
    const out = join(root, 'quiet-backup');
    await writeBackup(home, out, (f) => market.backupTo(f));
    market.close();

    const target = join(root, 'quiet-target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'mine');
    const manifest = readFileSync(join(out, BACKUP_MANIFEST), 'utf8');
    // Tampered: one byte of the state database.
    const db = readFileSync(join(out, 'state.sqlite'));
    db[db.length - 1] ^= 1;
    writeFileSync(join(out, 'state.sqlite'), db);
    await expect(restoreBackup(out, target, { force: true })).rejects.toThrow(/state\.sqlite is not the file that was backed up/);
    db[db.length - 1] ^= 1;
    writeFileSync(join(out, 'state.sqlite'), db);
    // Crafted: a path that leaves the backup.
    const m = JSON.parse(manifest) as { files: { path: string }[] };
    m.files[0]!.path = '../../etc/passwd';
    writeFileSync(join(out, BACKUP_MANIFEST), JSON.stringify(m));
    await expect(restoreBackup(out, target, { force: true })).rejects.toThrow(/a path outside the backup/);
    // Cut short: no manifest.
    rmSync(join(out, BACKUP_MANIFEST));
    await expect(restoreBackup(out, target, { force: true })).rejects.toThrow(/not a Keel backup/);
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(readdirSync(root).filter((f) => f.includes('restoring'))).toEqual([]);

    // Intact, with --force: the old contents are kept beside the home.
    writeFileSync(join(out, BACKUP_MANIFEST), manifest);
    const done = await restoreBackup(out, target, { force: true });
    expect(readFileSync(join(done.previous!, 'keep.txt'), 'utf8')).toBe('mine');
    const back = StateStore.open(join(target, 'state.sqlite'));
    expect(back.setting('probe')).toEqual({ a: 1 });
    back.close();
  });

  it('backs up a home no engine runs on by itself, and says what is wrong with its flags', async () => {
    const alone = await keel('backup', '--out', join(root, 'alone-backup'), '--home', join(root, 'quiet-target'));
    expect(alone.err).toBe('');
    expect(alone.out).not.toContain('running engine');
    expect(alone.out).toMatch(/keel backup: \d+ files/);
    const b = await keel('backup');
    expect(b.code).toBe(2);
    expect(b.err).toContain('--out');
    const bogus = await keel('backup', '--bogus');
    expect(bogus.code).toBe(2);
    expect(bogus.err).toContain("Unknown option '--bogus'");
    expect(bogus.err).not.toContain('    at ');
    const r = await keel('restore', '--from', join(root, 'nowhere'), '--home', join(root, 'x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a Keel backup');
  });
});
