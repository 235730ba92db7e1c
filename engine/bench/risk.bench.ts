// Pre-trade risk and the state store: check() throughput (it sits in the backtest loop) and
// durable fill writes (one transaction with fsync per fill, WAL + synchronous=FULL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '../src/core/clock';
import type { RiskView } from '../src/execution/types';
import { Account } from '../src/model/account';
import type { Instrument } from '../src/model/instrument';
import { Order, type OrderRequest } from '../src/model/order';
import { RiskEngine } from '../src/risk/engine';
import { StateStore } from '../src/state/store';

const BTC: Instrument = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, lotSize: 0.0001, minQty: 0.0001, minNotional: 5, makerFee: 0, takerFee: 0 };
const ETH: Instrument = { ...BTC, symbol: 'ETH/USDT', base: 'ETH', lotSize: 0.001, minQty: 0.001 };

function benchCheck(): void {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const account = new Account(1_000_000, 'USDT');
  account.applyFill({ id: 'f', orderId: 'o', clientOrderId: 'c', symbol: 'ETH/USDT', side: 'buy', qty: 10, price: 2_000, fee: 0, liquidity: 'taker', ts: clock.now() });
  const refs = new Map([['BTC/USDT', { price: 50_000, ts: clock.now() }], ['ETH/USDT', { price: 2_000, ts: clock.now() }]]);
  const working: Order[] = [];
  for (let i = 0; i < 4; i++) {
    const o = new Order(`w${i}`, `w${i}`, { symbol: 'BTC/USDT', side: i % 2 ? 'sell' : 'buy', type: 'limit', qty: 0.01, price: i % 2 ? 51_000 + i : 49_000 - i }, clock.now());
    o.transition('submitted', clock.now());
    working.push(o);
  }
  const view: RiskView = {
    now: () => clock.now(),
    account,
    instrument: (s) => (s === 'BTC/USDT' ? BTC : ETH),
    referencePrice: (s) => refs.get(s),
    workingOrders: () => working,
    ledgerQty: (_l, s) => account.position(s).qty,
  };
  const risk = new RiskEngine({ clock, limits: { ordersPerSecond: 1e4, orderBurst: 1e5, duplicateWindowMs: 0, maxOrderNotional: 1e6, maxPositionNotional: 1e7 } });
  const reqs: OrderRequest[] = [
    { symbol: 'BTC/USDT', side: 'buy', type: 'limit', qty: 0.0123, price: 49_500.123 },
    { symbol: 'BTC/USDT', side: 'sell', type: 'market', qty: 0.01 },
    { symbol: 'ETH/USDT', side: 'sell', type: 'limit', qty: 1.5, price: 2_010 },
  ];
  const n = 300_000;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) {
      clock.set(clock.now() + 1_000);
      for (const r of refs.values()) r.ts = clock.now();
    }
    if (risk.check(reqs[i % 3]!, view).ok) ok++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`risk.check: ${n} checks in ${s.toFixed(2)} s = ${Math.round(n / s).toLocaleString('en')} checks/s (${((s / n) * 1e6).toFixed(2)} µs each; ${ok} accepted; 2 positions, 4 working orders)`);
}

function benchFills(): void {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  try {
    const store = StateStore.open(join(dir, 'state.sqlite'));
    const n = 500;
    const orders: Order[] = [];
    for (let i = 0; i < n; i++) {
      const o = new Order(`o${i}`, `c${i}`, { symbol: 'BTC/USDT', side: i % 2 ? 'sell' : 'buy', type: 'market', qty: 0.01 }, i);
      o.transition('submitted', i);
      orders.push(o);
    }
    let t0 = process.hrtime.bigint();
    for (const o of orders) store.saveOrder(o.snapshot());
    const tOrders = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    orders.forEach((o, i) => store.recordFill({ id: `f${i}`, orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: 0.01, price: 50_000 + i, fee: 0.1, liquidity: 'taker', ts: i }));
    const tFills = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`state store (WAL, synchronous=FULL): ${Math.round(n / tOrders)} order saves/s, ${Math.round(n / tFills)} fills/s (fill + order + position + journal per transaction)`);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  benchCheck();
  benchFills();
}
