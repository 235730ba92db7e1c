/**
 * The backtest venue. Orders placed at a bar's close work from the next bar on and are
 * matched against each new bar by the rules in matching.ts. All callbacks are synchronous.
 *
 * Within one bar: market orders fill at the open first; then stops (stop, stop-limit,
 * trailing) before limits. A bar can reach both a stop and a target on the same side (a
 * protective stop and a take-profit); bars give no path, so we assume the stop came first
 * and count those bars (stopTargetBars) so the report can say how often it mattered.
 */
import type { Clock } from '../core/clock';
import type { Bar } from '../model/bar';
import { needsLimitPrice, needsStopPrice, type Order, type OrderChanges, type Side } from '../model/order';
import { limitFillPrice, limitLiquidity, marketPrice, qtyForQuote, reducibleRoom, stepTrail, stopLimitTriggerFill, stopTriggerPrice } from './matching';
import type { Venue, VenueCallbacks } from './types';

export interface SimulatedVenueOptions {
  /** Fraction of price taken from market and stop fills, against the order. */
  slippage?: number;
  /** Fee fractions of notional: market, stop and marketable-on-arrival limit fills are taker (matching.ts limitLiquidity), resting limits maker. */
  makerFee?: number;
  takerFee?: number;
  /** Signed position of the order's ledger in its symbol, so reduce-only orders never open or flip one. */
  positionOf?: (symbol: string, ledger: string) => number;
  name?: string;
}

const DAY_MS = 86_400_000;
const SIDE_BIT: Record<Side, number> = { buy: 1, sell: 2 };

/** Venue-side state of one working order. */
class Working {
  /** For stop-limits: the stop has triggered and the order now rests as a limit. */
  triggered = false;
  /** The ts of the bar in which a stop-limit triggered: it may rest, not fill, in that bar. */
  triggeredAt = NaN;
  /** For trailing stops: best price seen since placement (undefined before its first bar). */
  best: number | undefined = undefined;
  /** Bars this order has been matched against (IOC and FOK live for one). */
  bars = 0;
  constructor(readonly order: Order) {}
}

function isStopLike(w: Working): boolean {
  const t = w.order.type;
  return t === 'stop' || t === 'trailing_stop' || (t === 'stop_limit' && !w.triggered);
}

export class SimulatedVenue implements Venue {
  readonly kind = 'simulated' as const;
  readonly name: string;
  readonly capabilities = { amend: true, persistent: false } as const;
  /** Bars in which a stop and a same-side target were both reachable (resolved stop first). */
  stopTargetBars = 0;
  private cb: VenueCallbacks | undefined;
  private working: Working[] = [];
  /**
   * onBar() is walking `working` by index: a cancel made from inside a fill callback (an OCO
   * sibling, a strategy's onOrderEvent) must not compact it then; onBar compacts at its end.
   */
  private matching = false;
  private readonly slippage: number;
  private readonly makerFee: number;
  private readonly takerFee: number;
  private readonly positionOf: (symbol: string, ledger: string) => number;

  constructor(
    private readonly clock: Clock,
    opts: SimulatedVenueOptions = {},
  ) {
    this.slippage = opts.slippage ?? 0;
    this.makerFee = opts.makerFee ?? 0;
    this.takerFee = opts.takerFee ?? 0;
    this.positionOf = opts.positionOf ?? (() => 0);
    this.name = opts.name ?? 'simulated';
  }

  connect(callbacks: VenueCallbacks): void {
    this.cb = callbacks;
  }

  private get callbacks(): VenueCallbacks {
    if (!this.cb) throw new Error('simulated venue used before connect()');
    return this.cb;
  }

  submit(order: Order): void {
    const cb = this.callbacks;
    const problem = unsupported(order);
    if (problem) {
      cb.rejected(order.id, problem, this.clock.now());
      return;
    }
    cb.accepted(order.id, this.clock.now(), `sim-${order.id}`);
    this.working.push(new Working(order));
  }

  cancel(order: Order): void {
    if (!order.isWorking) return;
    this.callbacks.cancelled(order.id, this.clock.now());
    if (!this.matching) this.compact();
  }

  /** Amends in place: the venue matches the Order object itself, so the change holds from the next bar. */
  modify(order: Order, changes: OrderChanges): void {
    if (!order.isWorking) this.callbacks.modifyRejected(order.id, 'the order is not working', this.clock.now());
    else this.callbacks.modified(order.id, this.clock.now(), changes);
  }

  /** Number of orders the venue still holds (working ones, after each bar's clean-up). */
  get workingCount(): number {
    return this.working.length;
  }

  onBar(symbol: string, bar: Bar): void {
    const list = this.working;
    const n = list.length; // orders placed during this bar's callbacks wait for the next bar
    if (n === 0) return;
    this.matching = true;
    try {
      this.match(symbol, bar, list, n);
    } finally {
      this.matching = false;
      this.compact();
    }
  }

  private match(symbol: string, bar: Bar, list: readonly Working[], n: number): void {
    const cb = this.callbacks;
    const ts = bar.ts;

    for (let i = 0; i < n; i++) {
      const w = list[i]!;
      const o = w.order;
      if (o.symbol !== symbol || !o.isWorking) continue;
      if (o.tif === 'DAY' && Math.floor(ts / DAY_MS) > Math.floor(o.createdAt / DAY_MS)) cb.expired(o.id, ts);
      else if (o.type === 'market') this.fill(w, marketPrice(o.side, bar.open, this.slippage), 'taker', ts);
    }

    let stopSides = 0;
    let limitSides = 0;
    for (let i = 0; i < n; i++) {
      const w = list[i]!;
      const o = w.order;
      if (o.symbol !== symbol || !o.isWorking || o.type === 'market') continue;
      if (isStopLike(w)) {
        const p = this.stopTrigger(w, bar);
        if (p === p) stopSides |= SIDE_BIT[o.side];
      } else if (w.triggeredAt !== ts) {
        const p = limitFillPrice(o.side, o.price!, bar);
        if (p === p) limitSides |= SIDE_BIT[o.side];
      }
    }
    if ((stopSides & limitSides) !== 0) this.stopTargetBars++;

    if (stopSides !== 0) {
      for (let i = 0; i < n; i++) {
        const w = list[i]!;
        if (w.order.symbol === symbol && w.order.isWorking && isStopLike(w)) this.matchStop(w, bar);
      }
    }
    if (limitSides !== 0) {
      for (let i = 0; i < n; i++) {
        const w = list[i]!;
        const o = w.order;
        if (o.symbol !== symbol || !o.isWorking || o.type === 'market' || isStopLike(w) || w.triggeredAt === ts) continue;
        const p = limitFillPrice(o.side, o.price!, bar);
        if (p === p) this.fill(w, p, limitLiquidity(o.side, o.price!, bar.open, w.bars === 0), ts);
      }
    }

    for (let i = 0; i < n; i++) {
      const w = list[i]!;
      const o = w.order;
      if (o.symbol !== symbol || !o.isWorking) continue;
      w.bars++;
      if (o.type === 'trailing_stop') w.best = stepTrail(o.side, w.best, o, bar).best;
      if ((o.tif === 'IOC' || o.tif === 'FOK') && w.bars >= 1) cb.expired(o.id, ts);
    }
  }

  private stopTrigger(w: Working, bar: Bar): number {
    const o = w.order;
    if (o.type === 'trailing_stop') return stepTrail(o.side, w.best, o, bar).triggeredAt ?? NaN;
    return stopTriggerPrice(o.side, o.stopPrice!, bar);
  }

  private matchStop(w: Working, bar: Bar): void {
    const trigger = this.stopTrigger(w, bar);
    if (trigger !== trigger) return;
    const o = w.order;
    if (o.type !== 'stop_limit') {
      this.fill(w, marketPrice(o.side, trigger, this.slippage), 'taker', bar.ts);
      return;
    }
    w.triggered = true;
    w.triggeredAt = bar.ts;
    const p = stopLimitTriggerFill(o.side, trigger, o.price!, this.slippage);
    if (p === p) this.fill(w, p, 'taker', bar.ts);
  }

  private fill(w: Working, price: number, liquidity: 'maker' | 'taker', ts: number): void {
    const o = w.order;
    const cb = this.callbacks;
    const feeRate = liquidity === 'maker' ? this.makerFee : this.takerFee;
    let qty = o.qty > 0 ? o.remainingQty : qtyForQuote(o.side, o.quoteQty!, price, feeRate);
    if (o.reduceOnly) {
      const pos = this.positionOf(o.symbol, o.ledger);
      const room = reducibleRoom(o.side, pos);
      if (room === 0) {
        cb.cancelled(o.id, ts, 'reduce-only: no position left to reduce');
        return;
      }
      if (qty > room) qty = room;
    }
    cb.filled(o.id, { qty, price, fee: qty * price * feeRate, liquidity, ts });
    if (o.reduceOnly && o.isWorking) cb.cancelled(o.id, ts, 'reduce-only: position closed');
  }

  private compact(): void {
    const list = this.working;
    let k = 0;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (w.order.isWorking) list[k++] = w;
    }
    list.length = k;
  }
}

/** Why this venue cannot work an order, or undefined when it can. */
function unsupported(o: Order): string | undefined {
  if (needsLimitPrice(o.type) && !(o.price! > 0)) return `${o.type} order needs a positive price`;
  if (needsStopPrice(o.type) && !(o.stopPrice! > 0)) return `${o.type} order needs a positive stopPrice`;
  if (o.type === 'trailing_stop' && !(o.trailingPercent! > 0) && !(o.trailingAmount! > 0)) {
    return 'trailing stop needs trailingPercent or trailingAmount';
  }
  if (!(o.qty > 0) && !(o.quoteQty! > 0)) return 'order needs a positive qty or quoteQty';
  return undefined;
}
