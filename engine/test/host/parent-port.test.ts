import { afterAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { EngineApp } from '../../src/app/engine-app';
import { serveParentPort } from '../../src/host/parent-port';
import type { MainPortLike, ParentPortLike } from '../../src/host/port-transport';
import { asMainPort } from './main-port';
import { RpcClient, messagePortTransport, type MessagePortLike } from '../../protocol/client';
import type { EngineToMain, MainToEngine } from '../../protocol/control';

/** process.parentPort as the utility process sees it, driven by the test playing main. */
class FakeParentPort extends EventEmitter implements ParentPortLike {
  readonly toMain: EngineToMain[] = [];
  postMessage(m: unknown): void {
    this.toMain.push(m as EngineToMain);
    this.emit('to-main', m);
  }
  send(data: MainToEngine, ports: MainPortLike[] = []): void {
    this.emit('message', { data, ports });
  }
}

const home = mkdtempSync(join(tmpdir(), 'keel-parent-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('engine under Electron (parent port protocol)', () => {
  it('reports ready, serves a window over its port, takes the kill switch from main, and shuts down cleanly', async () => {
    const parent = new FakeParentPort();
    const app = new EngineApp({ home, mode: 'electron' });
    let exitCode: number | undefined;
    await serveParentPort(parent, app, (c) => (exitCode = c));
    expect(parent.toMain[0]).toMatchObject({ type: 'ready', info: { mode: 'electron', home } });

    const { port1, port2 } = new MessageChannel();
    parent.send({ type: 'connect', windowId: 1 }, [asMainPort(port1)]);
    const client = new RpcClient(messagePortTransport(port2 as unknown as MessagePortLike));
    expect((await client.request('data.datasets', {}))[0]).toMatchObject({ symbol: 'BTC/USDT', rows: 10999 });

    parent.send({ type: 'killSwitch', reason: 'global shortcut' });
    const engaged = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = await client.request('risk.state', {});
        if (s.killSwitch.engaged) return s;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('kill switch not engaged');
    })();
    expect(engaged.killSwitch.reason).toBe('global shortcut');
    await client.request('risk.killSwitch', { engage: false });

    // An export goes where main's save dialog pointed, once main granted the path; the page alone cannot name one.
    const chosen = join(home, '..', `${basename(home)}-chosen.csv`);
    await expect(client.request('data.export', { symbol: 'BTC/USDT', timeframe: '5m', format: 'csv', path: chosen })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'path' });
    parent.send({ type: 'grantExport', path: chosen });
    expect(await client.request('data.export', { symbol: 'BTC/USDT', timeframe: '5m', format: 'csv', path: chosen })).toEqual({ path: chosen, rows: 10_999 });
    expect(readFileSync(chosen, 'utf8').split('\n')).toHaveLength(11_001);
    rmSync(chosen);

    const stopped = new Promise((r) => parent.on('to-main', (m: EngineToMain) => m.type === 'stopped' && r(m)));
    parent.send({ type: 'shutdown' });
    await stopped;
    expect(exitCode).toBe(0);
    port2.close();
  });
});
