// A strategy started live on an exchange account: the whole engine in-process (EngineApp, as
// `keel serve` runs it) against the exchange simulator on a free port of 127.0.0.1, the
// account's key in a real Secret Service (gnome-keyring in a private D-Bus session, as
// scripts/test.js and .ci/run provide; without one the suite skips, since adding an account
// would rightly be refused). The simulator's market makes 1-second bars, so live candles close
// every second and the strategy trades within the test's time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StrategyInstanceDto, TopicName } from '../../protocol/index';
import { EngineApp } from '../../src/app/engine-app';
import { KeelError } from '../../src/core/errors';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { StateStore } from '../../src/state/store';

const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
/** The suite's own keychain service: a developer's Keel entries are never touched. */
process.env.KEEL_KEYCHAIN_SERVICE = `keel-test-live-strategy-${process.pid}`;

const KEY = 'live-strategy-key-0123456789';
const SECRET = 'live-strategy-secret-0123456789';
const SYM = 'binance:BTC/USDT';
const SDK = join(import.meta.dirname, '../../sdk');

/**
 * Buys, sells and buys 0.01 on successive bars (one order at a time), then holds. On every bar
 * it says what it believes it holds, so the test can read the strategy's own view. `throwAt`:
 * it throws on that bar.
 */
const PINGPONG = `import { defineStrategy, int } from ${JSON.stringify(SDK)};
export default defineStrategy({
  id: 'pingpong',
  name: 'Ping-pong',
  description: 'buy, sell, buy 0.01 on successive bars, then hold',
  params: {
    trades: int(3, 0, 10, 1, 'orders to place'),
    throwAt: int(0, 0, 1000, 1, 'throw on this bar (0: never)'),
    limit: int(0, 0, 1, 1, '1: buy with a limit 3% below the close (it works, unfilled)'),
  },
  warmup: () => 5,
  create(ctx, p) {
    let sent = 0;
    let bars = 0;
    return {
      onBar(bar) {
        bars++;
        if (p.throwAt > 0 && bars >= p.throwAt) throw new Error('pingpong blew up on purpose');
        const held = ctx.position().qty;
        ctx.log('holds ' + held);
        if (sent >= p.trades || ctx.workingOrders().length > 0) return;
        if (held > 0) ctx.sell({ qty: held });
        else if (p.limit === 1) ctx.place({ side: 'buy', type: 'limit', qty: 0.01, price: Math.round(bar.close * 0.97) });
        else ctx.buy({ qty: 0.01 });
        sent++;
      },
      // How many it has sent survives a restart: a resumed strategy does not trade its script again.
      onSave: () => sent,
      onLoad(state) {
        sent = typeof state === 'number' ? state : 0;
      },
    };
  },
});
`;

let sim: ExchangeSimulator;
let home: string;
let app: EngineApp;
let pushed: { topic: TopicName; item: unknown }[] = [];
let file: string;

async function open(): Promise<void> {
  app = new EngineApp({ home, mode: 'headless', logFiles: false });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
}

async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, label: string, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) {
      if (process.env.DEBUG_LIVE_STRATEGY) console.log((await app.handlers['system.logs']({ limit: 300 })).map((l) => JSON.stringify(l)).join('\n'));
      throw new Error(`timed out waiting for ${label}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function refusal(p: unknown): Promise<KeelError> {
  const e = await Promise.resolve(p).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KeelError);
  return e as KeelError;
}

const status = async () => (await app.handlers['live.status']({})).find((s) => s.account === 'sim');
const instance = async (id: string) => (await app.handlers['strategies.instances']({})).find((i) => i.id === id);
const logs = async (id: string) => (await app.handlers['strategies.logs']({ id, limit: 2_000 })).map((l) => l.message);
/** What the strategy said it holds, bar by bar (its own ctx.position()). */
const holdings = (lines: string[]) => lines.flatMap((m) => /\] holds (\S+)$/.exec(m)?.[1] ?? []).map(Number);
const start = (extra: Record<string, unknown>, params: Record<string, number> = {}) =>
  app.handlers['strategies.start']({ strategy: 'pingpong', path: file, params, symbol: SYM, timeframe: '1s', allocation: 5_000, account: 'sim', ...extra });

/** The strategy's position in the state database: the sum of its own fills on the account. */
function filledQty(ledger: string): number {
  const store = StateStore.open(join(home, 'state.sqlite'), 'sim');
  try {
    return store.fills().filter((f) => f.ledger === ledger).reduce((q, f) => q + (f.side === 'buy' ? f.qty : -f.qty), 0);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  if (!hasSessionBus) return;
  sim = await ExchangeSimulator.start({ baseTimeframe: '1s', historyBars: 600, tradesPerSecond: 20, rateLimit: false, keys: { [KEY]: SECRET }, seed: 11 });
  home = mkdtempSync(join(tmpdir(), 'keel-live-strategy-'));
  file = join(home, 'pingpong.ts');
  writeFileSync(file, PINGPONG);
  await open();
  await app.handlers['accounts.add']({ exchange: 'binance', name: 'sim', apiUrl: sim.url, apiKey: KEY, secret: SECRET, check: false });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sim?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!hasSessionBus)('a strategy started live on an exchange account (simulator, real keychain)', () => {
  let id: string;

  it('is refused on an account that is not live, without its confirmation, and before the account has reconciled', async () => {
    const notLive = await refusal(start({ confirm: 'LIVE sim' }));
    expect(notLive.message).toMatch(/no live desk running/);

    // Reconciliation cannot finish while the exchange refuses the open orders.
    sim.refuse = (path) => path === '/api/v3/openOrders';
    await app.handlers['accounts.setLive']({ name: 'sim', live: true, confirm: 'LIVE sim' });
    await until(async () => (await status())?.state === 'reconciling' || (await status())?.state === 'failed', 'the desk to be reconciling', 30_000);
    const early = await refusal(start({ confirm: 'LIVE sim' }));
    expect(early.code).toBe('CONFLICT');
    expect(early.message).toMatch(/sim is not reconciled/);

    sim.refuse = undefined;
    await until(async () => (await status())?.state === 'ready', 'reconciliation', 30_000);
    const none = await refusal(start({}));
    expect(none.code).toBe('BAD_INPUT');
    expect(none.where).toBe('confirm');
    expect(none.message).toContain('"LIVE sim"');
    const wrong = await refusal(start({ confirm: 'LIVE' }));
    expect(wrong.where).toBe('confirm');
    // Nothing moved: no strategy, no order at the exchange.
    expect((await app.handlers['strategies.instances']({})).filter((i) => i.account === 'sim')).toEqual([]);
    expect(sim.broker.account(KEY).orders.size).toBe(0);
  }, 90_000);

  it('trades at the exchange on its own ledger, warmed from stored history; its position is its fills; a manual order does not change what it holds', async () => {
    const v = await start({ confirm: 'LIVE sim' });
    id = v.id;
    expect(v.account).toBe('sim');
    expect(v.state).toBe('running');
    expect(v.ledger.cash).toBeCloseTo(5_000, 6);
    expect((await logs(id)).some((m) => /warmed on 5 bars/.test(m))).toBe(true);

    // Three orders (buy, sell, buy), each filled at the simulator before the next.
    const done = await until(async () => {
      const i = await instance(id);
      return i && i.lastSignal && i.workingOrders === 0 && i.ledger.positions.some((p) => p.qty > 0) && filledQty(id) > 0 && (await app.handlers['live.orders']({ account: 'sim' })).filter((o) => o.ledger === id && o.status === 'filled').length === 3 ? i : undefined;
    }, 'three strategy fills', 45_000);
    const orders = (await app.handlers['live.orders']({ account: 'sim' })).filter((o) => o.ledger === id);
    expect(orders.map((o) => o.side).reverse()).toEqual(['buy', 'sell', 'buy']);
    const atExchange = [...sim.broker.account(KEY).orders.values()];
    for (const o of orders) expect(atExchange.find((x) => x.clientOrderId === o.clientOrderId)?.executedQty).toBeCloseTo(0.01, 9);
    expect(done.ledger.positions.find((p) => p.symbol === SYM)?.qty).toBeCloseTo(filledQty(id), 9);
    expect(filledQty(id)).toBeCloseTo(0.01, 9);

    // The live candles it trades on cannot be stopped from under it.
    const stream = (await app.handlers['stream.list']({})).find((x) => x.symbol === SYM);
    const stopping = await refusal(app.handlers['stream.stop']({ id: stream!.id }));
    expect(stopping.message).toContain(`feeds the live strategies ${id}`);

    // Its gap report: against a backtest at the exchange's fee with no modelled slippage.
    const gap = await app.handlers['strategies.gap']({ id });
    expect(gap.slippage).toBe(0);
    expect(gap.fee).toBeGreaterThan(0);
    expect(gap.counts.matched + gap.counts.extra).toBeGreaterThanOrEqual(1);

    // A manual order on the same account, by the ticket: the manual ledger holds it, the strategy does not.
    const manual = await app.handlers['live.place']({ account: 'sim', order: { symbol: SYM, side: 'buy', type: 'market', size: 0.02, sizeMode: 'qty' } });
    expect(manual.ok).toBe(true);
    await until(async () => (await app.handlers['ledgers.list']({})).length >= 0 && filledQty('manual') > 0.019, 'the manual fill');
    const seen = (await logs(id)).length;
    await until(async () => holdings((await logs(id)).slice(seen)).length >= 2, 'two more bars');
    const after = await instance(id);
    expect(after!.ledger.positions.find((p) => p.symbol === SYM)?.qty).toBeCloseTo(0.01, 9);
    const believed = holdings((await logs(id)).slice(seen));
    expect(believed.length).toBeGreaterThanOrEqual(2);
    for (const q of believed) expect(q).toBeCloseTo(0.01, 9);
    expect(filledQty('manual')).toBeCloseTo(0.02, 9);
  }, 90_000);

  it('a strategy that throws is stopped and reported; it never takes the desk down', async () => {
    pushed = [];
    const v = await start({ confirm: 'LIVE sim' }, { trades: 0, throwAt: 2 });
    const failed = await until(async () => ((await instance(v.id))?.state === 'failed' ? instance(v.id) : undefined), 'the strategy to fail');
    expect(failed!.stateReason).toContain('pingpong blew up on purpose');
    expect(pushed.some((p) => p.topic === 'alert' && /sim: Strategy .* failed and was stopped/.test((p.item as { title: string }).title))).toBe(true);
    expect((await status())?.state).toBe('ready');
    expect((await instance(id))?.state).toBe('running');
  }, 60_000);

  it('the kill switch stops its orders like a paper strategy: working ones cancelled at the exchange, new ones refused', async () => {
    const k = await start({ confirm: 'LIVE sim' }, { trades: 5, limit: 1 });
    const openAt = (status: string) => [...sim.broker.account(KEY).orders.values()].filter((o) => o.status === status && o.clientOrderId.length > 0);
    const ours = async () => new Set((await app.handlers['live.orders']({ account: 'sim' })).filter((o) => o.ledger === k.id).map((o) => o.clientOrderId));
    const working = await until(async () => {
      const mine = await ours();
      return openAt('NEW').filter((o) => mine.has(o.clientOrderId))[0];
    }, 'the strategy limit order at the exchange');
    await app.handlers['risk.killSwitch']({ engage: true, reason: 'test' });
    await until(() => sim.broker.account(KEY).orders.get(working.orderId)?.status === 'CANCELED', 'the cancel at the exchange');
    await until(async () => (await logs(k.id)).some((m) => /order refused: kill_switch/.test(m)), 'a refused strategy order');
    const mine = await ours();
    expect(openAt('NEW').filter((o) => mine.has(o.clientOrderId))).toEqual([]);
    const halted = await refusal(start({ confirm: 'LIVE sim' }));
    expect(halted.message).toMatch(/sim is not trading \(HALTED/);
    await app.handlers['risk.killSwitch']({ engage: false });
    await app.handlers['strategies.control']({ id: k.id, action: 'stop' });
    expect((await instance(k.id))?.state).toBe('stopped');
  }, 60_000);

  it('resumes after an engine restart only once its account has reconciled', async () => {
    const before = await instance(id);
    await app.close();
    sim.refuse = (path) => path === '/api/v3/openOrders';
    await open();
    await until(async () => (await status())?.state === 'reconciling' || (await status())?.state === 'failed', 'the reopened desk to be reconciling', 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await logs(id)).filter((m) => /resumed after a restart/.test(m))).toEqual([]);
    sim.refuse = undefined;
    await until(async () => (await logs(id)).some((m) => /resumed after a restart/.test(m)), 'the strategy to resume', 30_000);
    expect((await status())?.state).toBe('ready');
    const after = (await instance(id)) as StrategyInstanceDto;
    expect(after.state).toBe('running');
    expect(after.account).toBe('sim');
    expect(after.ledger.positions.find((p) => p.symbol === SYM)?.qty).toBeCloseTo(before!.ledger.positions.find((p) => p.symbol === SYM)!.qty, 9);
    expect(after.ledger.cash).toBeCloseTo(before!.ledger.cash, 6);
    // And it is fed live candles again.
    const seen = (await logs(id)).length;
    await until(async () => holdings((await logs(id)).slice(seen)).length > 0, 'a live bar after the restart');
    expect(holdings((await logs(id)).slice(seen))[0]).toBeCloseTo(0.01, 9);
    expect((await app.handlers['live.orders']({ account: 'sim' })).filter((o) => o.ledger === id)).toHaveLength(3);
  }, 120_000);
});
