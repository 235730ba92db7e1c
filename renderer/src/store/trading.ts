import { create } from 'zustand';
import type { AccountSnapshot, Fill, OrderSnapshot, PositionDto, Topics } from '../../../engine/protocol';

const WORKING = new Set(['new', 'submitted', 'accepted', 'partially_filled']);
export const isWorkingStatus = (s: string): boolean => WORKING.has(s);

/** Fills kept for the blotter and chart markers; older ones are one `fills.list` away. */
const MAX_FILLS = 2000;

/**
 * Newer wins: a pushed event may overtake the initial `orders.list` answer, and an older
 * snapshot must never roll an order back (a filled order shown as working again).
 */
export function upsertOrders(current: Record<string, OrderSnapshot>, incoming: OrderSnapshot[]): Record<string, OrderSnapshot> {
  let next: Record<string, OrderSnapshot> | undefined;
  for (const o of incoming) {
    const have = (next ?? current)[o.id];
    if (have && have.updatedAt > o.updatedAt) continue;
    if (have && have.updatedAt === o.updatedAt && !isWorkingStatus(have.status) && isWorkingStatus(o.status)) continue;
    next ??= { ...current };
    next[o.id] = o;
  }
  return next ?? current;
}

/** Newest first, without duplicates (a fill can arrive in the list answer and as a push). */
export function mergeFills(current: Fill[], incoming: Fill[]): Fill[] {
  if (incoming.length === 0) return current;
  const seen = new Set(current.map((f) => f.id));
  const fresh = incoming.filter((f) => !seen.has(f.id));
  if (fresh.length === 0) return current;
  return [...fresh, ...current].sort((a, b) => b.ts - a.ts).slice(0, MAX_FILLS);
}

export function workingOrders(orders: Record<string, OrderSnapshot>): OrderSnapshot[] {
  return Object.values(orders)
    .filter((o) => isWorkingStatus(o.status))
    .sort((a, b) => b.createdAt - a.createdAt);
}

export function orderHistory(orders: Record<string, OrderSnapshot>): OrderSnapshot[] {
  return Object.values(orders).sort((a, b) => b.updatedAt - a.updatedAt);
}

export interface Denial {
  check: string;
  reason: string;
  ts: number;
  symbol?: string;
  side?: string;
}

interface TradingStore {
  orders: Record<string, OrderSnapshot>;
  fills: Fill[];
  positions: PositionDto[];
  account: AccountSnapshot | undefined;
  denials: Denial[];
  applyOrders(orders: OrderSnapshot[]): void;
  applyOrderEvents(events: Topics['order'][]): void;
  applyFills(fills: Fill[]): void;
  setPositions(p: PositionDto[]): void;
  setAccount(a: AccountSnapshot): void;
  addDenials(d: Denial[]): void;
}

export const useTrading = create<TradingStore>((set) => ({
  orders: {},
  fills: [],
  positions: [],
  account: undefined,
  denials: [],
  applyOrders: (orders) => set((s) => ({ orders: upsertOrders(s.orders, orders) })),
  applyOrderEvents: (events) => set((s) => ({ orders: upsertOrders(s.orders, events.map((e) => e.order)) })),
  applyFills: (fills) => set((s) => ({ fills: mergeFills(s.fills, fills) })),
  setPositions: (positions) => set({ positions: positions.filter((p) => p.qty !== 0 || p.realizedPnl !== 0) }),
  setAccount: (account) => set({ account }),
  addDenials: (d) => set((s) => ({ denials: [...d, ...s.denials].slice(0, 50) })),
}));
