import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/model/bar';
import type { OrderRequest } from '../../src/model/order';
import { BAR_MS } from './helpers';
import { SYMBOL, sessionRig } from './session-helpers';

const T0 = 1_700_000_000_000;
const LATENCY = 100;
const SLIP = 5 / 10_000;

/** A random walk of bars: each opens at the last close, with a range around open and close. */
const barsArb = fc.array(fc.record({ move: fc.double({ min: -0.02, max: 0.02, noNaN: true }), up: fc.double({ min: 0, max: 0.01, noNaN: true }), down: fc.double({ min: 0, max: 0.01, noNaN: true }), volume: fc.double({ min: 1, max: 100, noNaN: true }) }), { minLength: 15, maxLength: 30 }).map((steps) => {
  let px = 100;
  return steps.map((s, i): Bar => {
    const open = px;
    const close = px * (1 + s.move);
    px = close;
    return { ts: T0 + i * BAR_MS, open, close, high: Math.max(open, close) * (1 + s.up), low: Math.min(open, close) * (1 - s.down), volume: s.volume };
  });
});

type Action = { at: number; kind: 'plain' | 'oco' | 'bracket'; side: 'buy' | 'sell'; type: OrderRequest['type']; off: number; off2: number; qty: number };
const actionArb = fc.record({
  at: fc.nat({ max: 14 }),
  kind: fc.constantFrom('plain', 'oco', 'bracket'),
  side: fc.constantFrom('buy', 'sell'),
  type: fc.constantFrom('market', 'limit', 'stop', 'stop_limit', 'trailing_stop'),
  off: fc.double({ min: 0.001, max: 0.03, noNaN: true }),
  off2: fc.double({ min: 0.001, max: 0.03, noNaN: true }),
  qty: fc.double({ min: 0.1, max: 20, noNaN: true }),
}) as fc.Arbitrary<Action>;

function request(a: Action, px: number): OrderRequest {
  const sgn = a.side === 'buy' ? 1 : -1;
  const base = { symbol: SYMBOL, side: a.side, qty: a.qty } as const;
  switch (a.type) {
    case 'market':
      return { ...base, type: 'market' };
    case 'limit':
      return { ...base, type: 'limit', price: px * (1 - sgn * a.off) };
    case 'stop':
      return { ...base, type: 'stop', stopPrice: px * (1 + sgn * a.off) };
    case 'stop_limit':
      return { ...base, type: 'stop_limit', stopPrice: px * (1 + sgn * a.off), price: px * (1 + sgn * (a.off + a.off2)) };
    default:
      return { ...base, type: 'trailing_stop', trailingPercent: a.off };
  }
}

describe('paper session invariants on random bars and orders', () => {
  it('fills stay inside the bar (give or take slippage), within the volume share, never overfill an order or an OCO group', () => {
    let fillsSeen = 0;
    let groupsDone = 0;
    fc.assert(
      fc.property(barsArb, fc.array(actionArb, { maxLength: 12 }), (bars, actions) => {
        const r = sessionRig({ start: bars[0]!.ts, venue: { latency: { kind: 'fixed', ms: LATENCY } } });
        bars.forEach((bar, i) => {
          r.s.feedBar(SYMBOL, bar);
          for (const a of actions.filter((x) => x.at === i)) {
            const px = bar.close;
            if (a.kind === 'plain') r.s.emulator.place(request(a, px));
            else if (a.kind === 'oco') {
              const exit = a.side;
              r.s.emulator.placeOco(
                { symbol: SYMBOL, side: exit, type: 'limit', price: px * (exit === 'sell' ? 1 + a.off : 1 - a.off), qty: a.qty },
                { symbol: SYMBOL, side: exit, type: 'stop', stopPrice: px * (exit === 'sell' ? 1 - a.off2 : 1 + a.off2), qty: a.qty },
              );
            } else {
              const sgn = a.side === 'buy' ? 1 : -1;
              r.s.emulator.placeBracket({ entry: request({ ...a, type: a.type === 'trailing_stop' ? 'market' : a.type }, px), takeProfit: px * (1 + sgn * a.off), stopLoss: px * (1 - sgn * a.off2) });
            }
          }
        });
        r.s.close();
        fillsSeen += r.fills().length;
        groupsDone += r.records.filter((x) => x.kind === 'group_done').length;
        // A fill is stamped inside the bar it traded in: at its open, or when the order went live in it.
        const byBar = new Map(bars.map((b) => [b.ts, b]));
        const perBar = new Map<number, number>();
        for (const { fill, order } of r.fills()) {
          const open = bars.findLast((b) => b.ts <= fill.ts && fill.ts < b.ts + BAR_MS)?.ts ?? NaN;
          const bar = byBar.get(open);
          expect(bar, `fill at ${fill.ts} is not inside any bar`).toBeDefined();
          expect(fill.price).toBeGreaterThanOrEqual(bar!.low * (1 - SLIP) * (1 - 1e-12));
          expect(fill.price).toBeLessThanOrEqual(bar!.high * (1 + SLIP) * (1 + 1e-12));
          perBar.set(open, (perBar.get(open) ?? 0) + fill.qty);
          expect(order.filledQty).toBeLessThanOrEqual(order.qty * (1 + 1e-12));
        }
        for (const [ts, q] of perBar) expect(q).toBeLessThanOrEqual(0.1 * byBar.get(ts)!.volume * (1 + 1e-9));
        // On bars the sibling's cancel always lands before the next bar: no OCO group ever overfills.
        expect(r.records.filter((x) => x.kind === 'overfill')).toEqual([]);
        // The account is exactly its fills.
        const net = r.fills().reduce((s, { fill }) => s + (fill.side === 'buy' ? fill.qty : -fill.qty), 0);
        expect(r.s.account.position(SYMBOL).qty).toBeCloseTo(net, 9);
      }),
      { numRuns: 100, seed: 20260122 },
    );
    // The properties were tested on real activity, not on runs where nothing traded.
    expect(fillsSeen).toBeGreaterThan(400);
    expect(groupsDone).toBeGreaterThan(40);
  });
});
