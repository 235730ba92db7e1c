import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import { barPath } from '../../src/app/replay';
import type { Alert, BarsPayload, TopicName, Topics } from '../../protocol/index';
import { paramSchemas } from '../../protocol/schemas';

/**
 * Alerts and the workspace through the engine's own handlers: the real sample data (DuckDB),
 * the real state database (SQLite), a real market replay on wall-clock timers.
 */
let home: string;
let app: EngineApp;
let pushed: { topic: TopicName; item: unknown }[] = [];
let all: BarsPayload;

const fired = (ruleId?: string): Alert[] =>
  pushed.filter((p) => p.topic === 'alert').map((p) => p.item as Alert).filter((a) => ruleId === undefined || a.ruleId === ruleId);

async function until<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await app.handlers['ui.heartbeat']({});
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Replays the last `n` stored 5m bars as fast as the replay goes, and waits for the end. */
async function replayLast(n: number): Promise<void> {
  await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts[all.ts.length - n]!, speed: 1000 });
  await until(() => (pushed.some((p) => p.topic === 'replay' && (p.item as Topics['replay']).status === 'done') ? true : undefined));
}

async function openApp(): Promise<void> {
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-alerts-'));
  await openApp();
  all = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m' });
});

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

describe('alerts evaluated in the engine', () => {
  it('a price alert fires once when a replayed bar crosses its level, is switched off and logged; an every-time alert fires on each crossing', async () => {
    const n = 60;
    const from = all.ts.length - n;
    // A level the replayed closes cross more than once: the median close of the replayed bars.
    const closes = all.close.slice(from).sort((a, b) => a - b);
    const level = closes[Math.floor(closes.length / 2)]!;
    // Each replayed bar moves along its OHLC path, one step per update; the first price seen is the start.
    let crossings = 0;
    let prev = all.open[from]!;
    for (let i = from; i < all.ts.length; i++) {
      for (const p of barPath(all.open[i]!, all.high[i]!, all.low[i]!, all.close[i]!)) {
        if ((prev < level && p >= level) || (prev > level && p <= level)) crossings++;
        prev = p;
      }
    }
    expect(crossings).toBeGreaterThan(1);

    const once = await app.handlers['alerts.create']({ condition: { kind: 'price', symbol: 'BTC/USDT', level, cross: 'any' }, mode: 'once', note: 'check the book' });
    const every = await app.handlers['alerts.create']({ condition: { kind: 'price', symbol: 'BTC/USDT', level, cross: 'any' }, mode: 'every' });
    const elsewhere = await app.handlers['alerts.create']({ condition: { kind: 'price', symbol: 'ETH/USDT', level, cross: 'any' }, mode: 'every' });
    pushed = [];
    await replayLast(n);

    expect(fired(once.id)).toHaveLength(1);
    expect(fired(once.id)[0]).toMatchObject({ level: 'info', title: `BTC/USDT crossed ${level.toLocaleString('en-US', { maximumFractionDigits: 8 })}`, kind: 'price' });
    expect(fired(once.id)[0]!.message).toContain('(check the book)');
    expect(fired(every.id)).toHaveLength(crossings);
    expect(fired(elsewhere.id)).toHaveLength(0);

    const rules = await app.handlers['alerts.list']({});
    expect(rules.find((r) => r.id === once.id)).toMatchObject({ enabled: false, fired: 1 });
    expect(rules.find((r) => r.id === every.id)).toMatchObject({ enabled: true, fired: fired(every.id).length });
    const log = await app.handlers['alerts.log']({ limit: 500 });
    expect(log.filter((e) => e.ruleId === once.id)).toHaveLength(1);
    expect(log.filter((e) => e.ruleId === every.id)).toHaveLength(fired(every.id).length);
    for (const r of [once, every, elsewhere]) await app.handlers['alerts.delete']({ id: r.id });
  });

  it('a move inside one bar counts: a spike through the level and back fires', async () => {
    const rule = await app.handlers['alerts.create']({ condition: { kind: 'price', symbol: 'SPIKE/USD', level: 105, cross: 'up' }, mode: 'once' });
    pushed = [];
    const bar = { symbol: 'SPIKE/USD', timeframe: '1m', ts: 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1, closed: false };
    app.publish('bar', bar);
    expect(fired(rule.id)).toHaveLength(0);
    app.publish('bar', { ...bar, high: 106, close: 102 }); // traded 106 since the last update, closed back under 105
    expect(fired(rule.id)).toHaveLength(1);
    expect(fired(rule.id)[0]!.message).toContain('traded 106');
    await app.handlers['alerts.delete']({ id: rule.id });
  });

  it('an alert on a drawn trend line fires where the replay crosses the line, and goes when the line is deleted', async () => {
    const n = 40;
    const from = all.ts.length - n;
    // A rising line from the low before the replay to the high of its middle bar: the replayed bars cross it.
    const mid = from + n / 2;
    const line = await app.handlers['drawings.save']({
      symbol: 'BTC/USDT',
      kind: 'trend',
      points: [
        { ts: all.ts[from - 10]!, price: Math.min(...all.low.slice(from - 10, from)) },
        { ts: all.ts[mid]!, price: all.high[mid]! },
      ],
    });
    const rule = await app.handlers['alerts.create']({ condition: { kind: 'drawing', symbol: 'BTC/USDT', drawingId: line.id, cross: 'any' }, mode: 'once' });
    pushed = [];
    await replayLast(n);
    expect(fired(rule.id)).toHaveLength(1);
    expect(fired(rule.id)[0]!.title).toBe('BTC/USDT crossed the trend line');

    await expect(app.handlers['alerts.create']({ condition: { kind: 'drawing', symbol: 'BTC/USDT', drawingId: 'd-none', cross: 'any' }, mode: 'once' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      where: 'condition.drawingId',
    });
    const box = await app.handlers['drawings.save']({ symbol: 'BTC/USDT', kind: 'rect', points: [line.points[0]!, line.points[1]!] });
    await expect(app.handlers['alerts.create']({ condition: { kind: 'drawing', symbol: 'BTC/USDT', drawingId: box.id, cross: 'any' }, mode: 'once' })).rejects.toThrow(/no single price to cross/);

    await app.handlers['alerts.update']({ id: rule.id, enabled: true });
    expect((await app.handlers['drawings.delete']({ id: line.id })).deleted).toBe(true);
    expect((await app.handlers['alerts.list']({})).some((r) => r.id === rule.id)).toBe(false);
    await app.handlers['drawings.delete']({ id: box.id });
  });

  it('an indicator alert fires at the close of the bar where the indicator first crosses its value, as computed over the whole history', async () => {
    const n = 80;
    const from = all.ts.length - n;
    const rsi = await app.handlers['indicators.compute']({ symbol: 'BTC/USDT', timeframe: '5m', id: 'rsi', params: { n: 14 } });
    const values = rsi.outputs.value!;
    const at = (ts: number) => values[rsi.ts.indexOf(ts)]!;
    // A value the replayed RSI crosses upward: between a low and a later high of the replay.
    const replayed = all.ts.slice(from);
    const lowIdx = replayed.reduce((best, t, i) => (at(t) < at(replayed[best]!) ? i : best), 0);
    const highAfter = Math.max(...replayed.slice(lowIdx + 1).map(at));
    const value = Math.round((at(replayed[lowIdx]!) + highAfter) / 2);
    // Where it first crosses above, as a trader reading the chart would find it (the first bar is the baseline).
    let expected: number | undefined;
    for (let i = 1; i < replayed.length && expected === undefined; i++) if (at(replayed[i - 1]!) <= value && at(replayed[i]!) > value) expected = replayed[i];
    expect(expected).toBeDefined();

    const rule = await app.handlers['alerts.create']({
      condition: { kind: 'indicator', symbol: 'BTC/USDT', timeframe: '5m', indicator: 'rsi', params: { n: 14 }, output: 'value', op: 'crosses_above', value },
      mode: 'once',
    });
    await expect(
      app.handlers['alerts.create']({ condition: { kind: 'indicator', symbol: 'BTC/USDT', timeframe: '5m', indicator: 'rsi', params: { n: 14 }, output: 'signal', op: 'above', value: 1 }, mode: 'once' }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'condition.output' });
    await expect(
      app.handlers['alerts.create']({ condition: { kind: 'indicator', symbol: 'BTC/USDT', timeframe: '5m', indicator: 'atr', params: {}, source: 'hl2', output: 'value', op: 'above', value: 1 }, mode: 'once' }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'condition.source' });
    pushed = [];
    // Slow enough that each closed bar is evaluated on its own (the evaluation catches up when it is not).
    await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from: all.ts[from]!, speed: 200 });
    const alert = await until(() => fired(rule.id)[0]);
    await app.handlers['replay.control']({ action: 'stop' });
    const when = new Date(expected!).toISOString().slice(0, 16).replace('T', ' ');
    expect(alert.message).toContain(`at the close of ${when} UTC`);
    expect(alert.message).toContain(at(expected!).toLocaleString('en-US', { maximumFractionDigits: 8 }));
    await app.handlers['alerts.delete']({ id: rule.id });
  });

  it('risk events: the kill switch raises a breaker alert, a burst of denials one alert, a stale feed its own', async () => {
    const breaker = await app.handlers['alerts.create']({ condition: { kind: 'risk', event: 'breaker' }, mode: 'every' });
    const burst = await app.handlers['alerts.create']({ condition: { kind: 'risk', event: 'denial_burst', count: 3, windowSec: 60 }, mode: 'every' });
    const stale = await app.handlers['alerts.create']({ condition: { kind: 'risk', event: 'stale_feed' }, mode: 'every' });
    pushed = [];
    app.publish('risk', await app.handlers['risk.state']({}));
    await app.handlers['risk.killSwitch']({ engage: true, reason: 'test' });
    expect(fired(breaker.id)).toHaveLength(1);
    expect(fired(breaker.id)[0]).toMatchObject({ level: 'warn', title: 'Trading HALTED' });
    expect(fired(breaker.id)[0]!.message).toContain('kill switch is engaged: test');
    await app.handlers['risk.killSwitch']({ engage: false });

    // Four limit orders far outside the price collar: four denials, one burst.
    for (let i = 0; i < 4; i++) {
      const r = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', size: 0.01, sizeMode: 'qty', price: all.close[all.ts.length - 1]! / 2 });
      expect(r).toMatchObject({ ok: false, check: 'price_collar' });
    }
    await until(() => (fired(burst.id).length > 0 ? true : undefined));
    expect(fired(burst.id)).toHaveLength(1);
    expect(fired(burst.id)[0]!.message).toMatch(/^3 orders denied within 60 s; the last: price_collar: /);

    app.publish('denial', { check: 'stale_price', reason: 'reference price for BTC/USDT is 9000 ms old (limit 5000 ms)', ts: Date.now(), symbol: 'BTC/USDT', side: 'buy' });
    expect(fired(stale.id)).toHaveLength(1);
    expect(fired(stale.id)[0]!.title).toBe('Stale price for BTC/USDT');
    // The watchdog's word for a silent data stream, as the risk state carries it (the watchdog itself waits 15 s).
    const active = await app.handlers['risk.state']({});
    app.publish('risk', active);
    app.publish('risk', { ...active, tradingState: 'HALTED', killSwitch: { engaged: true, since: Date.now(), reason: 'watchdog: data silent for 16000 ms' } });
    expect(fired(stale.id).map((a) => a.title)).toEqual(['Stale price for BTC/USDT', 'Stale feed']);
    expect(fired(breaker.id)).toHaveLength(2);
    for (const r of [breaker, burst, stale]) await app.handlers['alerts.delete']({ id: r.id });
  });

  it("a strategy's events, read from the strategy host's pushes, fire the alerts that match them by strategy and kind", async () => {
    const any = await app.handlers['alerts.create']({ condition: { kind: 'strategy' }, mode: 'every' });
    const fills = await app.handlers['alerts.create']({ condition: { kind: 'strategy', strategy: 'sma-cross', event: 'fill' }, mode: 'every' });
    const paused = await app.handlers['alerts.create']({ condition: { kind: 'strategy', event: 'paused' }, mode: 'once' });
    const other = await app.handlers['alerts.create']({ condition: { kind: 'strategy', strategy: 'breakout' }, mode: 'every' });
    // The wire takes only the events the host's pushes can raise.
    expect(paramSchemas['alerts.create'].safeParse({ condition: { kind: 'strategy', event: 'bought' }, mode: 'once' }).success).toBe(false);
    pushed = [];
    const from = all.ts[all.ts.length - 300]!;
    await app.handlers['replay.start']({ symbol: 'BTC/USDT', timeframe: '5m', from, speed: 1 });
    await app.handlers['replay.control']({ action: 'pause' });
    const s = await app.handlers['strategies.start']({ strategy: 'sma-cross', params: { fast: 3, slow: 8 }, symbol: 'BTC/USDT', timeframe: '5m', allocation: 5_000 });
    await app.handlers['replay.control']({ action: 'resume', speed: 1000 });
    await until(() => (fired(fills.id).length > 0 ? true : undefined), 30_000);
    await app.handlers['replay.control']({ action: 'stop' });
    await app.handlers['strategies.control']({ id: s.id, action: 'pause' });
    await app.handlers['strategies.control']({ id: s.id, action: 'stop' });

    const titles = fired(any.id).map((a) => a.title);
    expect(titles[0]).toBe(`${s.id}: started`);
    expect(titles).toContain(`${s.id}: signal`);
    expect(titles).toContain(`${s.id}: fill`);
    expect(titles.slice(-2)).toEqual([`${s.id}: paused`, `${s.id}: stopped`]);
    // One alert per fill on the strategy's own ledger, said as a sentence.
    const mine = (await app.handlers['fills.list']({ limit: 500 })).filter((f) => f.ledger === s.id);
    expect(fired(fills.id)).toHaveLength(mine.length);
    expect(fired(fills.id)[0]!.message).toMatch(/^(bought|sold) [\d.]+ BTC\/USDT at [\d,.]+$/);
    expect(fired(paused.id)).toHaveLength(1);
    expect((await app.handlers['alerts.list']({})).find((r) => r.id === paused.id)!.enabled).toBe(false);
    expect(fired(other.id)).toHaveLength(0);
    for (const r of [any, fills, paused, other]) await app.handlers['alerts.delete']({ id: r.id });
  });

  it('engine alerts go to the same log', async () => {
    app.publish('alert', { level: 'error', title: 'Flatten X failed', message: 'refused', ts: Date.now() });
    const log = await app.handlers['alerts.log']({ limit: 5 });
    expect(log[0]).toMatchObject({ kind: 'engine', title: 'Flatten X failed', message: 'refused' });
    expect(log[0]!.ruleId).toBeUndefined();
  });
});

describe('the workspace kept by the engine', () => {
  it('keeps drawings per symbol, layouts by name, the watchlist, timeframes and trading preferences across a restart', async () => {
    const hline = await app.handlers['drawings.save']({ symbol: 'BTC/USDT', kind: 'hline', points: [{ ts: all.ts[0]!, price: 23_000 }], color: '#f0b429' });
    const note = await app.handlers['drawings.save']({ symbol: 'BTC/USDT', kind: 'text', points: [{ ts: all.ts[5]!, price: 22_000 }], text: 'breakout?' });
    await app.handlers['drawings.save']({ symbol: 'ETH/USDT', kind: 'hline', points: [{ ts: all.ts[0]!, price: 1_500 }] });
    const moved = await app.handlers['drawings.save']({ ...hline, points: [{ ts: all.ts[0]!, price: 23_500 }] });
    expect(moved.id).toBe(hline.id);
    await expect(app.handlers['drawings.save']({ symbol: 'BTC/USDT', kind: 'trend', points: [{ ts: 1, price: 1 }] })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'points' });
    await expect(app.handlers['drawings.save']({ id: 'd-nope', symbol: 'BTC/USDT', kind: 'hline', points: [{ ts: 1, price: 1 }] })).rejects.toMatchObject({ code: 'NOT_FOUND', where: 'id' });
    await expect(app.handlers['drawings.save']({ ...note, symbol: 'ETH/USDT' })).rejects.toMatchObject({ where: 'symbol' });

    const layout = {
      count: 2 as const,
      linkSymbol: true,
      linkCrosshair: false,
      active: 1,
      charts: [
        { symbol: 'BTC/USDT', timeframe: '5m', indicators: [{ key: 'rsi-1', id: 'rsi', params: { n: 21 }, colors: ['#ff0000'], lineStyle: 'dashed' as const }] },
        { symbol: 'BTC/USDT', timeframe: '1h', indicators: [] },
      ],
    };
    await app.handlers['workspace.set']({ layout, watchlist: ['BTC/USDT', 'ETH/USDT', 'BTC/USDT'], timeframes: { 'BTC/USDT': '1h' }, trading: { ...(await app.handlers['workspace.get']({})).trading, quantity: 0.05 } });
    await app.handlers['workspace.set']({ timeframes: { 'ETH/USDT': '4h' } });
    await app.handlers['layouts.save']({ name: 'Scalping', layout });
    await app.handlers['layouts.save']({ name: 'Gone', layout });
    await app.handlers['layouts.delete']({ name: 'Gone' });
    await expect(app.handlers['layouts.delete']({ name: 'Gone' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await app.close();
    await openApp();
    const drawings = await app.handlers['drawings.list']({ symbol: 'BTC/USDT' });
    expect(drawings.map((d) => [d.kind, d.points[0]!.price, d.text])).toEqual([
      ['hline', 23_500, undefined],
      ['text', 22_000, 'breakout?'],
    ]);
    const w = await app.handlers['workspace.get']({});
    expect(w.watchlist).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(w.timeframes).toEqual({ 'BTC/USDT': '1h', 'ETH/USDT': '4h' });
    expect(w.layout).toMatchObject({ count: 2, linkSymbol: true, active: 1 });
    expect(w.layout!.charts).toHaveLength(4); // padded to the most charts a layout has, so growing it back keeps nothing stale
    expect(w.layout!.charts[0]!.indicators[0]).toMatchObject({ id: 'rsi', params: { n: 21 }, lineStyle: 'dashed' });
    expect(Object.keys(w.layouts)).toEqual(['Scalping']);
    expect(w.trading).toMatchObject({ oneClick: false, quantity: 0.05, hotkeys: { enabled: false } });
  });

  it('refuses a malformed layout or preference at the wire, naming the field', async () => {
    const { parseParams } = await import('../../protocol/schemas');
    const bad = parseParams('workspace.set', { layout: { count: 3, linkSymbol: false, linkCrosshair: false, active: 0, charts: [{ indicators: [] }] } });
    expect(bad).toMatchObject({ ok: false, error: { where: 'layout.count' } });
    const key = parseParams('workspace.set', { trading: { oneClick: true, quantity: 1, hotkeys: { enabled: true, keys: { buy_market: 'Shift+B', sell_market: 'Shift+S', flatten: 'Shift+F', cancel_all: 'no such key!' } } } });
    expect(key).toMatchObject({ ok: false, error: { where: 'trading.hotkeys.keys.cancel_all' } });
  });

  it('quotes a watchlist: the latest stored close, the change over 24 hours and a sparkline ending on it', async () => {
    const [btc, none] = await app.handlers['watchlist.quotes']({ symbols: ['BTC/USDT', 'NONE/USD'] });
    expect(none).toEqual({ symbol: 'NONE/USD', missing: true });
    if (!btc || btc.missing) throw new Error('BTC/USDT should be quoted');
    const n = all.ts.length;
    const last = all.close[n - 1]!;
    const base = all.close[all.ts.indexOf(all.ts[n - 1]! - 24 * 3600_000)]!;
    expect(btc).toMatchObject({ timeframe: '5m', ts: all.ts[n - 1], last, base });
    expect(btc.change).toBeCloseTo(last - base, 8);
    expect(btc.changePct).toBeCloseTo(((last - base) / base) * 100, 8);
    expect(btc.spark).toHaveLength(48);
    expect(btc.spark[47]).toBe(last);
  });
});
