import type { OrderJournal } from '../execution/types';
import type { Fill } from '../model/fill';
import type { Order } from '../model/order';
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
