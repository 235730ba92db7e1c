import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { parseParams, paramSchemas } from '../../protocol/schemas';
import { RpcClient, RpcError, messagePortTransport, type ClientTransport, type MessagePortLike } from '../../protocol/client';
import type { ClientMessage, MethodHandlers, ServerMessage } from '../../protocol/index';
import { ProtocolServer } from '../../src/host/server';
import { portConnection, type MainPortLike } from '../../src/host/port-transport';
import { PushBatcher } from '../../src/host/push-batcher';
import { KeelError } from '../../src/core/errors';

describe('param schemas', () => {
  it('round 2: replay speed is 0..1000 bars/s, replay actions are named, risk.analytics of a backtest needs its runId', () => {
    expect(parseParams('replay.start', { symbol: 'BTC/USDT', timeframe: '5m', speed: 1000 }).ok).toBe(true);
    expect(parseParams('replay.start', { symbol: 'BTC/USDT', timeframe: '5m', speed: 1001 })).toMatchObject({ ok: false, error: { where: 'speed' } });
    expect(parseParams('replay.start', { symbol: 'BTC/USDT', timeframe: '5m', speed: 0 })).toMatchObject({ ok: false, error: { where: 'speed' } });
    expect(parseParams('replay.control', { action: 'rewind' })).toMatchObject({ ok: false, error: { where: 'action' } });
    expect(parseParams('replay.control', { action: 'step' }).ok).toBe(true);
    expect(parseParams('replay.state', {}).ok).toBe(true);
    expect(parseParams('risk.analytics', { source: 'portfolio' }).ok).toBe(true);
    expect(parseParams('risk.analytics', { source: 'backtest', runId: 'bt-1' }).ok).toBe(true);
    expect(parseParams('risk.analytics', { source: 'backtest' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(parseParams('risk.analytics', { source: 'portfolio', runId: 'bt-1' })).toMatchObject({ ok: false });
  });

  it('has one schema per method, and argument-less calls may omit params', () => {
    expect(Object.keys(paramSchemas)).toContain('backtest.run');
    expect(parseParams('engine.info', undefined)).toEqual({ ok: true, params: {} });
  });

  it('checks an order ticket as a whole: a limit needs a price, risk sizing needs a stop', () => {
    const base = { symbol: 'BTC/USDT', side: 'buy', size: 1, sizeMode: 'qty' };
    expect(parseParams('orders.place', { ...base, type: 'limit' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'price' } });
    expect(parseParams('orders.place', { ...base, type: 'limit', price: 100 }).ok).toBe(true);
    expect(parseParams('orders.place', { ...base, type: 'market', sizeMode: 'riskPercent' })).toMatchObject({ ok: false, error: { where: 'riskStop' } });
    expect(parseParams('orders.place', { ...base, type: 'market', size: -1 })).toMatchObject({ ok: false, error: { where: 'size' } });
    expect(parseParams('orders.place', { ...base, type: 'market', side: 'short' })).toMatchObject({ ok: false, error: { where: 'side' } });
  });

  it('refuses unknown keys, naming the key, and non-object params', () => {
    expect(parseParams('risk.setLimits', { maxOrderQty: 5, maxOrderQtty: 6 })).toMatchObject({ ok: false, error: { where: 'maxOrderQtty' } });
    expect(parseParams('risk.setLimits', { maxOrderQty: 5 })).toEqual({ ok: true, params: { maxOrderQty: 5 } });
    expect(parseParams('data.bars', 'BTC')).toMatchObject({ ok: false, error: { where: 'params' } });
    expect(parseParams('data.bars', { symbol: 'BTC/USDT', timeframe: '5m', limit: 0 })).toMatchObject({ ok: false, error: { where: 'limit' } });
  });

  it('lists every issue in details, the first in where', () => {
    const r = parseParams('backtest.run', { strategy: '', params: {}, symbol: 'X', timeframe: '1h', capital: -1, fee: 2, slippage: 0 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = (r.error.details!.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['strategy', 'capital', 'fee']));
  });
});

describe('push batcher', () => {
  it('keeps every event in order but only the latest state per key', async () => {
    const out: [string, unknown[]][] = [];
    const b = new PushBatcher((t, items) => out.push([t, items]), 10);
    b.add('log', { ts: 1, level: 'info', source: 's', message: 'a' });
    b.add('job', { jobId: 'a', kind: 'backtest', done: 1, total: 9, status: 'running' });
    b.add('job', { jobId: 'b', kind: 'backtest', done: 5, total: 9, status: 'running' });
    b.add('job', { jobId: 'a', kind: 'backtest', done: 9, total: 9, status: 'done' });
    b.add('log', { ts: 2, level: 'info', source: 's', message: 'b' });
    expect(out).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(out).toEqual([
      ['log', [expect.objectContaining({ message: 'a' }), expect.objectContaining({ message: 'b' })]],
      ['job', [expect.objectContaining({ jobId: 'a', status: 'done' }), expect.objectContaining({ jobId: 'b', done: 5 })]],
    ]);
    b.close();
  });
});

/** Electron's MessagePortMain delivers {data}; Node's port delivers the value: this is the only difference. */
function asMainPort(port: import('node:worker_threads').MessagePort): MainPortLike {
  return {
    on(event: 'message' | 'close', fn: (e: { data: unknown }) => void) {
      if (event === 'message') port.on('message', (data) => fn({ data }));
      else port.on('close', () => (fn as () => void)());
      return this;
    },
    postMessage: (m) => port.postMessage(m),
    start: () => port.start(),
    close: () => port.close(),
  } as MainPortLike;
}

describe('protocol over a MessagePort (the Electron path)', () => {
  const handlers = {
    'engine.info': () => ({ version: 't', protocol: 1, mode: 'electron', home: '/h', startedAt: 0 }),
    'system.logs': ({ limit }: { limit?: number }) => [{ ts: 0, level: 'info', source: 'x', message: `limit ${limit}` }],
    'data.datasets': () => {
      throw new KeelError('UNAVAILABLE', 'no store', { where: 'market' });
    },
    'data.bars': () => {
      throw new TypeError('a bug');
    },
  } as unknown as MethodHandlers;

  it('round-trips requests, rebuilds errors with code and where, hides internals, and pushes', async () => {
    const logged: string[] = [];
    const server = new ProtocolServer(handlers, () => handlers['engine.info']({}) as never, (_l, m) => logged.push(m), 10);
    const { port1, port2 } = new MessageChannel();
    server.connect(portConnection(asMainPort(port1), 'window#1'));
    const client = new RpcClient(messagePortTransport(port2 as unknown as MessagePortLike));
    const hello = await new Promise((r) => client.onHello(r));
    expect(hello).toMatchObject({ mode: 'electron' });
    expect(await client.request('system.logs', { limit: 3 })).toEqual([{ ts: 0, level: 'info', source: 'x', message: 'limit 3' }]);
    const e1 = (await client.request('data.datasets', {}).catch((e: unknown) => e)) as RpcError;
    expect(e1).toBeInstanceOf(RpcError);
    expect([e1.code, e1.where]).toEqual(['UNAVAILABLE', 'market']);
    const e2 = (await client.request('data.bars', { symbol: 'A', timeframe: '1m' }).catch((e: unknown) => e)) as RpcError;
    expect(e2.code).toBe('INTERNAL');
    expect(e2.message).not.toContain('a bug');
    expect(logged.some((m) => m.includes('a bug'))).toBe(true);
    const got: unknown[] = [];
    client.subscribe('engine', (s) => got.push(s));
    await new Promise((r) => setTimeout(r, 20));
    server.publish('engine', { state: 'ready' });
    await new Promise((r) => setTimeout(r, 40));
    expect(got).toEqual([{ state: 'ready' }]);
    server.close();
    port2.close();
  });
});

describe('hostile messages over a MessagePort (the Electron path goes through the same server)', () => {
  it('answers each with a typed error naming the field, logs them as one line, and keeps serving', async () => {
    const logged: string[] = [];
    const handlers = { 'engine.info': () => ({ version: 't', protocol: 1, mode: 'electron', home: '/h', startedAt: 0 }) } as unknown as MethodHandlers;
    const server = new ProtocolServer(handlers, () => handlers['engine.info']({}) as never, (level, m) => logged.push(`${level} ${m}`), 10);
    const { port1, port2 } = new MessageChannel();
    server.connect(portConnection(asMainPort(port1), 'window#1'));
    const got: ServerMessage[] = [];
    port2.on('message', (m: ServerMessage) => got.push(m));
    const cyclic: Record<string, unknown> = { t: 'req', id: 3, method: 'engine.info' };
    cyclic.params = cyclic;
    const hostile: unknown[] = [
      { t: { toString: 1 } },
      { t: 'req', id: 1, method: { toString: 1, valueOf: 2 } },
      { t: 'req', id: 2, method: 'constructor' },
      cyclic,
      { t: 'req', id: 4n, method: 'engine.info' },
      { t: new Date(0) },
      { t: 'sub', topics: new Set(['log']) },
      { t: 'sub', topics: ['log', { toString: 1 }] },
      'a string',
      null,
    ];
    for (const m of hostile) port2.postMessage(m);
    port2.postMessage({ t: 'req', id: 9, method: 'engine.info', params: {} });
    for (let waited = 0; got.length < hostile.length + 2 && waited < 2_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const byId = (id: number) => got.find((m) => m.t === 'res' && m.id === id);
    expect(byId(1)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'method', message: 'method must be a method name (a string), got an object' } });
    expect(byId(2)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'method', message: 'unknown method "constructor"' } });
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'message' } });
    expect(byId(9)).toMatchObject({ ok: true });
    const idless = got.filter((m): m is Extract<ServerMessage, { t: 'error' }> => m.t === 'error').map((m) => [m.error.code, m.error.where]);
    expect(idless).toEqual([
      ['BAD_INPUT', 't'],
      ['BAD_INPUT', 'id'],
      ['BAD_INPUT', 't'],
      ['BAD_INPUT', 'topics'],
      ['BAD_INPUT', 'topics.1'],
      ['BAD_INPUT', 'message'],
      ['BAD_INPUT', 'message'],
    ]);
    // Ten malformed messages, one warning now and one summary when the connection goes.
    expect(logged.filter((l) => l.includes('malformed'))).toHaveLength(1);
    server.close();
    expect(logged.filter((l) => l.includes('malformed'))).toEqual([expect.stringContaining('window#1 sent a malformed message (t: unknown message type an object'), 'warn window#1 sent 10 malformed messages in the last minute']);
    port2.close();
  });
});

/** A transport whose other end the test plays by hand. */
function manualTransport(): ClientTransport & { sent: ClientMessage[]; deliver(m: ServerMessage): void; drop(): void } {
  let onMsg: (m: ServerMessage) => void = () => {};
  let onClose: () => void = () => {};
  const sent: ClientMessage[] = [];
  return {
    sent,
    send: (m) => void sent.push(m),
    onMessage: (fn) => void (onMsg = fn),
    onClose: (fn) => void (onClose = fn),
    deliver: (m) => onMsg(m),
    drop: () => onClose(),
  };
}

describe('RPC client core', () => {
  it('fails waiting requests when the link is replaced and re-sends subscriptions on the new one', async () => {
    const a = manualTransport();
    const client = new RpcClient(a);
    client.subscribe('job', () => {});
    client.subscribe('risk', () => {});
    const pending = client.request('engine.info', {});
    const b = manualTransport();
    client.attach(b);
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.sent).toEqual([{ t: 'sub', topics: ['job', 'risk'] }]);
    const p2 = client.request('system.logs', { limit: 1 });
    const req = b.sent[1] as Extract<ClientMessage, { t: 'req' }>;
    b.deliver({ t: 'res', id: req.id, ok: true, result: [] });
    expect(await p2).toEqual([]);
  });

  it('times out, and fails fast when not connected', async () => {
    const t = manualTransport();
    const client = new RpcClient(t);
    await expect(client.request('engine.info', {}, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'UNAVAILABLE', where: 'engine.info' });
    t.drop();
    expect(client.connected).toBe(false);
    await expect(client.request('engine.info', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('unsubscribing the last listener of a topic tells the engine', () => {
    const t = manualTransport();
    const client = new RpcClient(t);
    const off = client.subscribe('fill', () => {});
    off();
    expect(t.sent).toEqual([
      { t: 'sub', topics: ['fill'] },
      { t: 'sub', topics: [] },
    ]);
  });
});
