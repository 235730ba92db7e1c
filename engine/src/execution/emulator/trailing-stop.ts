import { stepTrail, trailingStopLevel, type BarRange } from '../matching';
import type { OrderRequest, Side } from '../../model/order';
import type { OrderEvent } from '../types';
import type { EmulatorContext } from './order-emulator';

type State = 'tracking' | 'triggered' | 'done';

/**
 * A trailing stop held by the engine: it follows the best price since it was placed and, when
 * the price comes back by the trail distance, sends a market order for its quantity. On bars
 * the engine learns of the trigger at the bar's close, so that market order fills on the next
 * bar: the honest cost of emulating on bar data (a venue's native trail fills inside the bar).
 */
export class TrailingStop {
  private state: State = 'tracking';
  private best: number | undefined;
  private cid: string | undefined;
  private orderId: string | undefined;

  constructor(
    readonly id: string,
    private readonly request: OrderRequest,
    lastPrice: number | undefined,
    private readonly ctx: EmulatorContext,
  ) {
    this.best = lastPrice;
  }

  get symbol(): string {
    return this.request.symbol;
  }

  get side(): Side {
    return this.request.side;
  }

  get isTracking(): boolean {
    return this.state === 'tracking';
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  view(): { id: string; symbol: string; side: string; qty: number; best: number | undefined; level: number | undefined } {
    const r = this.request;
    const level = this.best === undefined ? undefined : trailingStopLevel(r.side, this.best, r.trailingPercent, r.trailingAmount);
    return { id: this.id, symbol: r.symbol, side: r.side, qty: r.qty!, best: this.best, level };
  }

  onPrices(ev: BarRange, ts: number): void {
    if (this.state !== 'tracking') return;
    const step = stepTrail(this.request.side, this.best, this.request, ev);
    this.best = step.best;
    if (step.triggeredAt === undefined) return;
    this.state = 'triggered';
    const r = this.request;
    this.cid = this.ctx.nextClientId();
    const placed = this.ctx.place(
      { symbol: r.symbol, side: r.side, type: 'market', qty: r.qty, reduceOnly: r.reduceOnly, owner: r.owner, ledger: r.ledger, tag: r.tag ?? 'trailing_stop', parentId: this.id, clientOrderId: this.cid },
      this,
    );
    this.ctx.record({ kind: 'trailing_triggered', ts, trailId: this.id, level: step.level, triggeredAt: step.triggeredAt, orderId: placed.ok ? placed.orderId : undefined });
    if (placed.ok) this.orderId = placed.orderId;
    else {
      this.state = 'done';
      this.ctx.record({ kind: 'child_denied', ts, groupId: this.id, role: 'trailing_market', check: placed.check, reason: placed.reason });
    }
  }

  onEvent(e: Exclude<OrderEvent, { kind: 'denied' }>): void {
    if (e.kind === 'filled' || e.kind === 'cancelled' || e.kind === 'rejected' || e.kind === 'expired') this.state = 'done';
  }

  /** Stops tracking, or cancels the market order if it already went out. */
  cancel(): boolean {
    if (this.state === 'tracking') {
      this.state = 'done';
      return true;
    }
    return this.state === 'triggered' && this.orderId !== undefined ? this.ctx.cancel(this.orderId) : false;
  }
}
