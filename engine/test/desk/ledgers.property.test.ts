// Random interleavings of manual and strategy orders on one desk: each ledger's position is
// the sum of its own fills, the account is the sum of the ledgers, and no strategy ever sees
// (or holds) a manual fill.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { SimulatedScheduler } from '../../src/core/scheduler';
import { TradingDesk } from '../../src/desk/desk';
import { StrategyHost } from '../../src/desk/strategy-host';
import { openLimits } from '../../src/desk/paper-run';
import { PaperVenue } from '../../src/execution/paper/paper-venue';
import type { OrderEvent } from '../../src/execution/types';
import type { Fill } from '../../src/model/fill';
import { researchInstrument } from '../../src/model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { defineStrategy, type StrategyContext } from '../../sdk';

const SYMBOL = 'BTC/USDT';
const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'keel-ledgers-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Act = { who: 'manual' | 0 | 1; side: 'buy' | 'sell'; kind: 'market' | 'limit'; lots: number; off: number; reduce: boolean };

/** A strategy that places what the test tells it to on each bar, and records what it hears. */
function scripted(queue: Map<string, Act[]>, heard: Map<string, OrderEvent[]>, ctxs: Map<string, StrategyContext>) {
  return defineStrategy({
    id: 'scripted',
    name: 'Scripted',
    description: 'places what the test queues',
    params: {},
    warmup: () => 0,
    create(ctx) {
      let id = '';
      return {
        onStart() {
          // Its ledger is its id; the test learns it from the first event's order.
        },
        onBar(bar) {
          for (const [k, acts] of queue) {
            if (k !== id && id !== '') continue;
            if (id === '' && !ctxs.has(k)) {
              id = k;
              ctxs.set(k, ctx);
            }
            if (k !== id) continue;
            for (const a of acts.splice(0)) {
              const qty = a.lots * 0.01;
              if (a.kind === 'market') ctx.place({ side: a.side, type: 'market', qty, reduceOnly: a.reduce });
              else ctx.place({ side: a.side, type: 'limit', qty, price: bar.close * (a.side === 'buy' ? 1 - a.off : 1 + a.off), reduceOnly: a.reduce });
            }
          }
        },
        onOrderEvent(e) {
          const list = heard.get(id) ?? [];
          list.push(e);
          heard.set(id, list);
        },
      };
    },
  });
}

describe('ledgers under random interleavings of manual and strategy orders', () => {
  it('each ledger is its own fills, the account is the sum of the ledgers, a strategy never sees a manual fill', async () => {
    let run = 0;
    const seen = { manual: 0, strategy: 0, reducedOnly: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.constantFrom<Act['who']>('manual', 0, 1),
            side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
            kind: fc.constantFrom<'market' | 'limit'>('market', 'limit'),
            lots: fc.integer({ min: 1, max: 40 }),
            off: fc.double({ min: 0, max: 0.004, noNaN: true }),
            reduce: fc.boolean(),
            bar: fc.integer({ min: 0, max: 59 }),
          }),
          { minLength: 10, maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 1_000 }),
        async (acts, seed) => {
          const clock = new SimulatedClock(T0);
          const scheduler = new SimulatedScheduler(clock);
          const store = StateStore.open(join(dir, `run-${++run}.sqlite`));
          let desk: TradingDesk | undefined;
          const venue = new PaperVenue({ scheduler, seed, latency: { kind: 'uniform', minMs: 10, maxMs: 90_000 }, slippageBps: 5, makerFee: 0.001, takerFee: 0.002, maxVolumeShare: 0.4, positionOf: (s, l) => desk!.ledgers.qty(l, s), name: `p${run}` });
          desk = new TradingDesk({ clock, ids: new SequentialIds(), venue, risk: new RiskEngine({ clock, limits: openLimits() }), journal: new SqliteOrderJournal(store), instruments: [researchInstrument(SYMBOL)], nativeTypes: new Set(ORDER_TYPES), persistence: store, log: { info: () => {}, warn: () => {}, error: () => {} } });
          desk.armKillSwitch();
          const queue = new Map<string, Act[]>();
          const heard = new Map<string, OrderEvent[]>();
          const ctxs = new Map<string, StrategyContext>();
          const module = scripted(queue, heard, ctxs);
          const host = new StrategyHost({ desk, loader: { load: async () => ({ module, sourceHash: 'test' }) }, persistence: store, log: { info: () => {}, warn: () => {}, error: () => {} } });
          desk.deposit(MANUAL_LEDGER, 300_000);
          const ids: string[] = [];
          for (let i = 0; i < 2; i++) {
            const v = await host.start({ strategy: 'scripted', params: {}, symbol: SYMBOL, timeframe: '1m', allocation: 100_000, warmup: 0 });
            ids.push(v.id);
            queue.set(v.id, []);
          }
          const fills: Fill[] = [];
          desk.orders.onFill((f) => fills.push(f));
          let price = 100;
          for (let b = 0; b < 60; b++) store.transaction(() => {
            for (const a of acts.filter((x) => x.bar === b)) {
              if (a.who === 'manual') {
                const qty = a.lots * 0.01;
                desk!.place(a.kind === 'market' ? { symbol: SYMBOL, side: a.side, type: 'market', qty, reduceOnly: a.reduce } : { symbol: SYMBOL, side: a.side, type: 'limit', qty, price: price * (a.side === 'buy' ? 1 - a.off : 1 + a.off), reduceOnly: a.reduce });
              } else queue.get(ids[a.who]!)!.push(a);
            }
            const open = price;
            price = price * (1 + Math.sin(b * 1.7 + seed) * 0.003);
            const bar = { ts: T0 + b * MIN, open, high: Math.max(open, price) * 1.002, low: Math.min(open, price) * 0.998, close: price, volume: 20 };
            scheduler.advanceTo(bar.ts + MIN);
            desk!.onBar(SYMBOL, bar);
            host.onClosedBar({ symbol: SYMBOL, timeframe: '1m', bar, source: 'replay' });
            // After every bar, the invariants hold.
            let sumQty = 0;
            let sumCash = 0;
            for (const l of desk!.ledgers.all()) {
              const own = fills.filter((f) => f.ledger === l.id).reduce((q, f) => q + (f.side === 'buy' ? f.qty : -f.qty), 0);
              expect(l.position(SYMBOL).qty).toBeCloseTo(own, 9);
              sumQty += l.position(SYMBOL).qty;
              sumCash += l.cash;
            }
            expect(desk!.account.position(SYMBOL).qty).toBeCloseTo(sumQty, 9);
            expect(desk!.account.cash).toBeCloseTo(sumCash, 6);
            expect(desk!.account.equity()).toBeCloseTo(desk!.ledgers.totals().equity, 6);
            for (const id of ids) {
              const ctx = ctxs.get(id);
              if (ctx) expect(ctx.position().qty).toBeCloseTo(desk!.ledgers.qty(id, SYMBOL), 12);
            }
          });
          scheduler.drain();
          for (const f of fills) seen[f.ledger === MANUAL_LEDGER ? 'manual' : 'strategy']++;
          for (const [id, events] of heard) {
            for (const e of events) expect(e.kind === 'denied' ? e.request.ledger : e.order.ledger).toBe(id);
          }
          // The journal on disk agrees: every ledger's stored position is its fills.
          const net = store.netFilledQty();
          for (const p of store.positions()) expect(p.qty).toBeCloseTo(net.get(`${p.ledger}|${p.symbol}`) ?? 0, 9);
          host.close();
          store.close();
        },
      ),
      { numRuns: 25, seed: 20261207 },
    );
    // The property held on real activity: both kinds of ledger traded.
    expect(seen.manual).toBeGreaterThan(50);
    expect(seen.strategy).toBeGreaterThan(50);
  });
});
