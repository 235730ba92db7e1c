// The desk's own limits in front of the one risk layer, on a real paper venue and SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { SimulatedScheduler } from '../../src/core/scheduler';
import { TradingDesk, type DeskEvent } from '../../src/desk/desk';
import { openLimits } from '../../src/desk/paper-run';
import { StrategyHost } from '../../src/desk/strategy-host';
import { PaperVenue } from '../../src/execution/paper/paper-venue';
import { researchInstrument } from '../../src/model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { defineStrategy } from '../../sdk';

const SYM = 'BTC/USDT';
const T0 = Date.UTC(2026, 0, 5, 10);
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'keel-desk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const idle = defineStrategy({ id: 'idle', name: 'Idle', description: 'places nothing', params: {}, warmup: () => 0, create: () => ({}) });

async function rig() {
  const clock = new SimulatedClock(T0);
  const scheduler = new SimulatedScheduler(clock);
  const store = StateStore.open(join(dir, `d${++n}.sqlite`));
  let desk: TradingDesk | undefined;
  const venue = new PaperVenue({ scheduler, seed: 1, latency: { kind: 'fixed', ms: 10 }, slippageBps: 0, makerFee: 0, takerFee: 0, maxVolumeShare: null, positionOf: (s, l) => desk!.ledgers.qty(l, s) });
  desk = new TradingDesk({ clock, ids: new SequentialIds(), venue, risk: new RiskEngine({ clock, limits: openLimits() }), journal: new SqliteOrderJournal(store), instruments: [researchInstrument(SYM)], nativeTypes: new Set(ORDER_TYPES), persistence: store, log: { info: () => {}, warn: () => {}, error: () => {} } });
  desk.armKillSwitch();
  const host = new StrategyHost({ desk, loader: { load: async () => ({ module: idle, sourceHash: 'idle' }) }, persistence: store, log: { info: () => {}, warn: () => {}, error: () => {} } });
  desk.deposit(MANUAL_LEDGER, 100_000);
  const events: DeskEvent[] = [];
  desk.events.on((e) => events.push(e));
  let t = T0;
  const price = (p: number) => {
    t += MIN;
    scheduler.advanceTo(t);
    desk!.onTrade(SYM, { ts: t, price: p, amount: 1e9, side: undefined });
    scheduler.advanceTo(t + 100);
  };
  return { desk, host, store, events, price, close: () => (host.close(), store.close()) };
}

describe('the desk in front of the one risk layer', () => {
  it('a strategy ledger spends only its own cash, counting the buys it has working', async () => {
    const { desk, host, price, close } = await rig();
    const s = await host.start({ strategy: 'idle', params: {}, symbol: SYM, timeframe: '1m', allocation: 1_000 });
    price(100);
    const first = desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 6, price: 99, ledger: s.id, source: 'strategy' });
    expect(first.ok).toBe(true);
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 5, price: 99, ledger: s.id, source: 'strategy' })).toMatchObject({ ok: false, check: 'ledger_cash' });
    // The manual ledger has its own cash and is not held to a strategy's.
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 50, price: 99 }).ok).toBe(true);
    close();
  });

  it('a ledger past its daily-loss limit pauses its strategy; paused, it may exit but not enter', async () => {
    const { desk, host, price, events, close } = await rig();
    const s = await host.start({ strategy: 'idle', params: {}, symbol: SYM, timeframe: '1m', allocation: 1_000, limits: { maxDailyLossPct: 5 } });
    price(100);
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 5, ledger: s.id, source: 'strategy' }).ok).toBe(true);
    price(100);
    expect(desk.ledgers.qty(s.id, SYM)).toBe(5);
    price(88); // 5 × −12 = −60 of 1,000: 6% down on the day
    expect(events.find((e) => e.kind === 'ledger_breach')).toMatchObject({ ledger: s.id, reason: expect.stringMatching(/daily loss 6\.00% reached its limit of 5%/) });
    expect(host.list().find((i) => i.id === s.id)).toMatchObject({ state: 'paused', stateReason: expect.stringMatching(/daily loss/) });
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 1, ledger: s.id, source: 'strategy' })).toMatchObject({ ok: false, check: 'strategy_paused' });
    expect(desk.place({ symbol: SYM, side: 'sell', type: 'market', qty: 5, ledger: s.id, source: 'strategy' }).ok).toBe(true);
    price(88);
    expect(desk.ledgers.qty(s.id, SYM)).toBe(0);
    close();
  });

  it('refuses what would take a ledger past its exposure limit', async () => {
    const { desk, host, price, close } = await rig();
    const s = await host.start({ strategy: 'idle', params: {}, symbol: SYM, timeframe: '1m', allocation: 5_000, limits: { maxExposure: 1_000 } });
    price(100);
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 9, ledger: s.id, source: 'strategy' }).ok).toBe(true);
    price(100);
    expect(desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 2, ledger: s.id, source: 'strategy' })).toMatchObject({ ok: false, check: 'ledger_exposure' });
    close();
  });

  it('taking over moves the position to manual at the mark; the account does not change', async () => {
    const { desk, host, price, close } = await rig();
    const s = await host.start({ strategy: 'idle', params: {}, symbol: SYM, timeframe: '1m', allocation: 5_000 });
    price(100);
    desk.place({ symbol: SYM, side: 'buy', type: 'market', qty: 10, ledger: s.id, source: 'strategy' });
    price(100);
    price(110);
    const equity = desk.account.equity();
    host.takeOver(s.id);
    expect(desk.ledgers.qty(s.id, SYM)).toBe(0);
    expect(desk.ledgers.qty(MANUAL_LEDGER, SYM)).toBe(10);
    expect(desk.ledgers.get(s.id).book.realizedPnl).toBeCloseTo(100, 9); // its PnL to the mark is its own
    expect(desk.ledgers.get(MANUAL_LEDGER).position(SYM).avgPrice).toBe(110);
    expect(desk.account.equity()).toBeCloseTo(equity, 9);
    expect(desk.ledgers.totals().equity).toBeCloseTo(equity, 9);
    close();
  });
});
