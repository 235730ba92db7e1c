import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager } from '../../src/execution/order-manager';
import { SimulatedVenue } from '../../src/execution/simulated-venue';
import type { OrderEvent } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import type { Bar } from '../../src/model/bar';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDir } from '../state/helpers';
import { INSTRUMENTS, LOOSE } from './helpers';

const SYM = 'BTC/USDT';

/** The real order path: order manager -> risk engine -> SQLite journal -> simulated venue. */
function desk(home: string) {
  const clock = new SimulatedClock(Date.UTC(2026, 10, 22, 12));
  const store = StateStore.open(join(home, 'state.sqlite'));
  const account = new Account(100_000, 'USDT');
  const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock, limits: LOOSE });
  const venue = new SimulatedVenue(clock, { positionOf: (s) => account.position(s).qty });
  const om = new OrderManager(clock, new SequentialIds(), risk, new SqliteOrderJournal(store), venue, account, [INSTRUMENTS[SYM]!]);
  risk.killSwitch.attach({
    cancelAll: () => om.cancelAll(),
    flatten: () => {
      for (const p of account.openPositions()) {
        om.place({ symbol: p.symbol, side: p.qty > 0 ? 'sell' : 'buy', type: 'market', qty: Math.abs(p.qty), source: 'risk', owner: 'kill-switch' });
      }
    },
  });
  const events: OrderEvent[] = [];
  om.onEvent((e) => events.push(e));
  const bar = (close: number) => {
    clock.set(clock.now() + 60_000);
    const b: Bar = { ts: clock.now(), open: close, high: close * 1.001, low: close * 0.999, close, volume: 1 };
    om.onBar(SYM, b);
  };
  return { clock, store, account, risk, om, events, bar };
}

describe('the kill switch on the real order path', () => {
  it('cancels working orders in the order manager, blocks new ones, and flattens through the risk gate', () => {
    const { store, account, risk, om, events, bar } = desk(tempDir());
    bar(50_000);
    expect(om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 0.1 }).ok).toBe(true);
    bar(50_000); // fills at the open
    expect(account.position(SYM).qty).toBeCloseTo(0.1, 12);
    expect(om.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.05, price: 49_000 }).ok).toBe(true);
    expect(om.place({ symbol: SYM, side: 'sell', type: 'limit', qty: 0.05, price: 52_000 }).ok).toBe(true);
    expect(om.workingOrders()).toHaveLength(2);

    expect(risk.killSwitch.engage({ reason: 'desk test', flatten: true, actor: 'ui' })).toEqual({ cancelled: 2 });
    expect(events.filter((e) => e.kind === 'cancelled')).toHaveLength(2);
    // the flatten order is the only one working, reduce-only, from the risk engine
    expect(om.workingOrders().map((o) => [o.side, o.qty, o.reduceOnly, o.source])).toEqual([['sell', 0.1, true, 'risk']]);
    expect(om.place({ symbol: SYM, side: 'buy', type: 'market', qty: 0.01 })).toMatchObject({ ok: false, check: 'kill_switch' });
    bar(49_500);
    expect(account.position(SYM).qty).toBe(0);
    expect(store.positions()[0]?.qty).toBe(0);
    expect(store.orders('working')).toEqual([]);
    store.close();
  });
});
