// A seeded soak of the live desk against the simulator with every fault on: timeouts after
// the exchange accepted, 5xx, 429, dropped websockets, duplicate and out-of-order fills.
// Afterwards: no client order id reached the exchange twice, every exchange order has its
// row in SQLite, the ledger's position is the sum of its fills, and the balances reconcile.
// Then the order round trip without faults, p50/p99. Figures go to stdout as one SOAK line.
//
// KEEL_SOAK_ORDERS sets how many orders are sent (default 2,000); KEEL_SOAK_SEED the seed.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/exchange/simulator/rng';
import { MANUAL_LEDGER } from '../../src/model/order';
import { liveRig, SYM, until, type LiveRig } from './live-rig';

const ORDERS = Number(process.env.KEEL_SOAK_ORDERS ?? 2_000);
const SEED = Number(process.env.KEEL_SOAK_SEED ?? 12);

let rig: LiveRig | undefined;
afterAll(async () => {
  await rig?.close();
});

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('the live soak', () => {
  it(`${ORDERS} orders with faults: nothing sent twice, nothing lost, positions and balances add up`, { timeout: 900_000 }, async () => {
    const faults = { timeoutAfterAccept: 0.02, rate5xx: 0.02, rate429: 0.005, retryAfterSec: 0.2, duplicateFill: 0.1, outOfOrderFills: 0.3 };
    const r = await liveRig({ sim: { seed: SEED, tradesPerSecond: 20, faults: {} }, profile: { notFoundFinalAfterMs: 3_000 }, timeoutMs: 2_000 });
    rig = r;
    r.session.start();
    await until(() => r.session.status.state === 'ready', 15_000, 'reconciled');
    r.sim.faults.set(faults);
    const rng = new Rng(SEED);
    const t0 = Date.now();
    let price = await r.refresh();
    const ticker = setInterval(() => {
      void r.refresh().then((p) => (price = p)).catch(() => undefined);
    }, 500);
    // Every websocket dropped every 7 s (down for 200 ms): the user stream reconnects and reconciles.
    const dropper = setInterval(() => r.sim.dropWebsockets(200), 7_000);
    const denials = new Map<string, number>();
    const working = new Set<string>();
    r.desk.events.on((e) => {
      if (e.kind !== 'order') return;
      const ev = e.event;
      if (ev.kind === 'denied') denials.set(ev.check, (denials.get(ev.check) ?? 0) + 1);
      else if (ev.kind === 'accepted') working.add(ev.order.id);
      else if (ev.kind === 'filled' || ev.kind === 'cancelled' || ev.kind === 'rejected' || ev.kind === 'expired') working.delete(ev.order.id);
    });
    let sent = 0;
    let cancels = 0;
    let actions = 0;
    let phase: 'buy' | 'sell' = 'buy';
    try {
      while (sent < ORDERS) {
        // Buying and selling phases: the risk layer refuses an order that would cross our own
        // working order on the other side (self_match), so a phase starts by cancelling them.
        const want = Math.floor(actions++ / 120) % 2 === 0 ? 'buy' : 'sell';
        if (want !== phase) {
          phase = want;
          cancels += r.desk.cancelAll({});
        }
        const u = rng.next();
        if (u < 0.15 && working.size > 0) {
          // Cancel a working order, chosen by the seed.
          const ids = [...working];
          if (r.desk.cancel(ids[Math.floor(rng.next() * ids.length)]!)) cancels++;
        } else {
          const side = phase;
          const qty = Math.round((0.001 + rng.next() * 0.004) * 1e5) / 1e5;
          const req =
            u < 0.55
              ? { symbol: SYM, side, type: 'market' as const, qty }
              : // Limits around the market: some cross and fill at once, some rest until cancelled or reached.
                { symbol: SYM, side, type: 'limit' as const, qty, price: Math.round(price * (1 + (side === 'buy' ? -1 : 1) * (rng.next() * 0.004 - 0.001)) * 100) / 100 };
          const out = r.desk.place(req as Parameters<typeof r.desk.place>[0]);
          if (out.ok) sent++;
        }
        await new Promise((res) => setTimeout(res, out(rng)));
      }
    } finally {
      clearInterval(ticker);
      clearInterval(dropper);
    }
    const soakMs = Date.now() - t0;

    // Quiet: faults off, every working order cancelled, every order settled.
    r.sim.faults.set({ timeoutAfterAccept: 0, rate5xx: 0, rate429: 0, duplicateFill: 0, outOfOrderFills: 0 });
    await until(() => r.session.status.state === 'ready', 30_000, 'reconciled after the faults');
    // One cancelAll: an order still awaiting its acknowledgement (or UNKNOWN) is cancelled once acknowledged.
    r.desk.cancelAll({});
    await until(() => r.store.orders('working').length === 0 || undefined, 120_000, 'every order settled').catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(r.store.orders('working').slice(0, 5).map((o) => [o.id, o.status, o.createdAt]))}`);
    });
    await new Promise((res) => setTimeout(res, 1_500));
    const last = await r.session.reconcile();

    const acct = r.account();
    const mine = [...acct.orders.values()].filter((o) => o.clientOrderId.startsWith(r.ids.prefix));
    const rows = r.store.orders('all');
    const fills = r.store.fills();
    const byStatus: Record<string, number> = {};
    for (const o of rows) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    const fillSum = fills.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0);
    const figures = {
      seed: SEED,
      ordersSent: sent,
      cancelsAsked: cancels,
      soakSeconds: Math.round(soakMs / 100) / 10,
      faultsInjected: { ...r.sim.faults.injected },
      outcomes: byStatus,
      denied: Object.fromEntries(denials),
      exchangeOrders: mine.length,
      fills: fills.length,
      duplicateFillsDropped: (r.desk as unknown as { orders: { duplicateFills: number } }).orders.duplicateFills,
      unknownAfterSend: r.logs.filter((l) => l.includes('is UNKNOWN')).length,
      reconciliations: r.logs.filter((l) => l.includes('reconciled with')).length,
      position: r.desk.ledgers.qty(MANUAL_LEDGER, SYM),
      balanceDiffs: last?.balances ?? 'not reconciled',
    };

    // No client order id reached the exchange twice.
    const twice = [...acct.clientIdsSeen].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    // Every exchange order has its row in SQLite, in the state the exchange has it.
    const rowsById = new Map(rows.map((o) => [o.clientOrderId, o]));
    const missing = mine.filter((o) => !rowsById.has(o.clientOrderId)).map((o) => o.clientOrderId);
    expect(missing).toEqual([]);
    const KEEL_STATUS: Record<string, string> = { FILLED: 'filled', CANCELED: 'cancelled', EXPIRED: 'expired', REJECTED: 'rejected', NEW: 'accepted', PARTIALLY_FILLED: 'partially_filled' };
    const disagree = mine.filter((o) => {
      const row = rowsById.get(o.clientOrderId)!;
      return Math.abs(row.filledQty - o.executedQty) > 1e-9 || row.status !== KEEL_STATUS[o.status];
    });
    expect(disagree.map((o) => [o.clientOrderId, o.status, o.executedQty, rowsById.get(o.clientOrderId)!.status, rowsById.get(o.clientOrderId)!.filledQty])).toEqual([]);
    // Every exchange trade of ours is one fill, once.
    const ourOrderIds = new Set(mine.map((o) => o.orderId));
    expect(fills.length).toBe(acct.trades.filter((t) => ourOrderIds.has(t.orderId)).length);
    // The ledger's position is the sum of its fills (in memory and in the positions table).
    expect(r.desk.ledgers.qty(MANUAL_LEDGER, SYM)).toBeCloseTo(fillSum, 9);
    expect(r.store.positions(MANUAL_LEDGER).find((p) => p.symbol === SYM)?.qty ?? 0).toBeCloseTo(fillSum, 9);
    // The balances reconcile, and nothing stopped trading on the way.
    expect(last?.balances).toEqual([]);
    expect(r.risk.killSwitch.engaged).toBe(false);
    expect(sent).toBe(ORDERS);

    // The order round trip without faults: place() to the exchange's acknowledgement, one at a time.
    const rt: number[] = [];
    const acked = new Map<string, () => void>();
    r.desk.events.on((e) => {
      if (e.kind === 'order' && e.event.kind === 'accepted') acked.get(e.event.order.id)?.();
    });
    await r.refresh();
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      let id = '';
      const done = new Promise<void>((res) => {
        const p = r.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.001, price: Math.round(price * 0.9) });
        if (!p.ok) throw new Error(p.reason);
        id = p.orderId;
        acked.set(id, res);
      });
      await done;
      rt.push(performance.now() - start);
      acked.delete(id);
      r.desk.cancel(id);
    }
    rt.sort((a, b) => a - b);
    const latency = { orders: rt.length, p50Ms: Math.round(pct(rt, 50) * 10) / 10, p99Ms: Math.round(pct(rt, 99) * 10) / 10, maxMs: Math.round(rt[rt.length - 1]! * 10) / 10 };
    const { loadavg } = await import('node:os');
    console.log(`SOAK ${JSON.stringify({ ...figures, roundTrip: latency, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) })}`);
  });
});

/** Pacing between actions: mostly a few ms, sometimes a burst with none. */
function out(rng: Rng): number {
  return rng.next() < 0.3 ? 0 : Math.floor(rng.next() * 8);
}
