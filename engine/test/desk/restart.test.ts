// Strategies running with open positions and working orders; the engine is killed with
// SIGKILL and started again on the same home: the same strategies are running on the same
// ledgers, and no order has been doubled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { RpcClient, webSocketTransport } from '../../protocol/client';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index';
import { StateStore } from '../../src/state/store';

const KEEL = join(import.meta.dirname, '../../../bin/keel.js');
const home = mkdtempSync(join(tmpdir(), 'keel-restart-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

async function serve(): Promise<{ child: ChildProcess; client: RpcClient }> {
  const child = spawn(process.execPath, [KEEL, 'serve', '--port', '0', '--home', home], { env: { ...process.env, KEEL_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL from keel serve:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`keel serve exited with ${code}:\n${out}`)));
  });
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + u.hash.slice('#token='.length)]);
  const client = new RpcClient(webSocketTransport(ws as unknown as Parameters<typeof webSocketTransport>[0]));
  await new Promise<void>((r) => client.onHello(() => r()));
  return { child, client };
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a SIGKILL while strategies run', () => {
  it('restarts with the same strategies on the same ledgers, and no order doubled', async () => {
    const a = await serve();
    const c = a.client;
    const bars = await c.request('data.bars', { symbol: 'BTC/USDT', timeframe: '5m' });
    await c.request('replay.start', { symbol: 'BTC/USDT', timeframe: '5m', from: bars.ts[bars.ts.length - 400]!, speed: 40 });
    const breakout = await c.request('strategies.start', { strategy: 'breakout', params: { channel: 5, exitChannel: 5 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 9_000 });
    const trend = await c.request('strategies.start', { strategy: 'trend', params: { fast: 3, slow: 8, minAtrPct: 0 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 9_000 });
    // A manual order far from the market, working beside them.
    const placed = await c.request('orders.place', { symbol: 'BTC/USDT', side: 'buy', type: 'limit', size: 0.01, sizeMode: 'qty', price: Math.round(bars.close[bars.close.length - 400]! * 0.965) });
    expect(placed.ok).toBe(true);
    // Play until, paused, the breakout holds a position protected by its working stop and every
    // order is acknowledged: what the journal holds is settled when the process dies.
    const before = await until(async () => {
      await c.request('replay.control', { action: 'resume' });
      await new Promise((r) => setTimeout(r, 150));
      await c.request('replay.control', { action: 'pause' });
      await new Promise((r) => setTimeout(r, 400));
      const orders = await c.request('orders.list', { scope: 'all', limit: 10_000 });
      const held = (await c.request('ledgers.list', {})).find((l) => l.id === breakout.id)!.positions.length > 0;
      const settled = orders.every((o) => o.status !== 'submitted');
      const protectedBy = orders.some((o) => o.ledger === breakout.id && o.status === 'accepted');
      return held && settled && protectedBy ? orders : undefined;
    }, 60_000);
    const ledgersBefore = await c.request('ledgers.list', {});
    const working = before.filter((o) => o.status === 'accepted' || o.status === 'partially_filled');
    expect(working.some((o) => o.ledger === breakout.id)).toBe(true);
    expect(working.some((o) => o.ledger === 'manual')).toBe(true);

    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));

    const b = await serve();
    const d = b.client;
    const instances = await d.request('strategies.instances', {});
    expect(instances.filter((i) => i.state === 'running').map((i) => i.id).sort()).toEqual([breakout.id, trend.id].sort());
    const ledgersAfter = await d.request('ledgers.list', {});
    const book = (ls: typeof ledgersAfter) => ls.map((l) => ({ id: l.id, cash: l.cash, fees: l.fees, realized: l.realizedPnl, positions: l.positions.map((p) => [p.symbol, p.qty, p.avgPrice]) }));
    expect(book(ledgersAfter)).toEqual(book(ledgersBefore));
    const after = await d.request('orders.list', { scope: 'all', limit: 10_000 });
    // No order sent again: the same orders, no new ones; the paper venue's working orders died with it.
    expect(after.map((o) => o.id).sort()).toEqual(before.map((o) => o.id).sort());
    expect(new Set(after.map((o) => o.clientOrderId)).size).toBe(after.length);
    for (const o of working) expect(after.find((x) => x.id === o.id)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/keeps no orders across a restart/) });
    const logs = await d.request('strategies.logs', { id: breakout.id });
    expect(logs.some((l) => /resumed after a restart/.test(l.message))).toBe(true);
    b.child.kill('SIGTERM');
    await new Promise((r) => b.child.once('exit', r));

    // On disk: every ledger's stored position is the sum of its fills.
    const store = StateStore.open(join(home, 'state.sqlite'));
    const net = store.netFilledQty();
    for (const p of store.positions()) expect(p.qty).toBeCloseTo(net.get(`${p.ledger}|${p.symbol}`) ?? 0, 9);
    store.close();
  }, 120_000);
});
