import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import { OrderManager } from '../../src/execution/order-manager';
import { SimulatedVenue } from '../../src/execution/simulated-venue';
import { NO_JOURNAL, NO_RISK, type OrderEvent } from '../../src/execution/types';
import { OrderEmulator } from '../../src/execution/emulator/order-emulator';
import type { EmulatorRecord } from '../../src/execution/emulator/types';
import { BAR_MS, mkBar } from './helpers';

const SYMBOL = 'BTC/USDT';
const T0 = 1_700_000_000_000;

/** The emulator on the backtest venue, which answers inside place() and onBar(). */
function backtestRig() {
  const clock = new SimulatedClock(T0);
  const ids = new SequentialIds();
  const account = new Account(1_000_000, 'USDT');
  const venue = new SimulatedVenue(clock, { positionOf: (s) => account.position(s).qty });
  const om = new OrderManager(clock, ids, NO_RISK, NO_JOURNAL, venue, account, [researchInstrument(SYMBOL)]);
  const emulator = new OrderEmulator({ router: om, clock, ids });
  const events: OrderEvent[] = [];
  const records: EmulatorRecord[] = [];
  om.onEvent((e) => events.push(e));
  emulator.onRecord((r) => records.push(r));
  const bar = (i: number, o: number, h: number, l: number, c: number) => {
    const b = mkBar(T0 + i * BAR_MS, o, h, l, c);
    clock.set(b.ts + BAR_MS);
    emulator.noteBar(SYMBOL, b);
    om.onBar(SYMBOL, b);
    emulator.onBar(SYMBOL, b);
  };
  return { om, emulator, account, events, records, bar, venue };
}

describe('emulator on the backtest venue (synchronous answers)', () => {
  it('runs a bracket: children after the entry fill, stop first when one bar reaches both', () => {
    const r = backtestRig();
    const b = r.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 }, takeProfit: 110, stopLoss: 95 });
    if (!b.ok) throw new Error('refused');
    expect(r.events.filter((e) => e.kind === 'submitted')).toHaveLength(1);
    r.bar(0, 100, 101, 99, 100); // entry fills at the open; children go out inside that fill
    const children = r.om.workingOrders().filter((o) => o.parentId === b.orderIds[0]);
    expect(children.map((o) => [o.tag, o.qty, o.source])).toEqual([
      ['stop_loss', 1, 'emulated'],
      ['take_profit', 1, 'emulated'],
    ]);
    r.bar(1, 100, 112, 93, 100); // both reachable
    expect(r.account.position(SYMBOL).isFlat).toBe(true);
    const stop = children.find((o) => o.tag === 'stop_loss')!;
    const target = children.find((o) => o.tag === 'take_profit')!;
    expect(stop.status).toBe('filled');
    expect(target.status).toBe('cancelled');
    expect(r.records).toContainEqual(expect.objectContaining({ kind: 'same_bar_ambiguity', filled: 'stop_loss', pessimistic: true }));
    expect(r.venue.stopTargetBars).toBe(1);
    expect(r.records.at(-1)).toMatchObject({ kind: 'group_done', filled: 1 });
  });

  it('runs an OCO whose target fills, cancelling its sibling from inside the fill', () => {
    const r = backtestRig();
    r.om.place({ symbol: SYMBOL, side: 'buy', type: 'market', qty: 2 });
    r.bar(0, 100, 101, 99, 100);
    const oco = r.emulator.placeOco(
      { symbol: SYMBOL, side: 'sell', type: 'limit', price: 105, qty: 2, reduceOnly: true },
      { symbol: SYMBOL, side: 'sell', type: 'stop', stopPrice: 95, qty: 2, reduceOnly: true },
    );
    if (!oco.ok) throw new Error('refused');
    r.bar(1, 100, 106, 99, 105);
    expect(r.account.position(SYMBOL).isFlat).toBe(true);
    expect(r.om.workingOrders()).toEqual([]);
    expect(r.records.map((x) => x.kind)).toEqual(['sibling_cancelled', 'group_done']);
  });

  it('fires an emulated trailing stop on one bar and fills it at the next open, never on the bar that fired it', () => {
    const r = backtestRig();
    r.bar(0, 100, 100, 100, 100);
    const t = r.emulator.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', trailingAmount: 5, qty: 1 });
    if (!t.ok) throw new Error('refused');
    r.bar(1, 100, 108, 100, 107); // best 108, level 103
    r.bar(2, 107, 107, 102, 103); // fires at 103
    expect(r.records).toEqual([expect.objectContaining({ kind: 'trailing_triggered', level: 103 })]);
    expect(r.events.filter((e) => e.kind === 'filled')).toEqual([]);
    r.bar(3, 101, 102, 100, 101);
    const fills = r.events.filter((e) => e.kind === 'filled');
    expect(fills.map((e) => (e.kind === 'filled' ? e.fill.price : NaN))).toEqual([101]);
  });
});
