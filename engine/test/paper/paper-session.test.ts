import { describe, expect, it } from 'vitest';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import { NO_RISK } from '../../src/execution/types';
import { PaperSession } from '../../src/execution/paper/paper-session';
import { BAR_MS, loadBars } from './helpers';
import { SYMBOL, sessionRig } from './session-helpers';

const bars = loadBars();

/** A fixed script of orders of every kind over the real bars; returns everything observable. */
function scriptedRun(seed: number) {
  const r = sessionRig({ seed, start: bars[0]!.ts });
  const submittedAt = new Map<string, number>();
  r.s.orders.onEvent((e) => {
    if (e.kind === 'submitted') submittedAt.set(e.order.id, e.ts);
  });
  bars.forEach((bar, i) => {
    r.s.feedBar(SYMBOL, bar);
    const c = bar.close;
    const em = r.s.emulator;
    if (i % 24 === 1) em.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 250 }, takeProfit: c * 1.002, stopLoss: c * 0.998 });
    if (i % 24 === 13) em.place({ symbol: SYMBOL, side: 'sell', type: 'limit', price: c * 1.0005, qty: 3 });
    if (i % 24 === 17) em.place({ symbol: SYMBOL, side: 'buy', type: 'stop', stopPrice: c * 1.001, qty: 2 });
    if (i % 36 === 5) em.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', trailingPercent: 0.002, qty: 1 });
    if (i % 48 === 30) em.place({ symbol: SYMBOL, side: 'buy', type: 'stop_limit', stopPrice: c * 1.0005, price: c * 1.001, qty: 1 });
    if (i % 48 === 40) {
      em.placeOco({ symbol: SYMBOL, side: 'sell', type: 'limit', price: c * 1.0015, qty: 4 }, { symbol: SYMBOL, side: 'sell', type: 'stop', stopPrice: c * 0.9985, qty: 4 });
    }
  });
  r.s.close();
  const fills = r.fills().map((e) => ({ order: e.order.id, cid: e.order.clientOrderId, type: e.order.type, tag: e.order.tag, ...e.fill }));
  return { fills, events: r.events, records: r.records, oco: r.s.venue.ocoResolutions, submittedAt, cash: r.s.account.cash, qty: r.s.account.position(SYMBOL).qty };
}

describe('paper session over real bars', () => {
  const a = scriptedRun(42);

  it('produces identical fills, ids and timestamps under the same seed', () => {
    const b = scriptedRun(42);
    expect(a.fills.length).toBeGreaterThan(30);
    expect(b.fills).toEqual(a.fills);
    expect(b.events).toEqual(a.events);
    expect(b.records).toEqual(a.records);
    expect(b.oco).toEqual(a.oco);
    expect(b.cash).toBe(a.cash);
  });

  it('differs under another seed (latency draws move every timestamp)', () => {
    const c = scriptedRun(43);
    expect(c.fills.map((f) => f.ts)).not.toEqual(a.fills.map((f) => f.ts));
  });

  it('exercises what it claims: every order kind filled, partial fills, brackets, one-bar conflicts', () => {
    const types = new Set(a.fills.map((f) => f.type));
    expect([...types].sort()).toEqual(['limit', 'market', 'stop', 'stop_limit', 'trailing_stop']);
    expect(a.events.some((e) => e.kind === 'partially_filled')).toBe(true);
    expect(a.records.some((r) => r.kind === 'children_placed')).toBe(true);
    expect(a.records.some((r) => r.kind === 'leg_resized')).toBe(true);
    // Every stop-first resolution by the venue shows up as a pessimistic ambiguity record.
    const ambiguities = a.records.filter((r) => r.kind === 'same_bar_ambiguity');
    expect(ambiguities.every((r) => r.kind === 'same_bar_ambiguity' && r.pessimistic)).toBe(true);
    expect(ambiguities.length).toBeGreaterThan(0);
    expect(ambiguities.length).toBe(a.oco.length);
  });

  it('never fills before submit time + the least latency, and fills at most 10% of a bar', () => {
    for (const f of a.fills) expect(f.ts).toBeGreaterThanOrEqual(a.submittedAt.get(f.order)! + 50);
    const perBar = new Map<number, number>();
    for (const f of a.fills) {
      // A fill is stamped inside the bar it traded in (at its open, or when the order went live there).
      const barOpen = Math.floor(f.ts / BAR_MS) * BAR_MS;
      perBar.set(barOpen, (perBar.get(barOpen) ?? 0) + f.qty);
    }
    const volume = new Map(bars.map((b) => [b.ts, b.volume]));
    for (const [ts, q] of perBar) expect(q).toBeLessThanOrEqual(0.1 * volume.get(ts)! + 1e-9);
  });
});

describe('paper session, live', () => {
  it('answers on real timers after the configured latency', async () => {
    const s = PaperSession.live({
      risk: NO_RISK,
      account: new Account(100_000, 'USDT'),
      instruments: [researchInstrument(SYMBOL)],
      timeframe: '1m',
      venue: { seed: 1, latency: { kind: 'fixed', ms: 20 } },
    });
    const kinds: string[] = [];
    s.orders.onEvent((e) => kinds.push(e.kind));
    const placedAt = s.clock.now();
    const r = s.emulator.place({ symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 });
    expect(r.ok).toBe(true);
    expect(kinds).toEqual(['submitted']);
    await new Promise((res) => setTimeout(res, 60));
    expect(kinds).toEqual(['submitted', 'accepted']);
    s.feedBar(SYMBOL, { ts: placedAt - 60_000, open: 100, high: 100, low: 100, close: 100, volume: 100 });
    await new Promise((res) => setTimeout(res, 60));
    s.close();
    expect(kinds).toEqual(['submitted', 'accepted', 'filled']);
    expect(s.account.position(SYMBOL).qty).toBe(1);
  });
});
