import type { OrderJournal } from '../execution/types';
import type { Fill } from '../model/fill';
import type { Order } from '../model/order';
import { KeelError } from '../core/errors';
import type { StateStore } from './store';

/**
 * The order manager's durable journal in paper and live. Each call is its own transaction;
 * a fill writes the fill, its order's fill fields and the position together. Errors are
 * KeelErrors and leave what was already saved untouched.
 */
export class SqliteOrderJournal implements OrderJournal {
  constructor(private readonly store: StateStore) {}

  orderChanged(order: Order): void {
    this.store.saveOrder(order.snapshot());
  }

  fillAdded(fill: Fill): void {
    this.store.recordFill(fill);
  }
}

/**
 * The order journal of a replay run as fast as it can go (`keel paper`): changes are kept in
 * memory and written by flush(), each order once in its final state, in one transaction. The
 * run flushes at each of its commits, so the journal on disk always ends at a whole commit;
 * what a live desk needs (each change durable before anything leaves) is SqliteOrderJournal.
 * It refuses what the database would (a fill of an unknown order, a repeated venue trade id)
 * at once, so the order manager still applies nothing the journal would not keep.
 */
export class BatchedOrderJournal implements OrderJournal {
  private readonly orders = new Map<string, Order>();
  private readonly known = new Set<string>();
  private readonly tradeIds = new Set<string>();
  private fills: Fill[] = [];
  private entries: { ts: number; kind: 'order' | 'fill'; payload: string }[] = [];

  constructor(private readonly store: StateStore) {}

  orderChanged(order: Order): void {
    const snap = order.snapshot();
    this.orders.set(order.id, order);
    this.known.add(order.id);
    this.entries.push({ ts: snap.updatedAt, kind: 'order', payload: JSON.stringify(snap) });
  }

  fillAdded(fill: Fill): void {
    if (!this.known.has(fill.orderId)) throw new KeelError('NOT_FOUND', `order ${fill.orderId} is not recorded; an order is saved before it can fill`, { where: `fill ${fill.id}` });
    if (fill.venueTradeId !== undefined) {
      if (this.tradeIds.has(fill.venueTradeId)) throw new KeelError('CONFLICT', `venue trade ${fill.venueTradeId} is recorded already`, { where: `fill ${fill.id}` });
      this.tradeIds.add(fill.venueTradeId);
    }
    this.fills.push(fill);
    this.entries.push({ ts: fill.ts, kind: 'fill', payload: JSON.stringify(fill) });
  }

  /** Writes everything since the last flush in one transaction. */
  flush(): void {
    if (this.entries.length === 0) return;
    this.store.recordBatch({ orders: [...this.orders.values()].map((o) => o.snapshot()), fills: this.fills, journal: this.entries });
    this.orders.clear();
    this.fills = [];
    this.entries = [];
  }
}
