import type { Bar } from '../../model/bar';
import type { OrderRequest, OrderSnapshot } from '../../model/order';
import type { OrderEvent } from '../types';
import type { EmulatorContext } from './order-emulator';
import type { LegRole } from './types';

const EPS = 1e-12;

type LegState = 'idle' | 'working' | 'replacing' | 'closing' | 'lost';

interface Leg {
  role: LegRole;
  template: OrderRequest;
  state: LegState;
  cid: string | undefined;
  orderId: string | undefined;
  /** Size of the order now working for this leg; the last size placed when idle. */
  qty: number;
  remaining: number;
  /** Filled over every order this leg has had. */
  filled: number;
}

/**
 * Two orders that together may fill at most `target`: the OCO rule generalised to partial
 * fills. After any fill, each working leg is resized to target − (fills of both legs): to
 * zero (cancelled) when the other leg filled in full, smaller when it filled in part. There
 * is no amend on the venue seam, so a resize is cancel, then re-place once the cancel is
 * confirmed (never two live orders for one leg). For a bracket the target is what the entry
 * has filled so far, so the children appear with the first entry fill and grow with it.
 */
export class OcoGroup {
  private readonly legs: Leg[];
  private entryCid: string | undefined;
  private entryDone: boolean;
  private entryOrderId: string | undefined;
  private done = false;
  private denial: string | undefined;
  private readonly ambiguousBars = new Set<number>();
  private overfillRecorded = 0;
  private childrenPlaced = false;
  private reconciling = false;
  private cancelled = false;
  private again = false;

  constructor(
    readonly id: string,
    legs: { role: LegRole; template: OrderRequest }[],
    private target: number,
    private readonly entry: OrderRequest | undefined,
    private readonly ctx: EmulatorContext,
  ) {
    this.legs = legs.map((l) => ({ ...l, state: 'idle', cid: undefined, orderId: undefined, qty: 0, remaining: 0, filled: 0 }));
    this.entryDone = entry === undefined;
    this.childrenPlaced = entry === undefined;
  }

  get isDone(): boolean {
    return this.done;
  }

  placeEntry(): { ok: true; orderId: string } | { ok: false; check: string; reason: string } {
    this.entryCid = this.entry!.clientOrderId;
    const r = this.ctx.placeAsCaller(this.entry!, this);
    if (r.ok) this.entryOrderId = r.orderId;
    else this.done = true;
    return r;
  }

  orderIds(): string[] {
    return this.legs.filter((l) => l.state === 'working').map((l) => l.orderId!);
  }

  lastDenial(): string | undefined {
    return this.denial;
  }

  /**
   * Cancels the entry (if working) and every leg; nothing more is placed, even for an entry
   * fill that races the cancel (the trader asked for the bracket to go). False when already finished.
   */
  cancelAll(): boolean {
    if (this.done || this.cancelled) return false;
    this.cancelled = true;
    if (!this.entryDone && this.entryOrderId) this.ctx.cancel(this.entryOrderId);
    this.reconcile();
    return true;
  }

  onEvent(e: Exclude<OrderEvent, { kind: 'denied' }>, order: OrderSnapshot): void {
    if (order.clientOrderId === this.entryCid || (this.entryOrderId !== undefined && order.id === this.entryOrderId)) {
      this.entryOrderId = order.id;
      if (e.kind === 'filled' || e.kind === 'partially_filled') this.target = order.filledQty;
      if (e.kind === 'filled' || e.kind === 'cancelled' || e.kind === 'rejected' || e.kind === 'expired') this.entryDone = true;
      this.reconcile();
      return;
    }
    const leg = this.legs.find((l) => l.cid !== undefined && (l.cid === order.clientOrderId || l.orderId === order.id));
    if (!leg) return;
    switch (e.kind) {
      case 'submitted':
      case 'accepted':
        leg.orderId = order.id;
        return;
      case 'partially_filled':
      case 'filled':
        leg.filled += e.fill.qty;
        leg.remaining = order.qty - order.filledQty;
        this.checkSameBar(leg);
        if (e.kind === 'filled') this.endOrder(leg, 'idle');
        this.checkOverfill();
        break;
      case 'cancelled':
      case 'rejected':
      case 'expired':
        if (leg.state === 'replacing' || leg.state === 'closing') this.endOrder(leg, 'idle');
        else {
          this.endOrder(leg, 'lost');
          this.ctx.record({ kind: 'leg_lost', ts: e.ts, groupId: this.id, role: leg.role, status: e.kind, reason: e.reason });
        }
        break;
    }
    this.reconcile();
  }

  /**
   * Brings every leg to the size the group still allows, and notices when the group is
   * finished. A synchronous venue answers inside cancel() and place(), so this is re-entered
   * from onEvent; a nested call only asks the outer one to go round again.
   */
  reconcile(): void {
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.again = false;
        this.reconcileOnce();
      } while (this.again && !this.done);
    } finally {
      this.reconciling = false;
    }
  }

  private reconcileOnce(): void {
    if (this.done) return;
    const tol = EPS * Math.max(1, this.target);
    const allowed = this.cancelled ? 0 : this.target - this.filled();
    const placed: string[] = [];
    for (const leg of this.legs) {
      if (leg.state === 'working') {
        const orderId = leg.orderId!;
        if (allowed <= tol) {
          leg.state = 'closing';
          const because = this.cancelled ? 'the group was cancelled' : 'the group has filled its quantity';
          this.ctx.record({ kind: 'sibling_cancelled', ts: this.ctx.now(), groupId: this.id, role: leg.role, orderId, because });
          this.ctx.cancel(orderId);
        } else if (Math.abs(leg.remaining - allowed) > tol) {
          leg.state = 'replacing';
          this.ctx.cancel(orderId);
        }
      } else if (leg.state === 'idle' && allowed > tol) {
        const id = this.placeLeg(leg, allowed);
        if (id) placed.push(id);
      }
    }
    if (placed.length > 0 && !this.childrenPlaced) {
      this.childrenPlaced = true;
      this.ctx.record({ kind: 'children_placed', ts: this.ctx.now(), groupId: this.id, qty: allowed, orderIds: placed });
    }
    const active = this.legs.some((l) => l.state === 'working' || l.state === 'replacing' || l.state === 'closing');
    if (!active && this.entryDone && !this.done) {
      this.done = true;
      this.ctx.record({ kind: 'group_done', ts: this.ctx.now(), groupId: this.id, filled: this.filled() });
    }
  }

  private placeLeg(leg: Leg, qty: number): string | undefined {
    const cid = this.ctx.nextClientId();
    const previous = leg.qty;
    leg.cid = cid;
    leg.state = 'working';
    leg.qty = qty;
    leg.remaining = qty;
    const r = this.ctx.place({ ...leg.template, qty, clientOrderId: cid, ocoGroup: this.id, parentId: this.entryOrderId ?? this.id }, this);
    if (!r.ok) {
      this.denial = `${r.check}: ${r.reason}`;
      this.endOrder(leg, 'lost');
      this.ctx.record({ kind: 'child_denied', ts: this.ctx.now(), groupId: this.id, role: leg.role, check: r.check, reason: r.reason });
      return undefined;
    }
    // A synchronous venue may have finished it inside place(): only note the id if it is still ours.
    if (leg.cid === cid) leg.orderId = r.orderId;
    if (previous > 0 && previous !== qty) {
      this.ctx.record({ kind: 'leg_resized', ts: this.ctx.now(), groupId: this.id, role: leg.role, fromQty: previous, toQty: qty, orderId: r.orderId });
    }
    return r.orderId;
  }

  private endOrder(leg: Leg, state: LegState): void {
    leg.state = state;
    leg.cid = undefined;
    leg.orderId = undefined;
    leg.remaining = 0;
  }

  private filled(): number {
    return this.legs.reduce((s, l) => s + l.filled, 0);
  }

  private checkOverfill(): void {
    const f = this.filled();
    if (f > this.target * (1 + 1e-9) && f > this.overfillRecorded) {
      this.overfillRecorded = f;
      this.ctx.record({ kind: 'overfill', ts: this.ctx.now(), groupId: this.id, target: this.target, filled: f });
    }
  }

  /**
   * A leg filled on a bar that also reached its sibling: OHLC cannot say which came first. The
   * venues assume the stop did (pessimistic); this records that the assumption decided it.
   */
  private checkSameBar(leg: Leg): void {
    const sibling = this.legs.find((l) => l !== leg);
    const bar = this.ctx.lastBar(leg.template.symbol);
    if (!sibling || !bar || this.ambiguousBars.has(bar.ts)) return;
    if (!(sibling.state === 'working' || sibling.state === 'closing' || sibling.state === 'replacing')) return;
    if (!reaches(sibling.template, bar) || !reaches(leg.template, bar)) return;
    this.ambiguousBars.add(bar.ts);
    const stopFilled = leg.template.type !== 'limit';
    this.ctx.record({ kind: 'same_bar_ambiguity', ts: this.ctx.now(), groupId: this.id, barTs: bar.ts, filled: leg.role, alsoReachable: sibling.role, pessimistic: stopFilled });
  }
}

/** Did the bar's range reach the order's trigger or limit? */
function reaches(r: OrderRequest, bar: Bar): boolean {
  if (r.type === 'limit') return r.side === 'buy' ? bar.low <= r.price! : bar.high >= r.price!;
  if (r.type === 'stop' || r.type === 'stop_limit') return r.side === 'buy' ? bar.high >= r.stopPrice! : bar.low <= r.stopPrice!;
  return false;
}
