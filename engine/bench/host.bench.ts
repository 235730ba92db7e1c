// Headless engine: time to listen, time until the first answer that needs the market store
// (fresh home: includes the first-start sample import), request round-trip over the
// WebSocket, and how many messages a burst of pushes costs the client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHeadless } from '../src/host/headless';
import { RpcClient, webSocketTransport, type WebSocketLike } from '../protocol/client';

async function connect(port: number, token: string): Promise<{ client: RpcClient; ws: WebSocket; frames: () => number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
  let frames = 0;
  ws.on('message', () => frames++);
  const client = new RpcClient(webSocketTransport(ws as unknown as WebSocketLike));
  await new Promise<void>((r) => client.onHello(() => r()));
  return { client, ws, frames: () => frames };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'keel-bench-host-'));
  try {
    for (const label of ['fresh home', 'warm home']) {
      const t0 = performance.now();
      const engine = await startHeadless({ port: 0, home, uiDir: join(home, 'no-ui') });
      const listening = performance.now() - t0;
      const { client, ws } = await connect(engine.port, engine.token);
      await client.request('data.datasets', {});
      const firstData = performance.now() - t0;
      console.log(`${label}: listening after ${listening.toFixed(1)} ms; first data.datasets answered after ${firstData.toFixed(0)} ms`);
      if (label === 'warm home') {
        const lat: number[] = [];
        for (let i = 0; i < 2000; i++) {
          const s = performance.now();
          await client.request('engine.info', {});
          lat.push(performance.now() - s);
        }
        lat.sort((a, b) => a - b);
        console.log(`engine.info round trip over ws, 2000 calls: p50 ${pct(lat, 50).toFixed(3)} ms, p99 ${pct(lat, 99).toFixed(3)} ms`);
        const s = performance.now();
        const bars = await client.request('data.bars', { symbol: 'BTC/USDT', timeframe: '5m' });
        console.log(`data.bars, ${bars.ts.length} bars: ${(performance.now() - s).toFixed(1)} ms`);
      }
      ws.close();
      await engine.close();
    }
    const engine = await startHeadless({ port: 0, home, uiDir: join(home, 'no-ui'), pushIntervalMs: 50 });
    const { ws, frames } = await connect(engine.port, engine.token);
    ws.send(JSON.stringify({ t: 'sub', topics: ['account', 'bar'] }));
    await new Promise((r) => setTimeout(r, 20));
    const before = frames();
    const s = performance.now();
    for (let i = 0; i < 100_000; i++) {
      engine.app.publish('account', { currency: 'USD', cash: i, equity: i, realizedPnl: 0, unrealizedPnl: 0, feesPaid: 0, grossExposure: 0 });
      engine.app.publish('bar', { symbol: 'BTC/USDT', timeframe: '1m', ts: Math.floor(i / 1000) * 60_000, open: 1, high: 1, low: 1, close: 1, volume: i, closed: false });
    }
    const publishMs = performance.now() - s;
    await new Promise((r) => setTimeout(r, 150));
    console.log(`200000 pushes published in ${publishMs.toFixed(0)} ms -> ${frames() - before} WebSocket frames to the client`);
    ws.close();
    await engine.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
