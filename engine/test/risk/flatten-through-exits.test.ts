import { describe, expect, it } from 'vitest';
import { PaperSession } from '../../src/execution/paper/paper-session';
import type { OrderEvent } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import { RiskEngine } from '../../src/risk/engine';
import { INSTRUMENTS, LOOSE, T0 } from './helpers';

/** A paper session behind a real risk engine whose kill switch drives the session's order manager. */
function rig() {
  const risk = new RiskEngine({ limits: LOOSE });
  const session = PaperSession.replay({
    risk,
    account: new Account(100_000, 'USDT'),
    instruments: [INSTRUMENTS['BTC/USDT']!],
    timeframe: '1m',
    venue: { seed: 1, latency: { kind: 'fixed', ms: 100 }, slippageBps: 0, makerFee: 0, takerFee: 0, maxVolumeShare: null },
    start: T0,
  });
  risk.killSwitch.attach({ cancelAll: () => session.orders.cancelAll(), flatten: () => void session.orders.flatten() });
  const events: OrderEvent[] = [];
  session.orders.onEvent((e) => events.push(e));
  // A print, then time for the venue's reports (100 ms each way) to arrive.
  const print = (ts: number, price: number) => {
    session.feedTrade('BTC/USDT', { ts, price, amount: 1e9, side: undefined });
    session.advanceTo(ts + 300);
  };
  return { risk, session, events, print };
}

describe('closing a position that a reduce-only exit covers', () => {
  it('the kill switch cancels the stop, then its flatten passes and closes the position', () => {
    const { risk, session, events, print } = rig();
    print(T0, 50_000);
    expect(session.orders.place({ symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.2 }).ok).toBe(true);
    print(T0 + 1_000, 50_000);
    expect(session.account.position('BTC/USDT').qty).toBeCloseTo(0.2, 12);
    expect(session.orders.place({ symbol: 'BTC/USDT', side: 'sell', type: 'stop', stopPrice: 48_000, qty: 0.2, reduceOnly: true }).ok).toBe(true);
    print(T0 + 2_000, 50_000);

    risk.killSwitch.engage({ reason: 'test', flatten: true, actor: 'test' });
    expect(events.filter((e) => e.kind === 'denied')).toEqual([]);
    print(T0 + 3_000, 49_900);
    expect(session.account.position('BTC/USDT').qty).toBe(0);
    expect(session.orders.workingOrders()).toEqual([]);
    const stop = events.find((e) => e.kind === 'cancelled');
    expect(stop && 'order' in stop ? stop.order.type : undefined).toBe('stop');
  });

  it('a stop that is working (not being cancelled) still makes a same-size reduce-only sell not only-reducing', () => {
    const { session, print } = rig();
    print(T0, 50_000);
    session.orders.place({ symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.2 });
    print(T0 + 1_000, 50_000);
    session.orders.place({ symbol: 'BTC/USDT', side: 'sell', type: 'stop', stopPrice: 48_000, qty: 0.2, reduceOnly: true });
    print(T0 + 2_000, 50_000);
    expect(session.orders.place({ symbol: 'BTC/USDT', side: 'sell', type: 'market', qty: 0.2, reduceOnly: true })).toMatchObject({ ok: false, check: 'reduce_only' });
  });

  it('if the stop fills before its cancel lands, the venue caps the flatten at what is left: never past flat', () => {
    const { session, print } = rig();
    print(T0, 50_000);
    session.orders.place({ symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.2 });
    print(T0 + 1_000, 50_000);
    const stop = session.orders.place({ symbol: 'BTC/USDT', side: 'sell', type: 'stop', stopPrice: 48_000, qty: 0.2, reduceOnly: true });
    print(T0 + 2_000, 50_000);
    session.orders.cancel(stop.ok ? stop.orderId : '');
    expect(session.orders.flatten()[0]).toMatchObject({ ok: true });
    // The market falls through the stop while the cancel and the flatten travel: the stop fills first.
    session.feedTrade('BTC/USDT', { ts: T0 + 2_050, price: 47_000, amount: 1e9, side: undefined });
    print(T0 + 3_000, 47_000);
    print(T0 + 4_000, 47_000);
    expect(session.account.position('BTC/USDT').qty).toBe(0);
    expect(session.account.realizedPnl).toBeLessThan(0); // the stop did fill, at 47,000
  });
});
