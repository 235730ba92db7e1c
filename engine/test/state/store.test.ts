import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import type { Fill } from '../../src/model/fill';
import { Order, type OrderRequest } from '../../src/model/order';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { tempDbFile } from './helpers';

function order(id: string, req: Partial<OrderRequest> = {}, ts = 1_000): Order {
  return new Order(id, `c-${id}`, { symbol: 'BTC/USDT', side: 'buy', type: 'limit', qty: 2, price: 100, ...req }, ts);
}

function fill(id: string, o: Order, qty: number, price: number, extra: Partial<Fill> = {}): Fill {
  return { id, orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty, price, fee: 0.1, liquidity: 'maker', ts: 2_000, ...extra };
}

function caught(fn: () => unknown): KeelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeelError) return e;
    throw e;
  }
  throw new Error('expected a KeelError');
}

describe('StateStore orders', () => {
  it('round-trips every OrderSnapshot field, set and unset', () => {
    const file = tempDbFile();
    const store = StateStore.open(file);
    const full = order('o1', {
      type: 'stop_limit',
      stopPrice: 99,
      tif: 'IOC',
      reduceOnly: true,
      source: 'strategy',
      owner: 'sma',
      tag: 't',
      parentId: 'p',
      ocoGroup: 'g',
      trailingPercent: 0.02,
      trailingAmount: 3,
    });
    full.venueOrderId = 'v1';
    full.transition('submitted', 1_001);
    full.transition('rejected', 1_002, 'no money');
    const bare = order('o2', { type: 'market', qty: undefined, quoteQty: 50, price: undefined });
    store.saveOrder(full.snapshot());
    store.saveOrder(bare.snapshot());
    store.close();
    const again = StateStore.open(file);
    expect(again.order('o1')).toEqual(full.snapshot());
    expect(again.order('o2')).toEqual(bare.snapshot());
    expect(again.orders('all').map((o) => o.id)).toEqual(['o1', 'o2']);
    expect(again.orders('working').map((o) => o.id)).toEqual(['o2']);
    again.close();
  });

  it('a batch of more orders than one statement takes keeps every field as saving them one by one does, and a later batch updates them', () => {
    // Every other order with each optional field set, so set and unset both cross the multi-row path.
    const orders = Array.from({ length: 75 }, (_, i) => {
      const o = order(`o${i}`, i % 2 === 0 ? { type: 'stop_limit', stopPrice: 99, tif: 'IOC', reduceOnly: true, source: 'strategy', owner: 'sma', tag: `t${i}`, parentId: 'p', ocoGroup: 'g', trailingPercent: 0.02, trailingAmount: 3 } : { type: 'market', qty: undefined, quoteQty: 50 + i, price: undefined }, 1_000 + i);
      if (i % 3 === 0) o.venueOrderId = `v${i}`;
      return o;
    });
    const one = StateStore.open(tempDbFile());
    for (const o of orders) one.saveOrder(o.snapshot());
    const batch = StateStore.open(tempDbFile());
    batch.recordBatch({ orders: orders.map((o) => o.snapshot()), fills: [], journal: [] });
    expect(batch.orders('all')).toEqual(one.orders('all'));
    expect(batch.orders('all')).toHaveLength(75);
    // The same orders again, changed: the upsert updates them in place.
    for (const o of orders) o.transition('submitted', 2_000);
    batch.recordBatch({ orders: orders.map((o) => o.snapshot()), fills: [], journal: [] });
    expect(batch.orders('all')).toEqual(orders.map((o) => o.snapshot()));
    one.close();
    batch.close();
  });

  it('refuses a second order with the same client order id, keeping the first', () => {
    const store = StateStore.open(tempDbFile());
    store.saveOrder(order('o1').snapshot());
    const dup = new Order('o2', 'c-o1', { symbol: 'ETH/USDT', side: 'sell', type: 'market', qty: 1 }, 5);
    const e = caught(() => store.saveOrder(dup.snapshot()));
    expect(e.code).toBe('CONFLICT');
    expect(e.where).toBe('order o2');
    expect(store.order('o2')).toBeUndefined();
    expect(store.order('o1')?.symbol).toBe('BTC/USDT');
    store.close();
  });

  it('rejects malformed orders with a clear error', () => {
    const store = StateStore.open(tempDbFile());
    const bad = { ...order('o1').snapshot(), side: 'long' } as never;
    expect(caught(() => store.saveOrder(bad)).message).toMatch(/order o1: refused by the state database.*CHECK constraint/);
    expect(caught(() => store.saveOrder({ ...order('o3').snapshot(), qty: NaN })).message).toMatch(/qty, filledQty/);
    expect(store.orders()).toEqual([]);
    store.close();
  });
});

describe('StateStore fills and positions', () => {
  it('a fill updates its order and the position in one step, and survives a reopen', () => {
    const file = tempDbFile();
    const store = StateStore.open(file);
    const o = order('o1');
    o.transition('submitted', 1_001);
    store.saveOrder(o.snapshot());
    store.recordFill(fill('f1', o, 0.5, 100));
    const after = store.recordFill(fill('f2', o, 1.5, 104, { venueTradeId: 'T2' }));
    expect(after.status).toBe('filled');
    expect(after.filledQty).toBe(2);
    expect(after.avgFillPrice).toBeCloseTo((0.5 * 100 + 1.5 * 104) / 2, 12);
    expect(after.fees).toBeCloseTo(0.2, 12);
    store.close();
    const again = StateStore.open(file);
    expect(again.positions()).toEqual([
      { account: 'default', ledger: 'manual', symbol: 'BTC/USDT', qty: 2, avgPrice: (0.5 * 100 + 1.5 * 104) / 2, realizedPnl: 0, fees: 0.2, openedAt: 2_000, updatedAt: 2_000 },
    ]);
    expect(again.fills('o1').map((f) => f.id)).toEqual(['f1', 'f2']);
    expect(again.fills('o1')[1]?.venueTradeId).toBe('T2');
    expect(again.journal().map((j) => j.kind)).toEqual(['order', 'fill', 'fill']);
    again.close();
  });

  it('netting: selling through flat realises PnL and opens short at the fill price', () => {
    const store = StateStore.open(tempDbFile());
    const b = order('b');
    const s = order('s', { side: 'sell', qty: 3, price: 110 });
    store.saveOrder(b.snapshot());
    store.saveOrder(s.snapshot());
    store.recordFill({ ...fill('f1', b, 2, 100), fee: 0 });
    store.recordFill({ ...fill('f2', s, 3, 110), fee: 0 });
    const [p] = store.positions();
    expect(p?.qty).toBe(-1);
    expect(p?.avgPrice).toBe(110);
    expect(p?.realizedPnl).toBe(20);
    expect(store.netFilledQty().get('manual|BTC/USDT')).toBe(-1);
    store.close();
  });

  it('bad fills get a KeelError naming the fill and lose nothing already saved', () => {
    const store = StateStore.open(tempDbFile());
    const o = order('o1');
    store.saveOrder(o.snapshot());
    store.recordFill(fill('f1', o, 1, 100, { venueTradeId: 'T1' }));
    const snapshotBefore = { order: store.order('o1'), positions: store.positions(), fills: store.fills(), journal: store.journal() };

    const cases: Array<[Fill, string, RegExp]> = [
      [fill('f2', o, 5, 100), 'BAD_INPUT', /fill f2: fill of 5 overfills order o1 \(1 of 2 already filled\)/],
      [fill('f3', o, 0.5, 100, { venueTradeId: 'T1' }), 'CONFLICT', /fill f3: already recorded/],
      [fill('f1', o, 0.5, 100), 'CONFLICT', /fill f1: already recorded/],
      [{ ...fill('f4', o, 0.5, 100), orderId: 'nope' }, 'NOT_FOUND', /order nope is not recorded/],
      [{ ...fill('f5', o, 0.5, 100), side: 'sell' }, 'BAD_INPUT', /fill is sell BTC\/USDT but order o1 is buy BTC\/USDT/],
      [fill('f6', o, -1, 100), 'BAD_INPUT', /fill f6: qty must be a positive number, got -1/],
      [fill('f7', o, 0.5, NaN), 'BAD_INPUT', /price must be a positive number/],
      [{ ...fill('f8', o, 0.5, 100), fee: -0.1 }, 'BAD_INPUT', /fee must be a number >= 0/],
    ];
    for (const [f, code, msg] of cases) {
      const e = caught(() => store.recordFill(f));
      expect(e.code, f.id).toBe(code);
      expect(e.message).toMatch(msg);
    }
    expect({ order: store.order('o1'), positions: store.positions(), fills: store.fills(), journal: store.journal() }).toEqual(snapshotBefore);
    store.close();
  });

  it('SqliteOrderJournal persists what the order manager hands it, in either order of calls', () => {
    const store = StateStore.open(tempDbFile());
    const journal = new SqliteOrderJournal(store);
    const o = order('o1', { type: 'market', qty: undefined, quoteQty: 250, price: undefined });
    journal.orderChanged(o);
    o.transition('submitted', 1_001);
    journal.orderChanged(o);
    o.transition('accepted', 1_002);
    journal.orderChanged(o);
    // order first, then fill
    o.applyFill(2.5, 100, 0.25, 1_003);
    journal.orderChanged(o);
    journal.fillAdded(fill('f1', o, 2.5, 100, { fee: 0.25, ts: 1_003 }));
    expect(store.order('o1')).toEqual(o.snapshot());
    // fill first, then order
    const p = order('o2', { side: 'sell', qty: 1, price: 101 });
    p.transition('submitted', 1_004);
    p.transition('accepted', 1_004);
    journal.orderChanged(p);
    journal.fillAdded(fill('f2', p, 1, 101, { ts: 1_005 }));
    p.applyFill(1, 101, 0.1, 1_005);
    journal.orderChanged(p);
    expect(store.order('o2')).toEqual(p.snapshot());
    expect(store.positions()[0]?.qty).toBeCloseTo(1.5, 12);
    store.close();
  });
});

describe('settings, audit, risk state', () => {
  it('settings hold JSON values by key, overwritten in place', () => {
    const store = StateStore.open(tempDbFile());
    expect(store.setting('x')).toBeUndefined();
    store.setSetting('x', { a: [1, 2] }, 5);
    store.setSetting('x', { a: [3] }, 6);
    expect(store.setting('x')).toEqual({ a: [3] });
    store.close();
  });

  it('audit rows keep before and after as JSON', () => {
    const store = StateStore.open(tempDbFile());
    store.appendAudit({ ts: 1, actor: 'me', action: 'risk.limits', before: { a: 1 }, after: { a: 2 } });
    store.appendAudit({ ts: 2, actor: 'me', action: 'risk.denied', before: undefined, after: { check: 'x' } });
    expect(store.audit()).toEqual([
      { ts: 1, actor: 'me', action: 'risk.limits', before: { a: 1 }, after: { a: 2 } },
      { ts: 2, actor: 'me', action: 'risk.denied', before: undefined, after: { check: 'x' } },
    ]);
    store.close();
  });

  it('risk state round-trips and the start-of-day equity is recorded once per day', () => {
    const file = tempDbFile();
    const store = StateStore.open(file);
    expect(store.riskState()).toMatchObject({ killEngaged: false, tradingState: 'ACTIVE' });
    const s = { killEngaged: true, killSince: 5, killReason: 'r', killFlatten: true, tradingState: 'HALTED' as const, tradingReason: 'daily_loss', tradingSince: 6, peakEquity: 1234.5 };
    store.writeRiskState(s, 7);
    store.setDayStartEquity('2026-11-22', 1000, 8);
    store.setDayStartEquity('2026-11-22', 900, 9);
    store.close();
    const again = StateStore.open(file);
    expect(again.riskState()).toEqual(s);
    expect(again.dayStartEquity('2026-11-22')).toBe(1000);
    again.close();
  });
});

describe('backtest runs', () => {
  it('keep summary and result across a reopen, newest first, pruned to the newest N', () => {
    const file = tempDbFile();
    const run = (i: number) => ({
      runId: `bt-${i}`,
      strategy: 'sma-cross',
      params: { fast: i },
      symbol: 'BTC/USDT',
      timeframe: '5m',
      startedAt: 1_000 + i,
      status: 'done' as const,
      metrics: { bars: 10 * i },
      equity: { ts: [1, 2, 3], equity: [100, 101 + i, 99], drawdown: [0, 0, -0.02] },
      trades: [],
      notes: [`run ${i}`],
    });
    const a = StateStore.open(file);
    for (let i = 1; i <= 3; i++) a.saveBacktestRun(run(i));
    expect(() => a.saveBacktestRun({ ...run(4), status: 'running' as never })).toThrow(/still running/);
    a.close();
    const b = StateStore.open(file);
    expect(b.backtestRuns().map((r) => r.runId)).toEqual(['bt-3', 'bt-2', 'bt-1']);
    expect(b.backtestRuns()[0]).toEqual({ runId: 'bt-3', strategy: 'sma-cross', params: { fast: 3 }, symbol: 'BTC/USDT', timeframe: '5m', startedAt: 1_003, status: 'done', metrics: { bars: 30 } });
    expect(b.backtestRun('bt-2')).toEqual(run(2));
    b.pruneBacktestRuns(2);
    expect(b.backtestRun('bt-1')).toBeUndefined();
    b.close();
  });
});

describe("an account's ledgers, transfers and strategies", () => {
  it('are its own: a live account and the paper desk on one database never see each other\'s, while strategy ids stay unique over both', () => {
    const file = tempDbFile();
    const paper = StateStore.open(file);
    const live = StateStore.open(file, 'sim');
    const instance = (id: string) => ({
      id,
      strategy: 'sma-cross',
      sourcePath: undefined,
      sourceHash: 'shipped:sma-cross',
      params: { fast: 3 },
      symbol: 'binance:BTC/USDT',
      timeframe: '1m',
      ledger: id,
      allocation: 1_000,
      state: 'running' as const,
      stateReason: undefined,
      warmup: 3,
      firstBarTs: undefined,
      lastBarTs: undefined,
      savedState: undefined,
      createdAt: 1,
      updatedAt: 1,
    });
    live.saveLedger({ id: 'sma-cross-2', kind: 'strategy', label: 'SMA · live', limits: {}, createdAt: 1, closedAt: undefined });
    live.addTransfer({ ts: 1, kind: 'cash', from: 'manual', to: 'sma-cross-2', amount: 1_000, symbol: undefined, qty: undefined, price: undefined, actor: 'ui', reason: 'allocation' });
    live.saveStrategyInstance(instance('sma-cross-2'));
    paper.saveLedger({ id: 'sma-cross-1', kind: 'strategy', label: 'SMA · paper', limits: {}, createdAt: 1, closedAt: undefined });
    paper.saveStrategyInstance(instance('sma-cross-1'));

    expect(live.ledgers().map((l) => l.id)).toEqual(['sma-cross-2']);
    expect(live.transfers().map((t) => t.to)).toEqual(['sma-cross-2']);
    expect(live.strategyInstances().map((i) => i.id)).toEqual(['sma-cross-2']);
    expect(paper.ledgers().map((l) => l.id)).toEqual(['manual', 'sma-cross-1']);
    expect(paper.transfers()).toEqual([]);
    expect(paper.strategyInstances().map((i) => i.id)).toEqual(['sma-cross-1']);
    expect(paper.strategyInstanceIds().sort()).toEqual(['sma-cross-1', 'sma-cross-2']);
    live.close();
    paper.close();
  });
});
