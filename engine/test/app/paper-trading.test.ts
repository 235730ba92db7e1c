import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import type { TopicName } from '../../protocol/index';

const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'data', 'samples', 'btc-usdt-5m-2023-01.csv');
const LAST_CLOSE = Number(readFileSync(SAMPLE, 'utf8').trim().split('\n').at(-1)!.split(',')[4]);

let home: string;
let app: EngineApp;
let pushed: { topic: TopicName; item: unknown }[] = [];

function open(): Promise<void> {
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  return app.start();
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 5_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-paper-'));
  await open();
});

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

describe('paper trading from the ticket (real SQLite state, DuckDB prices)', () => {
  it('previews without using up the order: same size, a verdict, and place still goes through', async () => {
    const t = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, size: 1_000, sizeMode: 'notional' as const };
    const p = await app.handlers['orders.preview'](t);
    expect(p.referencePrice).toBe(LAST_CLOSE);
    expect(p.qty).toBeCloseTo(1_000 / LAST_CLOSE, 12);
    expect(p.verdict).toEqual({ ok: true });
    await app.handlers['orders.preview'](t);
    const huge = await app.handlers['orders.preview']({ ...t, size: 1e9 });
    expect(huge.verdict.ok).toBe(false);
  });

  it('fills a market order at the latest close plus the paper slippage, and pushes the fill and the book', async () => {
    pushed = [];
    const r = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 0.05, sizeMode: 'qty' });
    expect(r.ok).toBe(true);
    const pos = await until(async () => (await app.handlers['positions.list']({})).find((p) => p.symbol === 'BTC/USDT'));
    expect(pos.qty).toBe(0.05);
    expect(pos.avgPrice).toBeCloseTo(LAST_CLOSE * (1 + 5 / 10_000), 8);
    const acct = await app.handlers['account.get']({});
    expect(acct.cash).toBeCloseTo(100_000 - 0.05 * pos.avgPrice * (1 + 0.0026), 6);
    const topics = new Set(pushed.map((p) => p.topic));
    for (const t of ['order', 'fill', 'positions', 'account'] as const) expect(topics.has(t), t).toBe(true);
    const orders = await app.handlers['orders.list']({ scope: 'all' });
    expect(orders[0]).toMatchObject({ id: (r as { orderId: string }).orderId, status: 'filled', filledQty: 0.05, owner: 'ticket' });
    expect((await app.handlers['fills.list']({}))[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', qty: 0.05 });
  });

  it('keeps a limit below the market working until cancelled', async () => {
    const r = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: Math.round(LAST_CLOSE * 0.98), size: 0.01, sizeMode: 'qty' });
    expect(r.ok).toBe(true);
    const id = (r as { orderId: string }).orderId;
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).some((o) => o.id === id && o.status === 'accepted') ? true : undefined));
    expect(await app.handlers['orders.cancel']({ orderId: id })).toEqual({ cancelled: true });
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).length === 0 ? true : undefined));
  });

  it('names the ticket field at fault the way schema errors do', async () => {
    const e = await Promise.resolve()
      .then(() => app.handlers['orders.preview']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 1, sizeMode: 'riskPercent', riskStop: LAST_CLOSE * 2 }))
      .then(
        () => undefined,
        (x: unknown) => x as { code: string; where: string; message: string },
      );
    expect(e).toMatchObject({ code: 'BAD_INPUT', where: 'riskStop' });
    expect(e!.message).toContain('must be below the entry');
  });

  it('sizes a risk-percent ticket from equity and the protective stop', async () => {
    const stop = Math.round(LAST_CLOSE * 0.99);
    const p = await app.handlers['orders.preview']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 0.5, sizeMode: 'riskPercent', riskStop: stop });
    const equity = (await app.handlers['account.get']({})).equity;
    expect(p.qty).toBeCloseTo((equity * 0.005) / (LAST_CLOSE - stop), 9);
  });

  it('the kill switch cancels working orders, refuses new ones, and stays latched across a restart', async () => {
    const r = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', price: Math.round(LAST_CLOSE * 1.02), size: 0.01, sizeMode: 'qty' });
    expect(r.ok).toBe(true);
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).length === 1 ? true : undefined));
    const state = await app.handlers['risk.killSwitch']({ engage: true, reason: 'test' });
    expect(state.killSwitch).toMatchObject({ engaged: true, reason: 'test' });
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).length === 0 ? true : undefined));
    const denied = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 0.01, sizeMode: 'qty' });
    expect(denied).toMatchObject({ ok: false, check: 'kill_switch' });
    expect(pushed.some((p) => p.topic === 'denial')).toBe(true);

    await app.close();
    await open();
    expect((await app.handlers['risk.state']({})).killSwitch.engaged).toBe(true);
    expect((await app.handlers['positions.list']({}))[0]).toMatchObject({ symbol: 'BTC/USDT', qty: 0.05 });
    const released = await app.handlers['risk.killSwitch']({ engage: false });
    expect(released.killSwitch.engaged).toBe(false);
    expect((await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'sell', type: 'market', size: 0.01, sizeMode: 'qty' })).ok).toBe(true);
  });

  it('flattens positions through the order path', async () => {
    await until(async () => ((await app.handlers['positions.list']({}))[0]?.qty === 0.04 ? true : undefined));
    const r = await app.handlers['positions.flatten']({});
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'sell', qty: 0.04, cancelled: 0, result: { ok: true } });
    await until(async () => ((await app.handlers['positions.list']({})).length === 0 ? true : undefined));
    expect((await app.handlers['account.get']({})).grossExposure).toBe(0);
  });

  it('modifies a working limit order in place, and refuses a change risk would not allow, saying why', async () => {
    const placed = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', size: 0.01, sizeMode: 'qty', price: Math.round(LAST_CLOSE * 0.97) });
    if (!placed.ok) throw new Error(placed.reason);
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).some((o) => o.id === placed.orderId && o.status === 'accepted') ? true : undefined));
    const to = Math.round(LAST_CLOSE * 0.98);
    expect(await app.handlers['orders.modify']({ orderId: placed.orderId, price: to })).toEqual({ ok: true, orderId: placed.orderId, mode: 'amend' });
    const amended = await until(async () => (await app.handlers['orders.list']({ scope: 'working' })).find((o) => o.id === placed.orderId && o.price === to));
    expect(amended.qty).toBe(0.01);
    expect(pushed.some((p) => p.topic === 'order' && (p.item as { kind: string }).kind === 'modified')).toBe(true);
    // Outside the price collar: refused by risk, and the order keeps its price.
    expect(await app.handlers['orders.modify']({ orderId: placed.orderId, price: Math.round(LAST_CLOSE * 0.5) })).toMatchObject({ ok: false, check: 'price_collar' });
    expect((await app.handlers['orders.list']({ scope: 'working' })).find((o) => o.id === placed.orderId)?.price).toBe(to);
    await app.handlers['orders.cancel']({ orderId: placed.orderId });
  });

  it('validates and persists risk limits', async () => {
    const l = await app.handlers['risk.setLimits']({ maxOrderQty: 3 });
    expect(l.maxOrderQty).toBe(3);
    await app.close();
    await open();
    expect((await app.handlers['risk.state']({})).limits.maxOrderQty).toBe(3);
    const big = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 4, sizeMode: 'qty' });
    expect(big).toMatchObject({ ok: false, check: 'max_order_qty' });
  });

  it('answers the UI heartbeat', async () => {
    const t0 = Date.now();
    const { ts } = await app.handlers['ui.heartbeat']({});
    expect(ts).toBeGreaterThanOrEqual(t0);
  });

  it('engages the kill switch when the UI heartbeat stops while an order is working', async () => {
    await app.handlers['risk.setLimits']({ watchdogSilenceMs: 300 });
    const r = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: Math.round(LAST_CLOSE * 0.98), size: 0.01, sizeMode: 'qty' });
    expect(r.ok).toBe(true);
    for (let i = 0; i < 4; i++) {
      await app.handlers['ui.heartbeat']({});
      await new Promise((res) => setTimeout(res, 100));
    }
    expect((await app.handlers['risk.state']({})).killSwitch.engaged).toBe(false);
    const state = await until(async () => {
      const s = await app.handlers['risk.state']({});
      return s.killSwitch.engaged ? s : undefined;
    });
    expect(state.killSwitch.reason).toContain('ui');
    await until(async () => ((await app.handlers['orders.list']({ scope: 'working' })).length === 0 ? true : undefined));
  });

  it('trades a symbol imported after start without a restart, priced from its last stored bar', async () => {
    await app.handlers['risk.killSwitch']({ engage: false });
    await expect(app.handlers['orders.preview']({ symbol: 'SOL/USDT', side: 'buy', type: 'market', size: 1, sizeMode: 'qty' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const t0 = Date.UTC(2023, 0, 2);
    const rows = Array.from({ length: 5 }, (_, i) => `${t0 + i * 300_000},${10 + i},${11 + i},${9 + i},${10.5 + i},100`);
    const report = await app.handlers['data.importText']({ name: 'SOL_USDT-5m.csv', content: ['timestamp,open,high,low,close,volume', ...rows].join('\n'), symbol: 'SOL/USDT', timeframe: '5m' });
    expect(report.rowsStored).toBe(5);
    const p = await app.handlers['orders.preview']({ symbol: 'SOL/USDT', side: 'buy', type: 'market', size: 1, sizeMode: 'qty' });
    expect(p).toMatchObject({ qty: 1, referencePrice: 14.5 });
    expect((await app.handlers['orders.place']({ symbol: 'SOL/USDT', side: 'buy', type: 'market', size: 1, sizeMode: 'qty' })).ok).toBe(true);
    const fill = await until(async () => (await app.handlers['fills.list']({})).find((f) => f.symbol === 'SOL/USDT'));
    expect(fill.price).toBeCloseTo(14.5 * (1 + 5 / 10_000), 10);
    expect(app.logs.recent(100).some((l) => l.message.includes('SOL/USDT (market) priced from the last stored bar: 14.5'))).toBe(true);
  });
});
