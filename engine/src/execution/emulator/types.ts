import type { OrderRequest } from '../../model/order';
import type { OrderEvent } from '../types';

/** What the emulator needs of the order manager: every child order goes through place(), so through risk. */
export interface OrderRouter {
  place(request: OrderRequest): { ok: true; orderId: string } | { ok: false; check: string; reason: string };
  cancel(orderId: string): boolean;
  onEvent(listener: (event: OrderEvent) => void): () => void;
}

export type EmulatedResult = { ok: true; id: string; orderIds: string[] } | { ok: false; check: string; reason: string };

export type LegRole = 'take_profit' | 'stop_loss' | 'first' | 'second';

/**
 * What the emulator did and why, for the blotter and the session report. Every decision the
 * venue's data could not make for us (which leg of a bracket hit first) is recorded here.
 */
export type EmulatorRecord =
  | { kind: 'children_placed'; ts: number; groupId: string; qty: number; orderIds: string[] }
  | { kind: 'leg_resized'; ts: number; groupId: string; role: LegRole; fromQty: number; toQty: number; orderId: string }
  | { kind: 'sibling_cancelled'; ts: number; groupId: string; role: LegRole; orderId: string; because: string }
  /** pessimistic: the stop was the one filled, as the documented rule says; false means a venue resolved it the other way. */
  | { kind: 'same_bar_ambiguity'; ts: number; groupId: string; barTs: number; filled: LegRole; alsoReachable: LegRole; pessimistic: boolean }
  | { kind: 'overfill'; ts: number; groupId: string; target: number; filled: number }
  | { kind: 'leg_lost'; ts: number; groupId: string; role: LegRole; status: string; reason: string | undefined }
  | { kind: 'child_denied'; ts: number; groupId: string; role: LegRole | 'trailing_market'; check: string; reason: string }
  | { kind: 'trailing_triggered'; ts: number; trailId: string; level: number; triggeredAt: number; orderId: string | undefined }
  | { kind: 'group_done'; ts: number; groupId: string; filled: number };

/** A bracket: an entry, then a take-profit limit and a stop-loss stop working as an OCO pair for what the entry filled. */
export interface BracketRequest {
  entry: OrderRequest;
  takeProfit: number;
  stopLoss: number;
}
