// Strategies forward on the paper desk, through the engine's protocol handlers: started on a
// replay, fed its closed bars, trading on their own ledger beside manual orders; paused,
// stopped, taken over; resumed after a restart with the same ledgers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineApp } from '../../src/app/engine-app';
import type { LedgerDto, StrategyInstanceDto, TopicName } from '../../protocol/index';

const homes: string[] = [];
const apps: EngineApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function open(home: string, pushed: { topic: TopicName; item: unknown }[] = []): Promise<EngineApp> {
  const app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  apps.push(app);
  await app.start();
  return app;
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ledgerOf = async (app: EngineApp, id: string): Promise<LedgerDto> => (await app.handlers['ledgers.list']({})).find((l) => l.id === id)!;

describe('strategies on the paper desk', () => {
  it('runs sma-cross on a replay on its own ledger; a manual order leaves its ledger as it was; pause, then stop', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-sdesk-'));
    homes.push(home);
    const pushed: { topic: TopicName; item: unknown }[] = [];
    const app = await open(home, pushed);
    const all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
    const from = all.ts[all.ts.length - 400]!;
    await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from, speed: 1 });
    await app.handlers['replay.control']({ action: 'pause' });

    const s: StrategyInstanceDto = await app.handlers['strategies.start']({ strategy: 'sma-cross', params: { fast: 3, slow: 8 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 8_000 });
    expect(s).toMatchObject({ id: 'sma-cross-1', state: 'running', warmup: 8, allocation: 8_000, ledger: { id: 'sma-cross-1', kind: 'strategy', cash: 8_000 } });
    // Warmed up on the bars before the replay's cursor, not the end of the data.
    expect(s.lastBarTs).toBe(from - 300_000);
    expect((await ledgerOf(app, 'manual')).cash).toBe(92_000);

    await app.handlers['replay.control']({ action: 'resume', speed: 1000 });
    const traded = await until(async () => {
      const i = (await app.handlers['strategies.instances']({})).find((x) => x.id === s.id)!;
      return i.ledger.fees > 0 && i.lastSignal ? i : undefined;
    });
    expect(traded.firstBarTs).toBe(from);
    await app.handlers['replay.control']({ action: 'pause' });

    const fills = await app.handlers['fills.list']({ limit: 500 });
    const mine = fills.filter((f) => f.ledger === s.id);
    expect(mine.length).toBeGreaterThan(0);
    // Replayed fills carry the replay's time: inside the replayed bars, not the wall clock's.
    for (const f of mine) expect(f.ts).toBeGreaterThanOrEqual(from);
    for (const f of mine) expect(f.ts).toBeLessThan(all.ts[all.ts.length - 1]! + 300_000);

    // Until its last order has filled (a working order would fill on the manual order's print too)...
    await until(async () => {
      if ((await app.handlers['strategies.instances']({})).find((x) => x.id === s.id)!.workingOrders === 0) return true;
      await app.handlers['replay.control']({ action: 'step' });
      await new Promise((r) => setTimeout(r, 300));
      return false;
    });
    // ...then, with the replay stopped, the strategy sees no bars: a manual order, priced from the last stored bar, fills meanwhile.
    await app.handlers['replay.control']({ action: 'stop' });
    const book = (l: LedgerDto) => ({ cash: l.cash, fees: l.fees, realized: l.realizedPnl, positions: l.positions.map((p) => [p.symbol, p.qty, p.avgPrice]) });
    const before = book(await ledgerOf(app, s.id));
    const placed = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 0.05, sizeMode: 'qty' });
    expect(placed.ok).toBe(true);
    await until(async () => (await app.handlers['positions.list']({})).some((p) => p.ledger === 'manual' && p.qty === 0.05));
    expect(book(await ledgerOf(app, s.id))).toEqual(before);

    // The gap report: its replayed trades against a backtest over the same bars, every difference explained.
    const gap = await app.handlers['strategies.gap']({ id: s.id });
    expect(gap).toMatchObject({ strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '5m', from, capital: 8_000 });
    expect(gap.counts.matched + gap.counts.missed + gap.counts.extra).toBeGreaterThan(0);
    expect(gap.difference).toBeCloseTo(Object.values(gap.causes).reduce((a, b) => a + b, 0), 6);

    const paused = await app.handlers['strategies.control']({ id: s.id, action: 'pause' });
    expect(paused.state).toBe('paused');
    const stopped = await app.handlers['strategies.control']({ id: s.id, action: 'stop' });
    expect(stopped).toMatchObject({ state: 'stopped', workingOrders: 0 });
    const logs = await app.handlers['strategies.logs']({ id: s.id });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/running -> paused[\s\S]*paused -> stopped/);
    expect(pushed.some((p) => p.topic === 'strategy')).toBe(true);
    expect(pushed.some((p) => p.topic === 'ledgers')).toBe(true);
  });

  it('refuses an allocation the manual ledger cannot cover, and a bad parameter, moving no money', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-sdesk-'));
    homes.push(home);
    const app = await open(home);
    await expect(app.handlers['strategies.start']({ strategy: 'sma-cross', params: {}, symbol: 'BTC/USDT', timeframe: '5m', allocation: 1e9 })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'allocation' });
    await expect(app.handlers['strategies.start']({ strategy: 'sma-cross', params: { fast: 50, slow: 10 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 1_000 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(app.handlers['strategies.start']({ strategy: 'sma-cross', params: {}, symbol: 'NOPE/USD', timeframe: '5m', allocation: 1_000 })).rejects.toMatchObject({ code: 'NOT_FOUND', where: 'symbol' });
    expect((await app.handlers['ledgers.list']({})).map((l) => [l.id, l.cash])).toEqual([['manual', 100_000]]);
  });

  it('a paused strategy may exit but not enter; take-over moves its position to manual at the mark, audited', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-sdesk-'));
    homes.push(home);
    const app = await open(home);
    const all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
    await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts[all.ts.length - 600]!, speed: 1000 });
    const s = await app.handlers['strategies.start']({ strategy: 'sma-cross', params: { fast: 3, slow: 8 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 10_000 });
    const long = await until(async () => ((await ledgerOf(app, s.id)).positions[0]?.qty ?? 0) > 0);
    expect(long).toBe(true);
    await app.handlers['replay.control']({ action: 'pause' });
    const held = (await ledgerOf(app, s.id)).positions[0]!;
    await app.handlers['strategies.control']({ id: s.id, action: 'pause' });
    const taken = await app.handlers['strategies.control']({ id: s.id, action: 'takeover' });
    expect(taken.state).toBe('stopped');
    expect(taken.ledger.positions).toEqual([]);
    const manual = await ledgerOf(app, 'manual');
    expect(manual.positions[0]).toMatchObject({ symbol: 'BTC/USDT', qty: held.qty });
    // The account did not change: value only moved between two of its ledgers.
    const acct = await app.handlers['account.get']({});
    const sum = (await app.handlers['ledgers.list']({})).reduce((e, l) => e + l.equity, 0);
    expect(acct.equity).toBeCloseTo(sum, 6);
    // Its cancelled orders confirmed by the venue, it gives its cash back.
    await until(async () => (await app.handlers['strategies.instances']({})).find((x) => x.id === s.id)!.workingOrders === 0);
    const released = await app.handlers['strategies.control']({ id: s.id, action: 'release' });
    expect(released.ledger).toMatchObject({ cash: 0, closed: true });
  });

  it('resumes running strategies after a restart, with the same ledgers', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-sdesk-'));
    homes.push(home);
    let app = await open(home);
    const all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
    await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts[all.ts.length - 300]!, speed: 1000 });
    const s = await app.handlers['strategies.start']({ strategy: 'trend', params: { fast: 3, slow: 8, minAtrPct: 0 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 10_000 });
    await until(async () => (await ledgerOf(app, s.id)).fees > 0);
    await app.handlers['replay.control']({ action: 'stop' });
    const before = await ledgerOf(app, s.id);
    await app.close();
    app = await open(home);
    const again = (await app.handlers['strategies.instances']({})).find((i) => i.id === s.id)!;
    expect(again.state).toBe('running');
    expect(again.ledger.cash).toBeCloseTo(before.cash, 9);
    expect(again.ledger.positions.map((p) => [p.symbol, p.qty])).toEqual(before.positions.map((p) => [p.symbol, p.qty]));
    expect((await app.handlers['strategies.logs']({ id: s.id })).some((l) => /resumed after a restart/.test(l.message))).toBe(true);
  });
});
