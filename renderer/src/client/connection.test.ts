import { describe, expect, it } from 'vitest';
import * as bridge from '../../../engine/protocol/bridge';
import * as protocol from '../../../engine/protocol/index';
import type { ClientMessage, EngineInfo, ServerMessage } from '../../../engine/protocol';
import type { WebSocketLike } from '../../../engine/protocol/client';
import { WIRE, hashParams, websocketProtocols, websocketUrl } from './connect';
import { EngineConnection, keepWebSocket, type ConnectionState } from './connection';

const info: EngineInfo = { version: '0.1.0', protocol: 1, mode: 'headless', home: '/tmp/x', startedAt: 1, tradingMode: 'paper' };

/** An in-memory engine on the far side of a fake WebSocket: answers requests, can push and die. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: ClientMessage[] = [];
  private listeners = new Map<string, ((e: { data?: unknown }) => void)[]>();
  addEventListener(type: string, fn: (e: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(data: string): void {
    const msg = JSON.parse(data) as ClientMessage;
    this.sent.push(msg);
    if (msg.t === 'req') {
      const reply: ServerMessage =
        msg.method === 'engine.info'
          ? { t: 'res', id: msg.id, ok: true, result: info }
          : { t: 'res', id: msg.id, ok: false, error: { code: 'NOT_FOUND', message: 'no such run', where: 'runId' } };
      queueMicrotask(() => this.emit('message', { data: JSON.stringify(reply) }));
    }
  }
  close(): void {
    this.readyState = 3;
    this.emit('close', {});
  }
  open(): void {
    this.readyState = 1;
    this.emit('open', {});
    this.emit('message', { data: JSON.stringify({ t: 'hello', protocol: 1, info } satisfies ServerMessage) });
  }
  push(msg: ServerMessage): void {
    this.emit('message', { data: JSON.stringify(msg) });
  }
  private emit(type: string, e: { data?: unknown }): void {
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('engine connection over a reconnecting WebSocket', () => {
  it('goes ready on hello, answers calls, rebuilds errors, and re-subscribes after a drop', async () => {
    const sockets: FakeSocket[] = [];
    const conn = new EngineConnection();
    const states: ConnectionState[] = [];
    conn.onState((s) => states.push(s));
    let readies = 0;
    conn.onReady(() => readies++);
    const fills: string[] = [];
    conn.on('fill', (f) => fills.push(f.id));
    const stop = keepWebSocket(conn, () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    }, { minDelayMs: 1, maxDelayMs: 2 });

    sockets[0]!.open();
    expect(conn.state).toBe('ready');
    expect(await conn.call('engine.info', {})).toEqual(info);
    await expect(conn.call('backtest.get', { runId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', where: 'runId' });
    expect(sockets[0]!.sent.find((m) => m.t === 'sub')).toMatchObject({ topics: expect.arrayContaining(['engine', 'fill']) });

    sockets[0]!.push({ t: 'push', topic: 'fill', items: [{ id: 'f1' }, { id: 'f2' }] });
    expect(fills).toEqual(['f1', 'f2']);

    sockets[0]!.close();
    expect(conn.state).toBe('restarting');
    await expect(conn.call('engine.info', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await new Promise((r) => setTimeout(r, 10));
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    await tick();
    expect(conn.state).toBe('ready');
    expect(readies).toBe(2);
    expect(sockets[1]!.sent.find((m) => m.t === 'sub')).toMatchObject({ topics: expect.arrayContaining(['fill']) });
    expect(states).toEqual(['connecting', 'ready', 'restarting', 'ready']);
    stop();
  });

  it('shows an engine-announced restart and feeds injected pushes to subscribers', () => {
    const conn = new EngineConnection();
    const s = new FakeSocket();
    keepWebSocket(conn, () => s);
    s.open();
    const bars: number[] = [];
    conn.on('bar', (b) => bars.push(b.close));
    conn.inject({ t: 'push', topic: 'bar', items: [{ symbol: 'X', timeframe: '1m', ts: 0, open: 1, high: 1, low: 1, close: 7, volume: 0, closed: false }] });
    expect(bars).toEqual([7]);
    s.push({ t: 'push', topic: 'engine', items: [{ state: 'restarting', message: 'upgrade' }] });
    expect(conn.state).toBe('restarting');
  });
});

describe('connect helpers', () => {
  it('agree with the protocol constants they repeat', () => {
    expect(WIRE.wsPath).toBe(protocol.WS_PATH);
    expect(WIRE.wsSubprotocol).toBe(protocol.WS_SUBPROTOCOL);
    expect(WIRE.wsTokenPrefix).toBe(protocol.WS_TOKEN_SUBPROTOCOL_PREFIX);
    expect(WIRE.enginePortMessage).toBe(protocol.ENGINE_PORT_MESSAGE);
    expect(WIRE.engineLostMessage).toBe(bridge.ENGINE_LOST_MESSAGE);
  });

  it('builds the socket address and carries the token as a subprotocol', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:7419' })).toBe('ws://127.0.0.1:7419/ws');
    expect(websocketProtocols('#token=abc&debug=1')).toEqual(['keel.v1', 'keel-token.abc']);
    expect(hashParams('#token=abc&debug=1').get('debug')).toBe('1');
  });
});
