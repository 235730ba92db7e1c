import { badInput, KeelError } from '../../core/errors';
import type { Bar } from '../../model/bar';
import { roundToStep } from '../../model/instrument';
import { needsLimitPrice, needsStopPrice, ORDER_TYPES, type Order, type OrderChanges, type OrderType, type Side, type TimeInForce } from '../../model/order';
import type { Trade } from '../../model/trade';
import { Rng } from '../../risk/analytics/random';
import { qtyForQuote, reducibleRoom } from '../matching';
import type { FillReport, OrderStatusReport, Venue, VenueCallbacks, VenueStatus } from '../types';
import { validateTrail } from '../emulator/trailing';
import { evaluate, type Match, type PriceEvent, type WorkingState } from './fill-rules';
import { DEFAULT_LATENCY, drawLatency, validateLatency, type LatencyModel } from './latency';
import type { Quote } from '../../model/quote';
import type { Scheduler } from '../../core/scheduler';

export interface PaperVenueOptions {
  scheduler: Scheduler;
  /** Same seed and same data give the same fills, ids and timestamps. */
  seed: number;
  latency?: LatencyModel;
  /** Adverse slippage on taker fills, in basis points. Default 5. */
  slippageBps?: number;
  /** The same as a fraction of price, as a backtest takes it (exact: no conversion through basis points); wins over slippageBps. */
  slippage?: number;
  /** Fractions of notional. Default 0.0026 each (Kraken's base tier). */
  makerFee?: number;
  takerFee?: number;
  /** Most of one bar's (or print's) volume our orders on a symbol may take together. Default 0.1; null for no limit. */
  maxVolumeShare?: number | null;
  /**
   * Signed position of an order's ledger in its symbol, as the desk knows it, so reduce-only
   * orders never open or flip one. Fills the venue has made but not yet reported are added
   * to it here.
   */
  positionOf?: (symbol: string, ledger: string) => number;
  /** Lot size per symbol, to round partial and quote-sized fills down to what the venue would trade. */
  lotSize?: (symbol: string) => number | undefined;
  name?: string;
}

/** Orders of one OCO group that could all fill on one event: the venue filled one and left the rest working. */
export interface OcoResolution {
  ts: number;
  symbol: string;
  ocoGroup: string;
  filled: string;
  skipped: string[];
  rule: 'stop_first';
}

interface Working extends WorkingState {
  id: string;
  clientOrderId: string;
  ledger: string;
  symbol: string;
  qty: number;
  quoteQty: number | undefined;
  tif: TimeInForce;
  reduceOnly: boolean;
  ocoGroup: string | undefined;
  filled: number;
  liveSeq: number;
  /** When it was acknowledged: a bar fill cannot be stamped before the order existed at the venue. */
  liveAt: number;
  expiresAt: number | undefined;
  venueOrderId: string;
}

const DAY_MS = 86_400_000;
/**
 * Feeds from coarse to fine. Once a symbol has a finer feed, coarser events for it match
 * nothing: bars built from the same prints, or prints inside the same quotes, would trade the
 * same liquidity twice.
 */
const FEED_RANK = { bar: 0, trade: 1, quote: 2 } as const;

/** Paper fills every order type Keel has, trailing stops included. */
const SUPPORTED: ReadonlySet<OrderType> = new Set(ORDER_TYPES);

/**
 * A venue for live or replayed data with simulated fills. Every answer (acknowledgement,
 * cancel, fill report) travels back over one ordered channel after a seeded latency, so
 * nothing is ever reported before submit time + latency and reports never overtake each
 * other. An order works from the moment it is acknowledged and is matched against each bar
 * or trade that arrives after that (see docs/paper-trading.md for the rules).
 */
export class PaperVenue implements Venue {
  readonly kind = 'paper' as const;
  readonly name: string;
  /** It amends in place; and it keeps nothing across an engine restart. */
  readonly capabilities = { amend: true, persistent: false } as const;
  /** Same-event OCO conflicts the venue resolved, for the session and its report. */
  readonly ocoResolutions: OcoResolution[] = [];

  private callbacks: VenueCallbacks | undefined;
  private readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private readonly latency: LatencyModel;
  private readonly slip: number;
  private readonly makerFee: number;
  private readonly takerFee: number;
  private readonly maxShare: number | null;
  private readonly lotSize: (symbol: string) => number | undefined;
  private readonly positionOf: (symbol: string, ledger: string) => number;
  /** Signed quantity filled here whose reports are still on their way, per ledger and symbol. */
  private readonly unreported = new Map<string, number>();
  /** Every fill made, for status(): the venue's own record, as an exchange's trade history. */
  private readonly fillLog: FillReport[] = [];

  private readonly working = new Map<string, Working>();
  /** The finest feed seen per symbol; coarser ones then only repeat it and match nothing (see FEED_RANK). */
  private readonly feed = new Map<string, number>();
  private channelAt = -Infinity;
  private seq = 0;
  private venueIds = 0;
  private tradeIds = 0;

  constructor(opts: PaperVenueOptions) {
    this.scheduler = opts.scheduler;
    this.rng = new Rng(opts.seed);
    this.latency = opts.latency ?? DEFAULT_LATENCY;
    validateLatency(this.latency);
    this.slip = opts.slippage ?? (opts.slippageBps ?? 5) / 10_000;
    this.makerFee = opts.makerFee ?? 0.0026;
    this.takerFee = opts.takerFee ?? 0.0026;
    this.maxShare = opts.maxVolumeShare === undefined ? 0.1 : opts.maxVolumeShare;
    this.lotSize = opts.lotSize ?? (() => undefined);
    this.positionOf = opts.positionOf ?? (() => 0);
    this.name = opts.name ?? 'paper';
    const where = 'paper venue options';
    if (!(this.slip >= 0)) throw badInput(`slippageBps must be >= 0, got ${opts.slippageBps}`, where);
    if (!(this.makerFee >= 0) || !(this.takerFee >= 0)) throw badInput(`fees must be >= 0, got maker ${opts.makerFee}, taker ${opts.takerFee}`, where);
    if (this.maxShare !== null && !(this.maxShare > 0 && this.maxShare <= 1)) {
      throw badInput(`maxVolumeShare must be in (0, 1] or null, got ${opts.maxVolumeShare}`, where);
    }
  }

  connect(callbacks: VenueCallbacks): void {
    this.callbacks = callbacks;
  }

  submit(order: Order): void {
    const cb = this.cb();
    const w: Working = {
      id: order.id,
      clientOrderId: order.clientOrderId,
      ledger: order.ledger,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: order.qty,
      quoteQty: order.quoteQty,
      price: order.price,
      stopPrice: order.stopPrice,
      trailingPercent: order.trailingPercent,
      trailingAmount: order.trailingAmount,
      tif: order.tif,
      reduceOnly: order.reduceOnly,
      ocoGroup: order.ocoGroup,
      triggered: false,
      rested: false,
      best: undefined,
      filled: 0,
      liveSeq: 0,
      liveAt: 0,
      expiresAt: undefined,
      venueOrderId: '',
    };
    this.send(() => {
      const now = this.scheduler.now();
      const reason = rejectionReason(w);
      if (reason) {
        cb.rejected(w.id, reason, now);
        return;
      }
      w.liveSeq = this.seq++;
      w.liveAt = now;
      w.expiresAt = w.tif === 'DAY' ? Math.floor(now / DAY_MS) * DAY_MS + DAY_MS : undefined;
      this.working.set(w.id, w);
      this.venueIds += 1;
      w.venueOrderId = `${this.name}-${this.venueIds}`;
      cb.accepted(w.id, now, w.venueOrderId);
    });
  }

  cancel(order: Order): void {
    const cb = this.cb();
    this.send(() => {
      const now = this.scheduler.now();
      // A cancel travels the same ordered channel as the submit, so the order is known by now;
      // if it is not working it filled or was rejected first, and that report is already on its way.
      if (this.working.delete(order.id)) cb.cancelled(order.id, now, 'cancelled by request');
    });
  }

  /**
   * Changes a working order in place, on the same ordered channel as everything else: a
   * change that arrives after the order filled or was cancelled is refused as such.
   */
  modify(order: Order, changes: OrderChanges): void {
    const cb = this.cb();
    this.send(() => {
      const now = this.scheduler.now();
      const w = this.working.get(order.id);
      if (!w) {
        cb.modifyRejected(order.id, 'the order is no longer working at the venue', now);
        return;
      }
      if (changes.qty !== undefined && !(changes.qty > w.filled)) {
        cb.modifyRejected(order.id, `new quantity ${changes.qty} is not above what has filled (${w.filled})`, now);
        return;
      }
      if (changes.price !== undefined) w.price = changes.price;
      if (changes.stopPrice !== undefined) w.stopPrice = changes.stopPrice;
      if (changes.qty !== undefined) w.qty = changes.qty;
      cb.modified(order.id, now, changes);
    });
  }

  /**
   * What this venue holds: its working orders and every fill it made since `since`. A paper
   * venue lives in memory, so after an engine restart it holds nothing: reconciliation then
   * finds the journal's working orders gone, which is the truth for paper.
   */
  async status(since: number): Promise<VenueStatus> {
    const orders: OrderStatusReport[] = [...this.working.values()].map((w) => ({
      clientOrderId: w.clientOrderId,
      venueOrderId: w.venueOrderId,
      symbol: w.symbol,
      side: w.side,
      type: w.type,
      qty: w.qty,
      filledQty: w.filled,
      price: w.price,
      stopPrice: w.stopPrice,
      status: 'working',
      ts: w.liveAt,
    }));
    const fills = this.fillLog.filter((f) => f.ts >= since);
    const net = new Map<string, number>();
    for (const f of this.fillLog) net.set(f.symbol, (net.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
    return { asOf: this.scheduler.now(), orders, fills, positions: [...net].map(([symbol, qty]) => ({ symbol, qty })) };
  }

  onBar(symbol: string, bar: Bar): void {
    checkEvent(bar, `bar ${symbol} @ ${bar.ts}`);
    if (this.useFeed(symbol, 'bar')) this.match(symbol, bar, undefined, this.slip, this.shareOf(bar.volume), bar.ts, true);
  }

  /** A print from a live or replayed trade feed; the clock must already be at its time. */
  onTrade(symbol: string, trade: Trade): void {
    const ev = priceEvent(trade.price, trade.amount);
    checkEvent(ev, `trade ${symbol} @ ${trade.ts}`);
    if (this.useFeed(symbol, 'trade')) this.match(symbol, ev, undefined, this.slip, this.shareOf(trade.amount), trade.ts, false);
  }

  /**
   * A top-of-book update (e.g. ccxt watchTicker or watchOrderBook). Buys execute against the
   * ask and sells against the bid, with no slippage added (the spread is the cost), taking at
   * most the size shown at the touch (no limit when the feed gives none).
   */
  onQuote(symbol: string, q: Quote): void {
    const where = `quote ${symbol} @ ${q.ts}`;
    if (!(q.bid > 0) || !(q.ask >= q.bid) || !Number.isFinite(q.ask) || (q.bidSize !== undefined && !(q.bidSize >= 0)) || (q.askSize !== undefined && !(q.askSize >= 0))) {
      throw badInput(`not a valid quote: bid ${q.bid} x ${q.bidSize}, ask ${q.ask} x ${q.askSize}`, `paper venue ${where}`);
    }
    if (!this.useFeed(symbol, 'quote')) return;
    this.match(symbol, priceEvent(q.ask, q.askSize ?? Infinity), 'buy', 0, q.askSize ?? Infinity, q.ts, false);
    this.match(symbol, priceEvent(q.bid, q.bidSize ?? Infinity), 'sell', 0, q.bidSize ?? Infinity, q.ts, false);
  }

  /** Orders working at the venue now (acknowledged, not done): for tests and the blotter's venue view. */
  workingIds(): string[] {
    return [...this.working.keys()];
  }

  private useFeed(symbol: string, kind: keyof typeof FEED_RANK): boolean {
    const rank = FEED_RANK[kind];
    if (rank < (this.feed.get(symbol) ?? 0)) return false;
    this.feed.set(symbol, rank);
    return true;
  }

  private shareOf(volume: number): number {
    return this.maxShare === null ? Infinity : this.maxShare * volume;
  }

  /**
   * Matches the symbol's working orders (of one side, for quotes) on one event, `capacity`
   * shared among them. A fill is stamped with when it executed, while its report reaches the
   * engine a latency later: a print's or quote's own time (`at`; a replay's market time), or for
   * a bar, which spans a while, the later of its open and the order going live (`sinceLive`).
   */
  private match(symbol: string, ev: PriceEvent, side: Side | undefined, slip: number, capacity: number, at: number, sinceLive: boolean): void {
    if (this.working.size === 0) return;
    const cb = this.cb();
    const now = this.scheduler.now();
    const orders = [...this.working.values()].filter((w) => w.symbol === symbol && (side === undefined || w.side === side)).sort((a, b) => a.liveSeq - b.liveSeq);
    const matches: { w: Working; m: Match }[] = [];
    for (const w of orders) {
      if (w.expiresAt !== undefined && now >= w.expiresAt) {
        this.working.delete(w.id);
        this.send(() => cb.expired(w.id, this.scheduler.now()));
        continue;
      }
      const m = evaluate(w, ev, slip);
      if (m) matches.push({ w, m });
    }
    for (const { w, m } of this.resolveOco(symbol, matches, now)) {
      const lot = this.lotSize(symbol);
      const quoteSized = w.quoteQty !== undefined && w.qty === 0;
      if (quoteSized) {
        w.qty = quoteToQty(w.side, w.quoteQty!, m.price, m.liquidity === 'maker' ? this.makerFee : this.takerFee, lot);
        if (!(w.qty > 0)) {
          this.cancelUnfilled(w, `quote amount ${w.quoteQty} buys less than one lot at ${m.price}`);
          continue;
        }
      }
      const remaining = w.qty - w.filled;
      // A quote-sized order fills whole: a part would fix its size (see docs/paper-trading.md).
      let qty = quoteSized ? remaining : Math.min(remaining, capacity);
      if (lot !== undefined && qty < remaining) qty = roundToStep(qty, lot, 'down');
      if (w.tif === 'FOK' && qty < remaining) {
        this.cancelUnfilled(w, 'FOK: could not fill in full');
        continue;
      }
      let closesPosition = false;
      const book = `${w.ledger}|${symbol}`;
      if (w.reduceOnly) {
        const pos = this.positionOf(symbol, w.ledger) + (this.unreported.get(book) ?? 0);
        const room = reducibleRoom(w.side, pos);
        if (room === 0) {
          this.cancelUnfilled(w, 'reduce-only: no position left to reduce');
          continue;
        }
        if (qty >= room) {
          qty = room;
          closesPosition = true;
        }
      }
      if (qty > 0) {
        capacity = Math.max(0, capacity - qty);
        w.filled += qty;
        const signed = w.side === 'buy' ? qty : -qty;
        this.unreported.set(book, (this.unreported.get(book) ?? 0) + signed);
        const fee = qty * m.price * (m.liquidity === 'maker' ? this.makerFee : this.takerFee);
        this.tradeIds += 1;
        const tradeId = `${this.name}-t-${this.tradeIds}`;
        const price = m.price;
        const liquidity = m.liquidity;
        const ts = sinceLive ? Math.max(at, w.liveAt) : at;
        this.fillLog.push({ clientOrderId: w.clientOrderId, venueTradeId: tradeId, symbol, side: w.side, qty, price, fee, liquidity, ts });
        this.send(() => {
          this.unreported.set(book, this.unreported.get(book)! - signed);
          cb.filled(w.id, { qty, price, fee, liquidity, ts, venueTradeId: tradeId });
        });
      }
      if (w.qty - w.filled <= w.qty * 1e-12) this.working.delete(w.id);
      else if (closesPosition) this.cancelUnfilled(w, 'reduce-only: position closed');
    }
    for (const w of orders) {
      if ((w.tif === 'IOC' || w.tif === 'FOK') && this.working.has(w.id)) this.cancelUnfilled(w, `${w.tif}: remainder cancelled after its first chance to fill`);
    }
  }

  /**
   * Of the orders of one OCO group that could fill on this event only one may: the data cannot
   * say which price came first, so the venue assumes the worst for the trader (a stop before a
   * target) and leaves the others working for the emulator to cancel.
   */
  private resolveOco(symbol: string, matches: { w: Working; m: Match }[], ts: number): { w: Working; m: Match }[] {
    const byGroup = new Map<string, { w: Working; m: Match }[]>();
    for (const x of matches) {
      if (x.w.ocoGroup === undefined) continue;
      const g = byGroup.get(x.w.ocoGroup) ?? [];
      g.push(x);
      byGroup.set(x.w.ocoGroup, g);
    }
    const skipped = new Set<string>();
    for (const [group, members] of byGroup) {
      if (members.length < 2) continue;
      const winner = members.find((x) => x.m.stopLike) ?? members[0]!;
      const losers = members.filter((x) => x !== winner).map((x) => x.w.id);
      losers.forEach((id) => skipped.add(id));
      this.ocoResolutions.push({ ts, symbol, ocoGroup: group, filled: winner.w.id, skipped: losers, rule: 'stop_first' });
    }
    return matches.filter((x) => !skipped.has(x.w.id));
  }

  private cancelUnfilled(w: Working, reason: string): void {
    const cb = this.cb();
    this.working.delete(w.id);
    this.send(() => cb.cancelled(w.id, this.scheduler.now(), reason));
  }

  /** Sends an answer after a fresh latency draw, never ahead of an earlier answer. */
  private send(task: () => void): void {
    const at = Math.max(this.scheduler.now() + drawLatency(this.latency, this.rng), this.channelAt);
    this.channelAt = at;
    this.scheduler.at(at, task);
  }

  private cb(): VenueCallbacks {
    if (!this.callbacks) throw new KeelError('UNAVAILABLE', 'paper venue used before connect()', { where: `venue ${this.name}` });
    return this.callbacks;
  }
}

function priceEvent(price: number, volume: number): PriceEvent {
  return { open: price, high: price, low: price, close: price, volume, continuous: true };
}

/** Bad market data must stop the feed, not fill orders at impossible prices. */
function checkEvent(ev: PriceEvent, where: string): void {
  const ok =
    ev.low > 0 && Number.isFinite(ev.high) && ev.low <= Math.min(ev.open, ev.close) && ev.high >= Math.max(ev.open, ev.close) && ev.volume >= 0 && Number.isFinite(ev.volume);
  if (!ok) throw badInput(`not a valid price event: open ${ev.open}, high ${ev.high}, low ${ev.low}, close ${ev.close}, volume ${ev.volume}`, `paper venue ${where}`);
}

function rejectionReason(w: Working): string | undefined {
  if (!SUPPORTED.has(w.type)) return `order type ${w.type} is not supported`;
  const sized = w.quoteQty !== undefined ? w.quoteQty > 0 && w.qty === 0 : w.qty > 0;
  if (!sized) return `order needs a positive qty or quoteQty (got qty ${w.qty}, quoteQty ${w.quoteQty})`;
  if (needsLimitPrice(w.type) && !(w.price! > 0)) return `${w.type} needs a positive price`;
  if (needsStopPrice(w.type) && !(w.stopPrice! > 0)) return `${w.type} needs a positive stopPrice`;
  if (w.type === 'trailing_stop') {
    try {
      validateTrail(w, 'trailing stop');
    } catch (e) {
      return (e as Error).message;
    }
  }
  if ((w.tif === 'IOC' || w.tif === 'FOK') && w.type !== 'market' && w.type !== 'limit') return `${w.tif} applies to market and limit orders only`;
  return undefined;
}

/** Quantity a quote amount buys at `price` with the fee included, rounded down to the lot. */
function quoteToQty(side: Side, quote: number, price: number, fee: number, lot: number | undefined): number {
  const q = qtyForQuote(side, quote, price, fee);
  return lot === undefined ? q : roundToStep(q, lot, 'down');
}
