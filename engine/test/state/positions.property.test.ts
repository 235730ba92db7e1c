import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager } from '../../src/execution/order-manager';
import { SimulatedVenue } from '../../src/execution/simulated-venue';
import { Account } from '../../src/model/account';
import type { Instrument } from '../../src/model/instrument';
import type { OrderType, Side } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { LOOSE } from '../risk/helpers';
import { tempDbFile } from './helpers';

const INSTRUMENTS: Instrument[] = [
  { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, lotSize: 0.001, minQty: 0.001, minNotional: 0, makerFee: 0.0002, takerFee: 0.0005 },
  { symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', tickSize: 0.01, lotSize: 0.01, minQty: 0.01, minNotional: 0, makerFee: 0.0002, takerFee: 0.0005 },
];
const START = [30_000, 2_000];

type Action =
  | { kind: 'order'; symbol: number; side: Side; type: OrderType; lots: number; offsetPct: number }
  | { kind: 'bar'; symbol: number; move: number; range: number }
  | { kind: 'cancel'; index: number }
  | { kind: 'reopen' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      symbol: fc.integer({ min: 0, max: 1 }),
      side: fc.constantFrom<Side>('buy', 'sell'),
      type: fc.constantFrom<OrderType>('market', 'limit', 'stop'),
      lots: fc.integer({ min: 1, max: 3_000 }),
      offsetPct: fc.double({ min: -3, max: 3, noNaN: true }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('bar' as const), symbol: fc.integer({ min: 0, max: 1 }), move: fc.double({ min: -0.03, max: 0.03, noNaN: true }), range: fc.double({ min: 0, max: 0.03, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Positions always equal the sum of fills: the real order manager, simulated venue and risk
 * engine write through the SQLite journal; after every step the stored positions, the
 * signed sum of stored fills and the in-memory account agree, and each order's filled
 * quantity is the sum of its fills. Reopening the database in between changes nothing.
 */
describe('property: position = sum of fills', () => {
  it('holds for random orders, bars, cancels and reopens, through the order manager', () => {
    let fillsSeen = 0;
    fc.assert(
      fc.property(fc.array(action, { minLength: 25, maxLength: 40 }), (actions) => {
        const file = tempDbFile();
        const clock = new SimulatedClock(Date.UTC(2026, 10, 22));
        const account = new Account(10_000_000, 'USDT');
        let store = StateStore.open(file);
        const journal = { orderChanged: (o: never) => new SqliteOrderJournal(store).orderChanged(o), fillAdded: (f: never) => new SqliteOrderJournal(store).fillAdded(f) };
        // risk on its own connection to the same file, as the journal's connection is reopened
        const riskStore = StateStore.open(file);
        const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(riskStore), clock, limits: { ...LOOSE, maxPriceAgeMs: 86_400_000 } });
        const venue = new SimulatedVenue(clock, { makerFee: 0.0002, takerFee: 0.0005, positionOf: (s) => account.position(s).qty });
        const om = new OrderManager(clock, new SequentialIds(), risk, journal, venue, account, INSTRUMENTS);
        let fills = 0;
        om.onFill(() => fills++);
        const last = [...START];
        const bar = (i: number, move: number, range: number) => {
          clock.set(clock.now() + 60_000);
          const open = last[i]!;
          const c = Number((open * (1 + move)).toFixed(2));
          om.onBar(INSTRUMENTS[i]!.symbol, { ts: clock.now(), open, high: Math.max(open, c) * (1 + range), low: Math.min(open, c) * (1 - range), close: c, volume: 1 });
          last[i] = c;
        };
        bar(0, 0, 0);
        bar(1, 0, 0);
        try {
          for (const a of actions) {
            if (a.kind === 'bar') bar(a.symbol, a.move, a.range);
            else if (a.kind === 'cancel') {
              const w = om.workingOrders();
              if (w.length > 0) om.cancel(w[a.index % w.length]!.id);
            } else if (a.kind === 'reopen') {
              store.close();
              store = StateStore.open(file);
            } else {
              const inst = INSTRUMENTS[a.symbol]!;
              const px = Number((last[a.symbol]! * (1 + a.offsetPct / 100)).toFixed(2));
              om.place({
                symbol: inst.symbol,
                side: a.side,
                type: a.type,
                qty: Number((a.lots * inst.lotSize).toFixed(3)),
                ...(a.type === 'limit' && { price: px }),
                ...(a.type === 'stop' && { stopPrice: px }),
              });
            }
            const stored = new Map(store.positions().map((p) => [p.symbol, p]));
            const net = store.netFilledQty();
            for (const inst of INSTRUMENTS) {
              const mem = account.position(inst.symbol);
              const db = stored.get(inst.symbol);
              expect(close(db?.qty ?? 0, net.get(`manual|${inst.symbol}`) ?? 0)).toBe(true);
              expect(close(db?.qty ?? 0, mem.qty)).toBe(true);
              expect(close(db?.avgPrice ?? 0, mem.avgPrice)).toBe(true);
              expect(close(db?.realizedPnl ?? 0, mem.realizedPnl)).toBe(true);
              expect(close(db?.fees ?? 0, mem.fees)).toBe(true);
            }
            expect(store.fills().length).toBe(fills);
            for (const o of store.orders()) {
              const sum = store.fills(o.id).reduce((s, f) => s + f.qty, 0);
              expect(close(o.filledQty, sum)).toBe(true);
            }
          }
          fillsSeen += fills;
        } finally {
          store.close();
          riskStore.close();
        }
      }),
      { numRuns: 12, seed: 11 },
    );
    expect(fillsSeen).toBeGreaterThan(80);
  });
});
