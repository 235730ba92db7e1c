import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import { barPath } from '../../src/app/replay';
import type { BarsPayload, ReplayState, TopicName, Topics } from '../../protocol/index';

let home: string;
let app: EngineApp;
let pushed: { topic: TopicName; item: unknown }[] = [];

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 8_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await app.handlers['ui.heartbeat']({});
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bars = (): Topics['bar'][] => pushed.filter((p) => p.topic === 'bar').map((p) => p.item as Topics['bar']);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-replay-'));
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
});

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

describe('market replay into the paper desk (real DuckDB sample, real SQLite state, wall-clock timers)', () => {
  it('replays bars as forming and closed updates, prices and fills paper orders from them, pauses without tripping the watchdog, and ends done', async () => {
    const all: BarsPayload = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
    const s = all.ts.length - 40;
    // A buy limit below the first replayed close that a later replayed bar trades through.
    const minLow = Math.min(...all.low.slice(s + 1));
    expect(minLow).toBeLessThan(all.close[s]!);
    const limit = Math.round(((all.close[s]! + minLow) / 2) * 100) / 100;

    const started = await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts[s]!, speed: 1 });
    expect(started).toMatchObject({ status: 'playing', symbol: 'BTC/USDT', timeframe: '5m', index: 0, total: 40, cursorTs: all.ts[s] });
    await expect(app.handlers['replay.start']({ symbol: 'NOPE/USD', timeframe: '5m' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A start that fails leaves the running replay alone.
    expect(await app.handlers['replay.control']({ action: 'pause' })).toMatchObject({ status: 'paused', symbol: 'BTC/USDT', index: 0 });
    pushed = [];
    const stepped = await app.handlers['replay.control']({ action: 'step' });
    expect(stepped).toMatchObject({ status: 'paused', index: 1, cursorTs: all.ts[s + 1] });
    const first = bars();
    expect(first.map((b) => b.closed)).toEqual([false, false, false, true]);
    expect(first.map((b) => b.close)).toEqual(barPath(all.open[s]!, all.high[s]!, all.low[s]!, all.close[s]!));
    expect(first[3]).toMatchObject({ ts: all.ts[s], open: all.open[s], high: all.high[s], low: all.low[s], close: all.close[s], volume: all.volume[s] });

    // Orders are priced from the replay, not from the last stored bar.
    const ticket = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, price: limit, size: 0.01, sizeMode: 'qty' as const };
    expect((await app.handlers['orders.preview'](ticket)).referencePrice).toBe(all.close[s]);
    const placed = await app.handlers['orders.place'](ticket);
    expect(placed.ok).toBe(true);
    const id = (placed as { orderId: string }).orderId;
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).some((o) => o.id === id && o.status === 'accepted') ? true : undefined));

    // Paused: no bars, and a silent feed does not trip the watchdog.
    await app.handlers['risk.setLimits']({ watchdogSilenceMs: 300 });
    pushed = [];
    for (let i = 0; i < 8; i++) {
      await app.handlers['ui.heartbeat']({});
      await sleep(100);
    }
    expect(bars()).toHaveLength(0);
    expect((await app.handlers['risk.state']({})).killSwitch.engaged).toBe(false);
    expect((await app.handlers['orders.list']({ scope: 'working' })).map((o) => o.id)).toEqual([id]);

    await app.handlers['replay.control']({ action: 'resume', speed: 200 });
    const done = await until(async () => {
      const st = await app.handlers['replay.state']({});
      return st.status === 'done' ? st : undefined;
    });
    expect(done).toMatchObject({ index: 40, total: 40 });
    expect(pushed.some((p) => p.topic === 'replay' && (p.item as ReplayState).status === 'done')).toBe(true);
    const closed = bars().filter((b) => b.closed);
    expect(closed.map((b) => b.ts)).toEqual(all.ts.slice(s + 1));

    const fill = await until(async () => (await app.handlers['fills.list']({})).find((f) => f.orderId === id));
    expect(fill).toMatchObject({ side: 'buy', qty: 0.01 });
    expect(fill.price).toBeLessThanOrEqual(limit);
    const pos = (await app.handlers['positions.list']({})).find((p) => p.symbol === 'BTC/USDT')!;
    expect(pos.mark).toBe(all.close.at(-1));
    expect((await app.handlers['risk.state']({})).killSwitch.engaged).toBe(false);

    // The live paper book's risk: the position against the symbol's stored hourly history.
    const risk = await app.handlers['risk.analytics']({ source: 'portfolio' });
    expect(risk.source).toBe('portfolio');
    expect(risk.observations).toBeGreaterThan(700); // January 2023 in hours, less the first
    expect(risk.rows).toHaveLength(8);
    expect(risk.notes[0]).toContain('1h');
    // One long BTC position: the book loses on exactly the days BTC fell.
    for (const d of risk.stress) expect(d.pnl).toBeLessThan(0);
    await expect(app.handlers['replay.control']({ action: 'resume' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await app.handlers['replay.control']({ action: 'stop' })).toMatchObject({ status: 'idle', total: 0 });
  });

  it('replays the last 500 bars of the dataset when no start is given', async () => {
    const all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
    const st = await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', speed: 1 });
    expect(st).toMatchObject({ status: 'playing', index: 0, total: 500, cursorTs: all.ts.at(-500) });
    const hourly = await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '1h', speed: 1 });
    const h = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '1h' });
    expect(hourly).toMatchObject({ timeframe: '1h', total: 500, cursorTs: h.ts.at(-500) });
    await expect(app.handlers['replay.control']({ action: 'resume', speed: 0.01 })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'speed' });
    expect(await app.handlers['replay.control']({ action: 'stop' })).toMatchObject({ status: 'idle' });
  });

  it('keeps to its speed in bars per second, also when whole bars go out per tick', async () => {
    for (const speed of [40, 100]) {
      const all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
      const t0 = Date.now();
      await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts.at(-10)!, speed });
      await until(async () => ((await app.handlers['replay.state']({})).status === 'done' ? true : undefined));
      // Ten bars cannot be over before ten bar-times have passed (the first goes out after one step).
      expect(Date.now() - t0, `speed ${speed}`).toBeGreaterThanOrEqual((9 * 1000) / speed);
    }
  });
});
