import { describe, expect, it } from 'vitest';
import type { DatasetInfo, Fill, OrderSnapshot, ReplayState } from '../../../engine/protocol';
import { initLayout, localStoragePersistence, sanitizeLayout, useLayout } from './layout';
import { chartTimeframes, freshColors, layoutOf, reconcileSelection, useMarket } from './market';
import { appendLogs } from './system';
import { mergeFills, orderHistory, upsertOrders, useTrading, workingOrders } from './trading';

const order = (id: string, status: OrderSnapshot['status'], updatedAt: number): OrderSnapshot =>
  ({ id, status, updatedAt, createdAt: 1, symbol: 'BTC/USDT', side: 'buy', type: 'limit', qty: 1, filledQty: 0 }) as OrderSnapshot;
const fill = (id: string, ts: number): Fill => ({ id, ts, orderId: 'o', clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', qty: 1, price: 1, fee: 0, liquidity: 'taker' });
const ds = (symbol: string, timeframe: string): DatasetInfo => ({ symbol, timeframe, from: 0, to: 1, rows: 1, gaps: 0 });

describe('trading store', () => {
  it('never rolls an order back to an older snapshot', () => {
    let m = upsertOrders({}, [order('a', 'accepted', 10)]);
    m = upsertOrders(m, [order('a', 'filled', 20)]);
    m = upsertOrders(m, [order('a', 'accepted', 10)]); // a late orders.list answer
    expect(m.a!.status).toBe('filled');
    // same timestamp: a terminal state is not undone by a working one
    m = upsertOrders(m, [order('a', 'accepted', 20)]);
    expect(m.a!.status).toBe('filled');
  });

  it('returns the same object when nothing changed, so grids do not re-render', () => {
    const m = upsertOrders({}, [order('a', 'accepted', 10)]);
    expect(upsertOrders(m, [order('a', 'accepted', 5)])).toBe(m);
  });

  it('splits working orders from history', () => {
    const m = upsertOrders({}, [order('a', 'accepted', 1), order('b', 'filled', 2), order('c', 'partially_filled', 3)]);
    expect(workingOrders(m).map((o) => o.id).sort()).toEqual(['a', 'c']);
    expect(orderHistory(m).map((o) => o.id)).toEqual(['c', 'b', 'a']);
  });

  it('merges fills newest first without duplicates', () => {
    const f = mergeFills([fill('1', 10)], [fill('2', 30), fill('1', 10), fill('3', 20)]);
    expect(f.map((x) => x.id)).toEqual(['2', '3', '1']);
  });

  it('applies pushed order events and fills through the store', () => {
    useTrading.getState().applyOrderEvents([{ kind: 'accepted', order: order('z', 'accepted', 1), ts: 1 }]);
    useTrading.getState().applyFills([fill('f1', 5)]);
    expect(useTrading.getState().orders.z!.status).toBe('accepted');
    expect(useTrading.getState().fills[0]!.id).toBe('f1');
  });
});

describe('market store', () => {
  const sets = [ds('BTC/USDT', '5m'), ds('BTC/USDT', '1h'), ds('ALT/BTC', '1m')];

  it('keeps a selection that still exists and falls back otherwise', () => {
    expect(reconcileSelection(sets, 'BTC/USDT', '1h')).toEqual({ symbol: 'BTC/USDT', timeframe: '1h' });
    // a timeframe the new symbol can show (resampled) is kept; one it cannot falls back to its finest
    expect(reconcileSelection(sets, 'GONE', '1h')).toEqual({ symbol: 'ALT/BTC', timeframe: '1h' });
    expect(reconcileSelection(sets, 'ALT/BTC', '3m')).toEqual({ symbol: 'ALT/BTC', timeframe: '1m' });
    expect(reconcileSelection([], 'BTC/USDT', '1h')).toEqual({});
  });

  it('offers held timeframes plus coarser standard ones that divide evenly', () => {
    const tfs = chartTimeframes(sets, 'BTC/USDT');
    expect(tfs.map((t) => t.tf)).toEqual(['5m', '15m', '1h', '4h', '1d', '1w']);
    expect(tfs.filter((t) => t.held).map((t) => t.tf)).toEqual(['5m', '1h']);
  });

  it('adds indicators with catalogue defaults and removes them by key', () => {
    const m = useMarket.getState();
    m.addIndicator({ id: 'sma', name: 'SMA', group: 'trend', kind: 'overlay', params: [{ name: 'period', label: 'Period', default: 20, min: 1, max: 1000, step: 1, integer: true }], outputs: [{ name: 'value', label: 'value', style: 'line' }], sourced: true });
    const added = useMarket.getState().indicators;
    expect(added).toHaveLength(1);
    expect(added[0]!.params).toEqual({ period: 20 });
    m.removeIndicator(added[0]!.key);
    expect(useMarket.getState().indicators).toHaveLength(0);
  });
});

describe('layout', () => {
  it('drops saved values that are not finite numbers', () => {
    expect(sanitizeLayout({ a: 10, b: 'x', c: Number.NaN })).toEqual({ a: 10 });
    expect(sanitizeLayout([1, 2])).toBeUndefined();
  });

  it('round-trips through storage and survives a corrupt entry', async () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const p = localStoragePersistence(storage);
    p.save({ 'markets.side': 320 });
    await initLayout([p]);
    expect(useLayout.getState().sizes['markets.side']).toBe(320);
    mem.set('keel.layout.v1', '{not json');
    expect(p.load()).toBeUndefined();
  });
});

describe('logs', () => {
  it('keeps the newest 500', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ ts: i, level: 'info' as const, source: 's', message: String(i) }));
    const kept = appendLogs([], many);
    expect(kept).toHaveLength(500);
    expect(kept[0]!.message).toBe('100');
  });
});

describe('replay', () => {
  const st = (p: Partial<ReplayState>): ReplayState => ({ status: 'playing', symbol: 'BTC/USDT', timeframe: '5m', index: 0, total: 500, speed: 2, cursorTs: 1_000, ...p });

  it('begins a chart session once per replay, not on every cursor move', async () => {
    const { useReplay } = await import('./replay');
    const r = useReplay.getState();
    const s0 = r.session;
    r.apply(st({ index: 0 }));
    expect(useReplay.getState().session).toBe(s0 + 1);
    r.apply(st({ index: 5, cursorTs: 6_000 }));
    r.apply(st({ status: 'paused', index: 6, cursorTs: 7_000 }));
    expect(useReplay.getState().session).toBe(s0 + 1);
    // a late request answer with an older cursor does not step the replay back
    r.apply(st({ index: 2, cursorTs: 3_000 }));
    expect(useReplay.getState().state!.cursorTs).toBe(7_000);
    // another symbol, or a new start after stop, is a new session
    r.apply(st({ symbol: 'ETH/USDT', index: 0 }));
    expect(useReplay.getState().session).toBe(s0 + 2);
    r.apply(st({ status: 'idle', symbol: undefined, timeframe: undefined }));
    r.starting();
    r.apply(st({ index: 0 }));
    expect(useReplay.getState().session).toBe(s0 + 3);
    expect(useReplay.getState().speed).toBe(2);
  });

  it('drives only the chart of its symbol and timeframe, while playing or paused', async () => {
    const { replayDrives, replayProgress } = await import('./replay');
    expect(replayDrives(st({}), 'BTC/USDT', '5m')).toBe(true);
    expect(replayDrives(st({}), 'BTC/USDT', '1h')).toBe(false);
    expect(replayDrives(st({ status: 'paused' }), 'BTC/USDT', '5m')).toBe(true);
    expect(replayDrives(st({ status: 'done' }), 'BTC/USDT', '5m')).toBe(false);
    expect(replayDrives(undefined, 'BTC/USDT', '5m')).toBe(false);
    expect(replayProgress(st({ index: 125 }))).toBe(25);
    expect(replayProgress(st({ index: 0, total: 0 }))).toBe(0);
  });
});

describe('live', () => {
  it('reads LIVE from the accounts the engine reports live, paper otherwise', async () => {
    const { liveAccounts, modeLabel } = await import('./live');
    const acct = (name: string, liveSince?: number) => ({ name, exchange: 'binance', testnet: false, keyMasked: 'abcd…wxyz', createdAt: 1, ...(liveSince !== undefined && { liveSince }) });
    expect(modeLabel([])).toEqual({ live: false, text: 'PAPER' });
    expect(modeLabel([acct('a')])).toEqual({ live: false, text: 'PAPER' });
    expect(modeLabel([acct('a'), acct('b', 5), acct('c', 0)])).toEqual({ live: true, text: 'LIVE · b, c' });
    expect(liveAccounts([acct('a'), acct('b', 5)]).map((a) => a.name)).toEqual(['b']);
  });
});

describe('charts of a layout', () => {
  const sets = [ds('BTC/USDT', '5m'), ds('BTC/USDT', '1h'), ds('ALT/BTC', '1m')];

  it('gives a new indicator colours no other indicator on the chart has, so removing one recolours none', () => {
    const a = freshColors([], 1);
    const b = freshColors([{ key: 'a', id: 'sma', params: {}, colors: a }], 3);
    expect(b).not.toContain(a[0]);
    expect(new Set(b).size).toBe(3);
    // the second indicator keeps its colours when the first goes: they are its own
    expect(freshColors([{ key: 'b', id: 'bollinger', params: {}, colors: b }], 1)).not.toContain(b[0]);
  });

  it('links charts by symbol: the others follow and keep their own timeframe where the symbol has it; each symbol opens at its last timeframe', () => {
    const m = useMarket.getState();
    m.setDatasets(sets);
    m.select('BTC/USDT', '5m');
    m.setCount(2);
    expect(useMarket.getState().charts[1]).toMatchObject({ symbol: 'BTC/USDT', timeframe: '5m' });
    m.select('BTC/USDT', '1h', 1);
    m.setLink({ symbol: true });
    m.select('ALT/BTC');
    // never shown before: each chart keeps its own timeframe, which ALT/BTC has (resampled from 1m)
    expect(useMarket.getState().charts.slice(0, 2).map((c) => [c.symbol, c.timeframe])).toEqual([
      ['ALT/BTC', '5m'],
      ['ALT/BTC', '1h'],
    ]);
    m.select('BTC/USDT');
    // BTC/USDT was last shown at 1h (on the second chart)
    expect(useMarket.getState().symbol).toBe('BTC/USDT');
    expect(useMarket.getState().timeframe).toBe('1h');
    const saved = layoutOf(useMarket.getState());
    m.setCount(1);
    m.applyLayout(saved);
    expect(useMarket.getState()).toMatchObject({ count: 2, linkSymbol: true });
    expect(useMarket.getState().charts[1]).toMatchObject({ symbol: 'BTC/USDT', timeframe: '1h' });
    m.setLink({ symbol: false });
    m.setCount(1);
  });
});
