import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { startHeadless, type HeadlessEngine } from '../../src/host/headless';
import { RpcClient, RpcError, webSocketTransport } from '../../protocol/client';
import { TOPIC_NAMES, WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX, type ServerMessage } from '../../protocol/index';

let dir: string;
let engine: HeadlessEngine;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: engine.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function connectClient(): Promise<{ client: RpcClient; ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + engine.token]);
  const client = new RpcClient(webSocketTransport(ws as unknown as Parameters<typeof webSocketTransport>[0]));
  await new Promise<void>((r) => client.onHello(() => r()));
  return { client, ws };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-headless-'));
  const ui = join(dir, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Keel</title>');
  writeFileSync(join(ui, 'assets', 'app-abc123.js'), 'console.log(1)');
  writeFileSync(join(ui, 'assets', 'app-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'outside the UI dir');
  engine = await startHeadless({ port: 0, home: join(dir, 'home'), uiDir: ui, pushIntervalMs: 30 });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('headless engine: auth', () => {
  it('prints a 127.0.0.1 URL whose token travels in the fragment', () => {
    expect(engine.url).toBe(`http://127.0.0.1:${engine.port}/#token=${engine.token}`);
    expect(engine.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a WebSocket without a token, or with a wrong one, with HTTP 401', async () => {
    await expect(openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}`)).rejects.toThrow('HTTP 401');
    await expect(openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}?token=${'0'.repeat(64)}`)).rejects.toThrow('HTTP 401');
    await expect(openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}`, [WS_SUBPROTOCOL, `${WS_TOKEN_SUBPROTOCOL_PREFIX}nope`])).rejects.toThrow('HTTP 401');
  });

  it('accepts the token as a query parameter and as a subprotocol', async () => {
    const a = await openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}?token=${engine.token}`);
    const b = await openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + engine.token]);
    expect(b.protocol).toBe(WS_SUBPROTOCOL);
    a.close();
    b.close();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await get('/', { Host: 'evil.example:80' });
    expect(r.status).toBe(403);
  });
});

describe('headless engine: protocol', () => {
  it('greets with hello and answers a request', async () => {
    const { client, ws } = await connectClient();
    expect(client.info?.mode).toBe('headless');
    const info = await client.request('engine.info', {});
    expect(info.protocol).toBe(1);
    expect(info.home).toBe(join(dir, 'home'));
    const status = await client.request('system.status', {});
    expect(status.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(status.rssBytes).toBeGreaterThan(1e6);
    ws.close();
  });

  it('answers a bad request with BAD_INPUT and the param path', async () => {
    const { client, ws } = await connectClient();
    const err = await client.request('data.bars', { symbol: 'BTC/USDT', timeframe: 'five minutes' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('BAD_INPUT');
    expect((err as RpcError).where).toBe('timeframe');
    const nested = await client
      .request('backtest.run', { strategy: 'x', params: { fast: [1] as unknown as number }, symbol: 'A', timeframe: '1h', capital: 1000, fee: 0, slippage: 0 })
      .catch((e: unknown) => e);
    expect((nested as RpcError).where).toBe('params.fast');
    const unknownKey = await client.request('system.logs', { limit: 5, colour: 'red' } as never).catch((e: unknown) => e);
    expect((unknownKey as RpcError).where).toBe('colour');
    ws.close();
  });

  it('answers an unknown method and junk frames without dying', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}?token=${engine.token}`);
    const got: ServerMessage[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString()) as ServerMessage));
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'req', id: 7, method: 'rm -rf', params: {} }));
    ws.send(JSON.stringify({ t: 'req', id: 8, method: 'engine.info' }));
    await new Promise((r) => setTimeout(r, 100));
    const res7 = got.find((m) => m.t === 'res' && m.id === 7);
    expect(res7).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'method' } });
    expect(got.find((m) => m.t === 'res' && m.id === 8)).toMatchObject({ ok: true });
    ws.close();
  });

  it('batches pushes: many events become few messages, coalesced per key', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}?token=${engine.token}`);
    const pushes: Extract<ServerMessage, { t: 'push' }>[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as ServerMessage;
      if (m.t === 'push') pushes.push(m);
    });
    ws.send(JSON.stringify({ t: 'sub', topics: ['account', 'bar', 'log'] }));
    await new Promise((r) => setTimeout(r, 20));
    const account = (equity: number) => ({ currency: 'USD', cash: equity, equity, realizedPnl: 0, unrealizedPnl: 0, feesPaid: 0, grossExposure: 0 });
    for (let i = 0; i < 1000; i++) engine.app.publish('account', account(i));
    for (let i = 0; i < 500; i++) {
      const ts = i < 250 ? 0 : 60_000;
      engine.app.publish('bar', { symbol: 'BTC/USDT', timeframe: '1m', ts, open: 1, high: 2, low: 0.5, close: i, volume: i, closed: false });
    }
    for (let i = 0; i < 20; i++) engine.app.publish('log', { ts: i, level: 'info', source: 't', message: `m${i}` });
    engine.app.publish('fill', { id: 'f', orderId: 'o', clientOrderId: 'c', symbol: 'X', side: 'buy', qty: 1, price: 1, fee: 0, liquidity: 'taker', ts: 0 });
    await new Promise((r) => setTimeout(r, 150));
    const byTopic = (t: string) => pushes.filter((p) => p.topic === t);
    expect(byTopic('account')).toHaveLength(1);
    expect(byTopic('account')[0]!.items).toEqual([account(999)]);
    expect(byTopic('bar')).toHaveLength(1);
    // One item per bar: each bar's last update, in order.
    expect(byTopic('bar')[0]!.items.map((b) => (b as { close: number }).close)).toEqual([249, 499]);
    const logs = byTopic('log').flatMap((p) => p.items).filter((l) => (l as { source: string }).source === 't');
    expect(logs).toHaveLength(20);
    expect(byTopic('fill')).toHaveLength(0); // not subscribed
    ws.close();
  });
});

describe('headless engine: subscriptions', () => {
  it('a client can subscribe to every topic the protocol defines, replay included', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${engine.port}${WS_PATH}?token=${engine.token}`);
    const topics = new Set<string>();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as ServerMessage;
      if (m.t === 'push') topics.add(m.topic);
    });
    ws.send(JSON.stringify({ t: 'sub', topics: TOPIC_NAMES }));
    await new Promise((r) => setTimeout(r, 20));
    engine.app.publish('replay', { status: 'paused', symbol: 'BTC/USDT', timeframe: '5m', index: 3, total: 10, speed: 2 });
    engine.app.publish('denial', { check: 'max_order_qty', reason: 'too big', ts: 1, symbol: 'BTC/USDT', side: 'buy' });
    await new Promise((r) => setTimeout(r, 150));
    expect(topics.has('replay')).toBe(true);
    expect(topics.has('denial')).toBe(true);
    ws.close();
  });
});

describe('headless engine: static UI', () => {
  it('serves index.html with a strict CSP and assets with their content types', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(index.body).not.toContain(engine.token);
    expect((await get('/assets/app-abc123.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/assets/app-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/chart/BTC')).body).toContain('<title>Keel</title>');
    expect((await get('/favicon.ico')).status).toBe(204);
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('refuses to leave the UI directory', async () => {
    for (const p of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..\\secret.txt', '/%00']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('outside the UI dir');
    }
  });
});
