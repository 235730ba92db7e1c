// A live desk in a process of its own, for the crash test (live-crash.test.ts): it kills
// itself with SIGKILL at one step of the order path, or (step "none") starts on an existing
// home, reconciles, and prints what its journal holds.
//   node --import tsx live-crash-child.ts API_URL DIR TAG STEP
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderStep } from '../../src/exchange/live/live-venue';
import { openLiveDesk, SYM, until } from './live-rig';

const [apiUrl, dir, tag, step] = process.argv.slice(2) as [string, string, string, OrderStep | 'sent' | 'none'];
const restart = existsSync(join(dir, 'state.sqlite'));
const d = await openLiveDesk(apiUrl, dir, restart, {
  tag,
  profile: { notFoundFinalAfterMs: 2_000 },
  venue: {
    probe: (s) => {
      if (s === step) process.kill(process.pid, 'SIGKILL');
    },
  },
});
d.session.start();
await until(() => d.session.status.state === 'ready', 20_000, 'reconciled');
process.stdout.write('READY\n');
if (step !== 'none') {
  const price = await d.refresh();
  if (step === 'filled') {
    // Bigger than the best ask: several fills, and the process dies after the first is applied.
    // The book moves between this read and the order: four levels deep (within the account's cash) walks several of them.
    const book = await d.client.read('book', (ex) => ex.fetchOrderBook('BTC/USDT', 10));
    const depth = book.asks.slice(0, 4).reduce((s, l) => s + Number(l[1]), 0);
    const qty = Math.round(Math.min(depth, 80_000 / price) * 1e5) / 1e5;
    const p = d.desk.place({ symbol: SYM, side: 'buy', type: 'market', qty });
    if (!p.ok) throw new Error(p.reason);
  } else {
    const p = d.desk.place({ symbol: SYM, side: 'buy', type: 'limit', qty: 0.01, price: Math.round(price * 0.8) });
    if (!p.ok) throw new Error(p.reason);
  }
  await new Promise((r) => setTimeout(r, 15_000));
  process.stdout.write('NOT KILLED\n');
  process.exit(3);
}
const orders = d.store.orders('all');
const fills = d.store.fills();
process.stdout.write(
  `JOURNAL ${JSON.stringify({
    orders: orders.map((o) => ({ id: o.id, status: o.status, filledQty: o.filledQty, venueOrderId: o.venueOrderId, reason: o.reason })),
    fills: fills.map((f) => ({ id: f.id, orderId: f.orderId, qty: f.qty, side: f.side, venueTradeId: f.venueTradeId })),
    position: d.desk.ledgers.qty('manual', SYM),
    positionsTable: d.store.positions('manual').find((p) => p.symbol === SYM)?.qty ?? 0,
  })}\n`,
);
await d.close();
process.exit(0);
