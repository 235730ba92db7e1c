/**
 * Reconciliation against a venue that keeps orders (a live exchange), venue-agnostic: the
 * journal's working orders and fills on one side, what the venue says now on the other, and
 * out of them the events that are missing here, in a deterministic order (per order by its
 * creation: acknowledged, then its fills by time and trade id, then its final state). The
 * desk applies them through the order manager's report path, so they are journalled exactly
 * as live reports are; a fill applied before (same trade id) is dropped there.
 *
 * What is not ours is never acted on: orders open at the venue that Keel did not place are
 * listed as external, for the trader to adopt, cancel or ignore. Balances are compared with
 * what the journal's fills account for, and a difference is listed the same way.
 */
import type { Fill } from '../model/fill';
import { isWorking, type OrderSnapshot } from '../model/order';
import type { FillReport, OrderStatusReport, VenueStatus } from './types';

export type ReconcileAction =
  | { kind: 'accepted'; orderId: string; venueOrderId: string | undefined; ts: number }
  | { kind: 'fill'; orderId: string; fill: FillReport }
  | { kind: 'final'; orderId: string; status: 'cancelled' | 'expired' | 'rejected'; reason: string; ts: number };

export interface Unresolved {
  orderId: string;
  clientOrderId: string;
  reason: string;
}

export interface ReconcilePlan {
  actions: ReconcileAction[];
  /** Orders whose fate is not known yet (not found too soon after sending, fills still missing): reconcile again. */
  unresolved: Unresolved[];
  /** Open at the venue, not placed by Keel. */
  external: OrderStatusReport[];
  /** Open at the venue under Keel's prefix but unknown to this journal (another Keel home on the same account, or a journal restored from an older copy). */
  strays: OrderStatusReport[];
}

export interface PlanInput {
  now: number;
  venueName: string;
  /** How long after sending "not found" is final (VenueCapabilities.notFoundFinalAfterMs). */
  notFoundFinalAfterMs: number;
  /** The journal's working orders. */
  working: readonly OrderSnapshot[];
  /** Every venue trade id the journal has applied to them. */
  appliedTradeIds: ReadonlySet<string>;
  status: VenueStatus;
}

/** Why an order that was never found is given up: one wording for the live venue and for reconciliation. */
export function neverReachedReason(venueName: string, ageMs: number): string {
  return `not found at ${venueName} ${(ageMs / 1000).toFixed(1)} s after it was sent: it never reached the exchange (it is not sent again)`;
}

const EPS = 1e-9;

export function planReconciliation(input: PlanInput): ReconcilePlan {
  const { status } = input;
  const byClient = new Map<string, OrderStatusReport>();
  for (const r of status.orders) byClient.set(r.clientOrderId, r);
  const missing = new Set(status.missing ?? []);
  const fillsByClient = new Map<string, FillReport[]>();
  for (const f of status.fills) {
    const list = fillsByClient.get(f.clientOrderId);
    if (list) list.push(f);
    else fillsByClient.set(f.clientOrderId, [f]);
  }
  const actions: ReconcileAction[] = [];
  const unresolved: Unresolved[] = [];
  const journalClients = new Set<string>();
  const working = [...input.working].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  for (const o of working) {
    journalClients.add(o.clientOrderId);
    if (!isWorking(o.status)) continue;
    const r = byClient.get(o.clientOrderId);
    if (!r) {
      const age = input.now - o.createdAt;
      if (missing.has(o.clientOrderId) && o.status === 'submitted' && age >= input.notFoundFinalAfterMs) {
        actions.push({ kind: 'final', orderId: o.id, status: 'rejected', reason: neverReachedReason(input.venueName, age), ts: input.now });
      } else if (missing.has(o.clientOrderId) && o.status !== 'submitted') {
        // The venue acknowledged it once and now says it does not know it: never guessed at.
        unresolved.push({ orderId: o.id, clientOrderId: o.clientOrderId, reason: `${input.venueName} acknowledged it but no longer finds it` });
      } else {
        unresolved.push({ orderId: o.id, clientOrderId: o.clientOrderId, reason: missing.has(o.clientOrderId) ? `not found at ${input.venueName} yet (sent ${(age / 1000).toFixed(1)} s ago)` : `${input.venueName} was not asked about it` });
      }
      continue;
    }
    if (o.status === 'submitted') actions.push({ kind: 'accepted', orderId: o.id, venueOrderId: r.venueOrderId, ts: r.ts });
    const fills = (fillsByClient.get(o.clientOrderId) ?? []).slice().sort((a, b) => a.ts - b.ts || tradeOrder(a, b));
    let filled = o.filledQty;
    for (const f of fills) {
      if (f.venueTradeId !== undefined && input.appliedTradeIds.has(f.venueTradeId)) continue;
      actions.push({ kind: 'fill', orderId: o.id, fill: f });
      filled += f.qty;
    }
    if (r.status === 'working' || r.status === 'filled') {
      // A filled order closes with its last fill; one that is short of fills waits for them.
      if (r.status === 'filled' && filled < r.filledQty - EPS * Math.max(1, r.filledQty)) {
        unresolved.push({ orderId: o.id, clientOrderId: o.clientOrderId, reason: `${input.venueName} reports ${r.filledQty} filled, its trades account for ${filled}` });
      }
      continue;
    }
    if (filled < r.filledQty - EPS * Math.max(1, r.filledQty)) {
      // Never close an order before every fill it had is applied: money would move unaccounted.
      unresolved.push({ orderId: o.id, clientOrderId: o.clientOrderId, reason: `${input.venueName} reports ${r.filledQty} filled before it was ${r.status}, its trades account for ${filled}` });
      continue;
    }
    actions.push({ kind: 'final', orderId: o.id, status: r.status, reason: `${r.status} at ${input.venueName} (found by reconciliation)`, ts: r.ts });
  }
  const external: OrderStatusReport[] = [];
  const strays: OrderStatusReport[] = [];
  for (const r of status.orders) {
    if (r.status !== 'working' || journalClients.has(r.clientOrderId)) continue;
    if (r.external) external.push(r);
    else strays.push(r);
  }
  return { actions, unresolved, external, strays };
}

function tradeOrder(a: FillReport, b: FillReport): number {
  const x = a.venueTradeId ?? '';
  const y = b.venueTradeId ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------- balances ----------

export interface BalanceBaseline {
  ts: number;
  /** Total per asset when the account was first traded by Keel (or as last adopted). */
  totals: Record<string, number>;
}

export interface BalanceDiff {
  asset: string;
  /** What the venue holds. */
  venue: number;
  /** What the baseline and the journal's fills account for. */
  keel: number;
  diff: number;
}

/**
 * What each asset should hold: the baseline plus every fill's flows (a buy adds the base and
 * spends the quote, a sell the reverse), less each fee in the asset it was charged in.
 */
export function expectedBalances(baseline: BalanceBaseline, fills: readonly Fill[], assetsOf: (symbol: string) => { base: string; quote: string }): Map<string, number> {
  const out = new Map<string, number>(Object.entries(baseline.totals));
  const add = (asset: string, x: number) => out.set(asset, (out.get(asset) ?? 0) + x);
  for (const f of fills) {
    const { base, quote } = assetsOf(f.symbol);
    const sign = f.side === 'buy' ? 1 : -1;
    add(base, sign * f.qty);
    add(quote, -sign * f.qty * f.price);
    if (f.feeAsset !== undefined && f.feeNative !== undefined) add(f.feeAsset, -f.feeNative);
    else add(quote, -f.fee);
  }
  return out;
}

/** Assets where the venue and the journal disagree by more than rounding (1e-8 of the asset, or 1e-9 of the amount). */
export function balanceDiffs(expected: ReadonlyMap<string, number>, venue: readonly { asset: string; total: number }[]): BalanceDiff[] {
  const held = new Map(venue.map((b) => [b.asset, b.total]));
  const assets = new Set([...expected.keys(), ...held.keys()]);
  const out: BalanceDiff[] = [];
  for (const asset of [...assets].sort()) {
    const v = held.get(asset) ?? 0;
    const k = expected.get(asset) ?? 0;
    const diff = v - k;
    if (Math.abs(diff) > Math.max(1e-8, 1e-9 * Math.max(Math.abs(v), Math.abs(k)))) out.push({ asset, venue: v, keel: k, diff });
  }
  return out;
}
