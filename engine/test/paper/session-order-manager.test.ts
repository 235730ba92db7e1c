import { describe, expect, it } from 'vitest';
import type { OrderError } from '../../src/execution/order-manager';
import { PaperSession } from '../../src/execution/paper/paper-session';
import { NO_RISK, type OrderEvent, type OrderJournal } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import { SYMBOL, sessionRig } from './session-helpers';

describe('paper session: reference prices for risk', () => {
  it('prints and quotes refresh the order manager reference price at their own time', () => {
    const { s } = sessionRig({ start: 1_000 });
    s.feedBar(SYMBOL, { ts: 0, open: 100, high: 100, low: 100, close: 100, volume: 10 });
    expect(s.orders.referencePrice(SYMBOL)).toEqual({ price: 100, ts: 300_000 });
    s.feedTrade(SYMBOL, { ts: 301_000, price: 101.25, amount: 0.5, side: 'buy' });
    expect(s.orders.referencePrice(SYMBOL)).toEqual({ price: 101.25, ts: 301_000 });
    s.feedQuote(SYMBOL, { ts: 302_500, bid: 101, ask: 101.5 });
    expect(s.orders.referencePrice(SYMBOL)).toEqual({ price: 101.25, ts: 302_500 });
    s.close();
  });
});

/** Waits on real timers until `done` holds (a loaded machine delays timers; never a fixed sleep). */
async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((res) => setTimeout(res, 5));
  }
}

describe('paper session, live: a journal that refuses a fill', () => {
  it('reports an error event from the timer, applies nothing, and throws nothing uncaught', async () => {
    let refuse = true;
    const journal: OrderJournal = {
      orderChanged: () => {},
      fillAdded: (f) => {
        if (refuse) throw new Error(`UNIQUE constraint failed: fills.venue_trade_id (${f.venueTradeId})`);
      },
    };
    const s = PaperSession.live({
      risk: NO_RISK,
      account: new Account(100_000, 'USDT'),
      instruments: [researchInstrument(SYMBOL)],
      timeframe: '1m',
      journal,
      venue: { seed: 3, latency: { kind: 'fixed', ms: 5 } },
    });
    const errors: OrderError[] = [];
    const events: OrderEvent[] = [];
    s.orders.onError((e) => errors.push(e));
    s.orders.onEvent((e) => events.push(e));
    const r = s.emulator.place({ symbol: SYMBOL, side: 'buy', type: 'market', qty: 1 });
    if (!r.ok) throw new Error('refused');
    await until(() => events.length === 2);
    s.feedTrade(SYMBOL, { ts: s.clock.now(), price: 100, amount: 50, side: 'sell' });
    await until(() => errors.length > 0);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^filled report for order .* not applied: UNIQUE constraint failed/);
    expect(s.account.position(SYMBOL).qty).toBe(0);
    expect(s.account.cash).toBe(100_000);
    expect(s.orders.get(r.id)).toMatchObject({ status: 'accepted', filledQty: 0 });
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'accepted']);
    refuse = false;
    s.close();
  });
});
