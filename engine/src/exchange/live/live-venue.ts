/**
 * An exchange account as a Venue, through ccxt: the one place that knows how an exchange
 * takes orders. Everything above it (the order manager, the desk, reconciliation) is
 * venue-agnostic.
 *
 * The rules it keeps:
 * - An order has been journalled as submitted (PENDING) before submit() is called; its
 *   client order id goes out in the field this exchange's adapter reads (profiles.ts).
 * - createOrder is sent once. A refusal the exchange made for certain (invalid order,
 *   insufficient funds, 429, a bad key) rejects it. Anything else (a timeout, a 5xx, a dropped
 *   connection) leaves it UNKNOWN: it is looked up by client id (or in the open and closed
 *   orders) with backoff, and the user stream may settle it first. Not found is final only
 *   `notFoundFinalAfterMs` after it was sent; until then it may only mean "not yet".
 * - A cancel is retried once; OrderNotFound (either time) is confirmed by fetching the order.
 * - Fills carry the exchange's trade id (namespaced by symbol: Binance's are per symbol); the
 *   order manager drops one it has seen, so the stream, the create's answer and a snapshot
 *   may all report the same fill. An order is never reported cancelled or expired before every
 *   fill it had (its cumulative filled quantity) has been applied: missing ones are fetched.
 * - The user stream: ccxt's watchOrders and watchMyTrades where the exchange has them, REST
 *   polling where it has none. After each (re)connect the venue says 'connected' and the desk
 *   reconciles from a snapshot; while the stream is down it is not ready for new orders.
 */
import type { Exchange, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Clock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { KeelError } from '../../core/errors';
import { neverReachedReason } from '../../execution/reconcile';
import type { OrderStatusReport, Venue, VenueCallbacks, VenueCapabilities, VenueFill, VenueStatus } from '../../execution/types';
import type { Order, OrderSnapshot } from '../../model/order';
import { redact } from '../../secrets/redact';
import type { ExchangeClient } from '../client';
import { classify } from '../errors';
import { splitVenueSymbol, venueSymbol } from '../venue-symbol';
import { cancelOnDisconnect, type OrderProfile } from './profiles';

export type UserStreamState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'stale' | 'stopped';

export interface UserStreamStatus {
  state: UserStreamState;
  transport: 'websocket' | 'polling';
  since: number;
  reconnects: number;
  lastEventAt?: number;
  message?: string;
}

/** The steps of an order's way out, for observers (the crash test stops the process at each). */
export type OrderStep = 'pending' | 'acked' | 'filled';

export interface LiveVenueOptions {
  client: ExchangeClient;
  /** The venue's name in messages and the journal: the account's (`sim (binance)`). */
  name: string;
  profile: OrderProfile;
  /** Client order ids of orders Keel placed start with it; any other is external. */
  prefix: string;
  clock: Clock;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** 'auto': websockets where ccxt has watchOrders and watchMyTrades, else polling. */
  userStream?: 'auto' | 'websocket' | 'poll';
  pollMs?: number;
  probe?: (step: OrderStep, order: Order) => void;
  /** The dead man's switch's timeout where the exchange has one (profiles.ts cancelOnDisconnect); default the profile's, 0 turns it off. */
  cancelOnDisconnectMs?: number;
}

/** Where polling a market's trades goes on from: the newest trade's time, and the ids of those heard at that time. */
interface PollMark {
  ts: number;
  ids: Set<string>;
}

/** What ccxt parses an exchange's order status into. */
type CcxtStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

/** Terminal orders stay known this long, so a late report about them is still recognised as ours. */
const KEEP_TERMINAL_MS = 10 * 60_000;
/** A trade whose order is not known yet waits this long for the order's own report, then the order is looked up. */
const PARK_MS = 2_000;
/** How long the stream's own trades are waited for before an order's missing fills are fetched. */
const STREAM_FILLS_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;

/** A request that was certainly refused: the order did not go in. Anything else might have. */
const REFUSED = new Set(['InvalidOrder', 'InsufficientFunds', 'OrderImmediatelyFillable', 'OrderNotFillable', 'BadRequest', 'BadSymbol', 'ArgumentsRequired', 'NotSupported', 'AuthenticationError', 'PermissionDenied', 'AccountSuspended', 'RateLimitExceeded', 'DDoSProtection', 'KeelError']);

function refusedForCertain(e: unknown): boolean {
  const c = classify(e);
  if (c.kind === 'DuplicateOrderId') return false;
  if (REFUSED.has(c.kind)) return true;
  // ccxt's class chain (of the error the client wrapped): a subclass of a refusal counts as one.
  const raw = e instanceof KeelError && e.cause !== undefined ? e.cause : e;
  let p = raw !== null && typeof raw === 'object' ? Object.getPrototypeOf(raw) : null;
  while (p && p !== Error.prototype) {
    if (REFUSED.has((p.constructor as { name?: string }).name ?? '')) return true;
    p = Object.getPrototypeOf(p);
  }
  return false;
}

function messageOf(e: unknown): string {
  return redact(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

export class LiveVenue implements Venue {
  readonly kind = 'live' as const;
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  readonly streamChanged = new Emitter<UserStreamStatus>();
  private cb: VenueCallbacks | undefined;
  private readonly client: ExchangeClient;
  private readonly profile: OrderProfile;
  private readonly clock: Clock;
  private readonly log: LiveVenueOptions['log'];
  private readonly byClient = new Map<string, Order>();
  private readonly byVenueId = new Map<string, Order>();
  /** Orders whose create failed without a certain answer: being looked up. */
  private readonly unknown = new Set<string>();
  /** Trades whose order is not known yet, by venue order id. */
  private readonly parked = new Map<string, { trades: CcxtTrade[]; since: number }>();
  /** One settle at a time per order. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stream: UserStreamStatus;
  private stopped = false;
  private generation = 0;
  private everConnected = false;
  private lastPollOk = 0;
  /** The dead man's switch: the last refresh the exchange took, and the last failure since. */
  private deadMan: { armedAt?: number; failure?: string } = {};
  private deadManRun = 0;
  private deadManRequest: Promise<unknown> | undefined;

  constructor(private readonly opts: LiveVenueOptions) {
    this.name = opts.name;
    this.client = opts.client;
    this.profile = opts.profile;
    this.clock = opts.clock;
    this.log = opts.log;
    this.capabilities = { amend: false, persistent: true, notFoundFinalAfterMs: opts.profile.notFoundFinalAfterMs };
    this.stream = { state: 'connecting', transport: this.transport, since: opts.clock.now(), reconnects: 0 };
  }

  private get ex(): Exchange {
    return this.client.ex;
  }

  get transport(): 'websocket' | 'polling' {
    const mode = this.opts.userStream ?? 'auto';
    if (mode === 'poll') return 'polling';
    if (mode === 'websocket') return 'websocket';
    return this.ex.has.watchOrders && this.ex.has.watchMyTrades ? 'websocket' : 'polling';
  }

  get userStream(): UserStreamStatus {
    return this.stream;
  }

  /** The dead man's switch as it stands, in words for the Risk screen: armed, failing, or not offered by the exchange. */
  get cancelOnDisconnect(): { armed: boolean; text: string } {
    const rule = cancelOnDisconnect(this.profile, this.ex, this.opts.cancelOnDisconnectMs);
    if ('missing' in rule) return { armed: false, text: rule.missing };
    const s = rule.timeoutMs / 1000;
    const { armedAt, failure } = this.deadMan;
    if (failure !== undefined) return { armed: false, text: `cancel-on-disconnect not refreshed (${failure}); ${armedAt === undefined ? 'never armed' : `the exchange cancels every open order ${s} s after the last refresh`}` };
    if (armedAt === undefined) return { armed: false, text: 'cancel-on-disconnect not armed yet' };
    return { armed: true, text: `cancel-on-disconnect armed: the exchange cancels every open order if Keel stops refreshing it for ${s} s` };
  }

  /** Why new orders may not go out now (the stream is down or stale), or undefined when they may. */
  notReady(): string | undefined {
    const s = this.stream;
    if (s.state === 'live') return undefined;
    if (s.state === 'polling' && this.clock.now() - this.lastPollOk <= 3 * (this.opts.pollMs ?? 2_000)) return undefined;
    return `the ${this.name} user stream is ${s.state}${s.message ? ` (${s.message})` : ''}: fills could not be seen`;
  }

  connect(callbacks: VenueCallbacks): void {
    this.cb = callbacks;
  }

  private get reports(): VenueCallbacks {
    if (!this.cb) throw new KeelError('INTERNAL', `${this.name} is not connected to an order manager`, { where: 'live venue' });
    return this.cb;
  }

  /** Starts the user stream (websocket or polling). */
  start(): void {
    this.stopped = false;
    if (this.transport === 'websocket') void this.runWebsocket();
    else void this.runPolling();
    void this.keepDeadManSwitch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // A deliberate stop leaves the orders working: the switch is disarmed (after a refresh on its way), not left to fire.
    this.deadManRun++;
    await this.deadManRequest?.catch(() => undefined);
    if (this.deadMan.armedAt !== undefined) await this.client.once('disarm cancel-on-disconnect', (ex) => ex.cancelAllOrdersAfter(0)).catch(() => undefined);
    this.deadMan = {};
    this.setStream('stopped');
  }

  // ---------- symbols ----------

  private market(symbol: string): string {
    return splitVenueSymbol(symbol)?.symbol ?? symbol;
  }

  private keelSymbol(market: string): string {
    return venueSymbol(this.client.id, market);
  }

  isOurs(clientOrderId: string | undefined): boolean {
    return typeof clientOrderId === 'string' && clientOrderId.startsWith(this.opts.prefix);
  }

  // ---------- orders out ----------

  restore(orders: readonly Order[]): void {
    for (const o of orders) this.track(o);
  }

  private track(o: Order): void {
    this.byClient.set(o.clientOrderId, o);
    if (o.venueOrderId !== undefined) this.byVenueId.set(o.venueOrderId, o);
  }

  submit(order: Order): void {
    this.track(order);
    this.opts.probe?.('pending', order);
    void this.create(order);
  }

  private async create(order: Order): Promise<void> {
    const m = this.market(order.symbol);
    const problem = this.unsupported(order) ?? this.precisionProblem(order, m);
    if (problem) {
      this.reports.rejected(order.id, `${problem}: not sent`, this.clock.now());
      return;
    }
    const type = order.type === 'market' ? 'market' : 'limit';
    // Pinned here too: an exchange-wide option set elsewhere must never make ccxt send a create twice.
    const params: Record<string, unknown> = { ...this.profile.createParams(order.clientOrderId), maxRetriesOnFailure: 0 };
    if (type === 'limit') params.timeInForce = order.tif;
    let answer: CcxtOrder;
    try {
      answer = await this.client.once(`createOrder ${order.clientOrderId}`, (ex) => ex.createOrder(m, type, order.side, order.qty, type === 'limit' ? order.price : undefined, params));
    } catch (e) {
      // Stopped while the request was out: the desk's journal may be closed. The order stays
      // submitted there, and the next start's reconciliation finds out what became of it.
      if (this.stopped) return;
      if (refusedForCertain(e)) {
        this.reports.rejected(order.id, `${this.name} refused it: ${messageOf(e)}`, this.clock.now());
        return;
      }
      this.unknown.add(order.clientOrderId);
      this.log.warn(`order ${order.clientOrderId} (${order.side} ${order.qty} ${order.symbol}) is UNKNOWN at ${this.name}: ${messageOf(e)}; looking it up (it is not sent again)`);
      void this.resolveUnknown(order);
      return;
    }
    if (this.stopped) {
      this.log.warn(`order ${order.clientOrderId} was acknowledged by ${this.name} after this desk stopped; the next start's reconciliation records it`);
      return;
    }
    this.onOrder(order, answer);
  }

  /** What this venue does not take, said before anything is sent. */
  unsupported(order: Pick<OrderSnapshot, 'type' | 'qty' | 'tif'>): string | undefined {
    if (order.type !== 'market' && order.type !== 'limit') return `${this.name} takes market and limit orders; a ${order.type} is not sent live`;
    if (!(order.qty > 0)) return `${this.name} takes orders by quantity; give a quantity`;
    if (order.tif === 'DAY') return `${this.name} has no DAY orders; use GTC, IOC or FOK`;
    return undefined;
  }

  /**
   * The market's own rules, read from ccxt's market: the risk layer rounded the order to the
   * instrument's tick and lot and checked its minimums; this is the last check before the
   * request, against what the exchange would refuse or silently change. Nothing is rounded
   * here: an order that does not fit is refused whole.
   */
  precisionProblem(order: Pick<OrderSnapshot, 'type' | 'qty' | 'price'>, market: string): string | undefined {
    const mk = this.ex.markets?.[market];
    if (!mk) return `${this.name} lists no ${market}`;
    const fits = (what: string, x: number, rounded: () => string): string | undefined => {
      let r: number;
      try {
        r = Number(rounded());
      } catch {
        return `${what} ${x} is below ${market}'s precision`;
      }
      return Math.abs(r - x) > 1e-12 * Math.max(1, Math.abs(x)) ? `${what} ${x} is off ${market}'s precision (the exchange would make it ${r})` : undefined;
    };
    const q = fits('quantity', order.qty, () => this.ex.amountToPrecision(market, order.qty) as string);
    if (q) return q;
    const limitPrice = order.type === 'limit' ? order.price : undefined;
    if (limitPrice !== undefined) {
      const p = fits('price', limitPrice, () => this.ex.priceToPrecision(market, limitPrice) as string);
      if (p) return p;
    }
    const minAmount = Number(mk.limits?.amount?.min ?? 0);
    if (minAmount > 0 && order.qty < minAmount) return `quantity ${order.qty} is below ${market}'s minimum ${minAmount}`;
    const minCost = Number(mk.limits?.cost?.min ?? 0);
    if (minCost > 0 && limitPrice !== undefined && order.qty * limitPrice < minCost) return `notional ${order.qty * limitPrice} is below ${market}'s minimum ${minCost}`;
    return undefined;
  }

  /** Looks an UNKNOWN order up until it is found, the stream settles it, or not found becomes final. */
  private async resolveUnknown(order: Order): Promise<void> {
    const cid = order.clientOrderId;
    let wait = 250;
    for (;;) {
      await this.sleep(wait);
      if (this.stopped || !this.unknown.has(cid) || order.isTerminal) return;
      wait = Math.min(wait * 2, 4_000);
      const age = this.clock.now() - order.createdAt;
      let found: CcxtOrder | undefined;
      try {
        found = await this.lookup(order);
      } catch (e) {
        this.log.warn(`looking up ${cid} at ${this.name} failed: ${messageOf(e)}; trying again`);
        continue;
      }
      if (!this.unknown.has(cid) || order.isTerminal) return;
      if (found) {
        this.unknown.delete(cid);
        this.onOrder(order, found);
        return;
      }
      if (age >= this.profile.notFoundFinalAfterMs) {
        this.unknown.delete(cid);
        this.reports.rejected(order.id, neverReachedReason(this.name, age), this.clock.now());
        return;
      }
    }
  }

  /** The order at the exchange, by its venue id when known, else by client id (profiles.ts); undefined when the exchange does not know it. */
  async lookup(order: Pick<OrderSnapshot, 'clientOrderId' | 'venueOrderId' | 'symbol' | 'createdAt'>): Promise<CcxtOrder | undefined> {
    const m = this.market(order.symbol);
    const notFound = (e: unknown): undefined => {
      if (e instanceof KeelError && e.code === 'NOT_FOUND') return undefined;
      throw e;
    };
    if (order.venueOrderId !== undefined) {
      return this.client.read(`fetchOrder ${order.clientOrderId}`, (ex) => ex.fetchOrder(order.venueOrderId!, m)).catch(notFound);
    }
    if (this.profile.lookup === 'fetchOrder' && this.profile.fetchOrderParams) {
      const params = this.profile.fetchOrderParams(order.clientOrderId);
      return this.client.read(`fetchOrder ${order.clientOrderId}`, (ex) => ex.fetchOrder(undefined as unknown as string, m, params)).catch(notFound);
    }
    const open = await this.client.read(`fetchOpenOrders ${m}`, (ex) => ex.fetchOpenOrders(m));
    const hit = open.find((o) => o.clientOrderId === order.clientOrderId);
    if (hit) return hit;
    const closed = await this.client.read(`fetchClosedOrders ${m}`, (ex) => ex.fetchClosedOrders(m, order.createdAt - 60_000));
    return closed.find((o) => o.clientOrderId === order.clientOrderId);
  }

  cancel(order: Order): void {
    void this.cancelAsync(order);
  }

  private async cancelAsync(order: Order): Promise<void> {
    const m = this.market(order.symbol);
    const byClientId = order.venueOrderId === undefined ? this.profile.cancelByClientIdParams?.(order.clientOrderId) : undefined;
    // Not acknowledged when the cancel went out: the order manager keeps the cancel asked for and
    // sends it again the moment the order is acknowledged, so "not there (yet)" is no refusal.
    const inFlight = order.status === 'submitted';
    if (order.venueOrderId === undefined && !byClientId) {
      this.reports.cancelRejected(order.id, `${this.name} has not acknowledged it yet and cannot cancel by client id; it is cancelled once acknowledged`, this.clock.now());
      return;
    }
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const answer = await this.client.once(`cancelOrder ${order.clientOrderId}`, (ex) =>
          byClientId ? ex.cancelOrder(undefined as unknown as string, m, byClientId) : ex.cancelOrder(order.venueOrderId!, m),
        );
        // Some adapters answer a cancel with the id only: the order's state then comes from the stream or a fetch.
        if (answer && typeof answer.status === 'string') this.onOrder(order, answer);
        else void this.refresh(order);
        return;
      } catch (e) {
        const f = classify(e);
        if (f.code === 'NOT_FOUND') {
          // The exchange does not know it (any more): what became of it is asked, not assumed.
          const found = await this.lookup(order).catch(() => undefined);
          if (found) this.onOrder(order, found);
          if (!order.isTerminal && !inFlight) this.reports.cancelRejected(order.id, `${this.name} answered the cancel with "unknown order"${found ? ` and lists it ${found.status}` : ''}`, this.clock.now());
          return;
        }
        if (f.retryable && attempt === 1) {
          this.log.warn(`cancel of ${order.clientOrderId} at ${this.name} failed (${messageOf(e)}); trying once more`);
          continue;
        }
        this.reports.cancelRejected(order.id, `cancel not confirmed by ${this.name}: ${messageOf(e)}; the order may still work`, this.clock.now());
        void this.refresh(order);
        return;
      }
    }
  }

  /** Asks for an order's state and applies it (after a cancel left it uncertain). */
  private async refresh(order: Order): Promise<void> {
    try {
      const found = await this.lookup(order);
      if (found) this.onOrder(order, found);
    } catch (e) {
      this.log.warn(`status of ${order.clientOrderId} at ${this.name} not known: ${messageOf(e)}`);
    }
  }

  // ---------- reports in ----------

  /**
   * An order as the exchange reports it: a create's or cancel's answer, a lookup, or the
   * stream. From the stream, its fills are on their way on the trades stream: missing ones
   * are fetched only if they have not come a moment later.
   */
  private onOrder(order: Order, r: CcxtOrder, fromStream = false): void {
    this.lastEventNow();
    this.unknown.delete(order.clientOrderId);
    if (r.id && order.venueOrderId === undefined) {
      this.byVenueId.set(r.id, order);
    }
    if (order.status === 'submitted' && r.status !== 'rejected') {
      this.reports.accepted(order.id, r.timestamp ?? this.clock.now(), r.id || undefined);
      if ((order.status as string) === 'accepted') this.opts.probe?.('acked', order);
    }
    if (r.id) this.claimParked(r.id, order);
    for (const t of r.trades ?? []) if (t.id) this.applyTrade(order, t);
    const status = r.status as CcxtStatus | undefined;
    const filled = Number(r.filled ?? 0);
    const wait = fromStream ? STREAM_FILLS_MS : 0;
    if (status === 'canceled' || status === 'expired' || status === 'rejected') void this.finish(order, status, filled, r.lastUpdateTimestamp ?? r.timestamp ?? this.clock.now(), wait);
    else if (filled > order.filledQty * (1 + 1e-9) + 1e-12) void this.settle(order, filled, wait);
  }

  private applyTrade(order: Order, t: CcxtTrade): void {
    const fill = this.fillOf(t);
    if (!fill) return;
    this.reports.filled(order.id, fill);
    this.opts.probe?.('filled', order);
  }

  /** A ccxt trade as a Keel fill: fee valued in quote, and kept in the asset it was charged in. */
  fillOf(t: CcxtTrade): VenueFill | undefined {
    const qty = Number(t.amount);
    const price = Number(t.price);
    if (!(qty > 0) || !(price > 0)) return undefined;
    const market = this.ex.markets?.[t.symbol ?? ''];
    const feeCost = Number(t.fee?.cost ?? 0);
    const feeAsset = t.fee?.currency;
    let fee = 0;
    if (feeAsset === undefined || feeAsset === market?.quote) fee = feeCost;
    else if (feeAsset === market?.base) fee = feeCost * price;
    else if (feeCost > 0) this.log.warn(`fee of ${feeCost} ${feeAsset} on trade ${t.id} is not valued in ${market?.quote ?? 'quote'}: left out of PnL, kept for the balance check`);
    const fill: VenueFill = {
      qty,
      price,
      fee: Math.max(0, fee),
      liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker',
      ts: t.timestamp ?? this.clock.now(),
      venueTradeId: `${t.symbol}:${t.id}`,
    };
    if (feeAsset !== undefined && feeCost > 0) {
      fill.feeAsset = feeAsset;
      fill.feeNative = feeCost;
    }
    return fill;
  }

  /**
   * Fetches what fills an order had that have not been applied (its cumulative filled
   * quantity says there are some), and applies them. One at a time per order.
   */
  private settle(order: Order, venueFilled: number, waitMs = 0): Promise<void> {
    const key = order.clientOrderId;
    const before = this.settling.get(key) ?? Promise.resolve();
    const next = before.then(async () => {
      if (waitMs > 0 && venueFilled > order.filledQty * (1 + 1e-9) + 1e-12) await this.sleep(waitMs);
      if (!(venueFilled > order.filledQty * (1 + 1e-9) + 1e-12) || order.venueOrderId === undefined) return;
      try {
        for (const t of await this.orderTrades(order)) this.applyTrade(order, t);
      } catch (e) {
        this.log.warn(`fills of ${order.clientOrderId} not fetched from ${this.name}: ${messageOf(e)}; reconciliation will find them`);
      }
    });
    this.settling.set(key, next);
    void next.finally(() => this.settling.get(key) === next && this.settling.delete(key));
    return next;
  }

  /** A final state, reported only once every fill the exchange counts for the order is applied. */
  private async finish(order: Order, status: 'canceled' | 'expired' | 'rejected', venueFilled: number, ts: number, waitMs = 0): Promise<void> {
    await this.settle(order, venueFilled, waitMs);
    if (order.isTerminal) return this.forgetLater(order);
    if (venueFilled > order.filledQty * (1 + 1e-9) + 1e-12) {
      this.log.warn(`${order.clientOrderId} is ${status} at ${this.name} with ${venueFilled} filled, ${order.filledQty} applied: left working until its fills are found`);
      return;
    }
    if (status === 'canceled') this.reports.cancelled(order.id, ts);
    else if (status === 'expired') this.reports.expired(order.id, ts);
    else this.reports.rejected(order.id, `${this.name} rejected it`, ts);
    this.forgetLater(order);
  }

  async orderTrades(order: Pick<OrderSnapshot, 'clientOrderId' | 'venueOrderId' | 'symbol' | 'createdAt'>): Promise<CcxtTrade[]> {
    const m = this.market(order.symbol);
    const id = order.venueOrderId!;
    if (this.ex.has.fetchOrderTrades) return this.client.read(`fetchOrderTrades ${order.clientOrderId}`, (ex) => ex.fetchOrderTrades(id, m));
    const all = await this.client.read(`fetchMyTrades ${m}`, (ex) => ex.fetchMyTrades(m, order.createdAt - 60_000));
    return all.filter((t) => t.order === id);
  }

  private forgetLater(order: Order): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.byClient.get(order.clientOrderId) === order) this.byClient.delete(order.clientOrderId);
      if (order.venueOrderId !== undefined && this.byVenueId.get(order.venueOrderId) === order) this.byVenueId.delete(order.venueOrderId);
    }, KEEP_TERMINAL_MS);
    t.unref?.();
    this.timers.add(t);
  }

  /** Orders from the stream (or a poll). Ours are applied; others are left to reconciliation, which lists them. */
  private onOrders(orders: CcxtOrder[]): void {
    for (const r of orders) {
      const o = (r.clientOrderId !== undefined ? this.byClient.get(r.clientOrderId) : undefined) ?? (r.id ? this.byVenueId.get(r.id) : undefined);
      if (o) this.onOrder(o, r, true);
    }
  }

  /** Trades from the stream (or a poll): applied to their order, or held until the order is known. */
  private onTrades(trades: CcxtTrade[]): void {
    this.lastEventNow();
    for (const t of trades) {
      const venueOrderId = t.order;
      if (!venueOrderId || !t.id) continue;
      const o = this.byVenueId.get(venueOrderId);
      if (o) {
        this.applyTrade(o, t);
        if (o.status === 'filled') this.forgetLater(o);
        continue;
      }
      let p = this.parked.get(venueOrderId);
      if (!p) {
        p = { trades: [], since: this.clock.now() };
        this.parked.set(venueOrderId, p);
        this.later(PARK_MS, () => void this.unpark(venueOrderId, t.symbol));
      }
      p.trades.push(t);
    }
  }

  private claimParked(venueOrderId: string, order: Order): void {
    const p = this.parked.get(venueOrderId);
    if (!p) return;
    this.parked.delete(venueOrderId);
    for (const t of p.trades) this.applyTrade(order, t);
  }

  /** Trades nobody claimed: their order is asked for; if it is ours they are applied, else (an external order's) left to the balance check. */
  private async unpark(venueOrderId: string, market: string | undefined): Promise<void> {
    const p = this.parked.get(venueOrderId);
    if (!p || !market) return;
    try {
      const r = await this.client.read(`fetchOrder ${venueOrderId}`, (ex) => ex.fetchOrder(venueOrderId, market));
      const mine = r.clientOrderId !== undefined ? this.byClient.get(r.clientOrderId) : undefined;
      if (mine) this.onOrder(mine, r);
      else if (this.isOurs(r.clientOrderId)) this.log.error(`trades of ${r.clientOrderId} (ours, not in this journal) at ${this.name}: reconciliation lists it`);
      else this.parked.delete(venueOrderId);
    } catch (e) {
      this.log.warn(`order ${venueOrderId} of unclaimed trades not fetched from ${this.name}: ${messageOf(e)}`);
    }
  }

  // ---------- the user stream ----------

  private setStream(state: UserStreamState, message?: string): void {
    const s = this.stream;
    if (s.state === state && s.message === message) return;
    const reconnects = s.reconnects + (state === 'live' && this.everConnected && s.state !== 'live' ? 1 : 0);
    this.stream = { state, transport: this.transport, since: this.clock.now(), reconnects, ...(s.lastEventAt !== undefined && { lastEventAt: s.lastEventAt }), ...(message !== undefined && { message }) };
    this.streamChanged.emit(this.stream);
  }

  private lastEventNow(): void {
    this.stream = { ...this.stream, lastEventAt: this.clock.now() };
  }

  private async runWebsocket(): Promise<void> {
    let backoff = 250;
    while (!this.stopped) {
      const gen = ++this.generation;
      this.setStream(this.everConnected ? 'reconnecting' : 'connecting', this.stream.message);
      try {
        // Binance's spot user stream subscribes here (ws-api signature); other adapters authenticate as they need.
        const auth = (this.ex as unknown as { authenticate?: (p?: object) => Promise<unknown> }).authenticate;
        if (typeof auth === 'function') {
          const authenticating = auth.call(this.ex);
          this.quietFutures();
          await authenticating;
        }
        const ended = Promise.race([
          this.watchLoop(gen, () => this.ex.watchOrders(), (x) => this.onOrders(x)),
          this.watchLoop(gen, () => this.ex.watchMyTrades(), (x) => this.onTrades(x)),
        ]);
        this.quietFutures();
        this.everConnected = true;
        this.setStream('live');
        backoff = 250;
        this.reports.connection('connected', this.clock.now());
        await ended;
      } catch (e) {
        if (this.stopped) return;
        const message = messageOf(e);
        this.reports.connection('disconnected', this.clock.now(), message);
        this.setStream('reconnecting', message);
        this.generation++;
        await this.sleep(backoff * (0.5 + Math.random() / 2));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private readonly quieted = new WeakSet<object>();

  /**
   * ccxt parks promises on its websocket clients that nobody awaits (binance's authenticate
   * registers a future ahead of its request, for concurrent callers); when the connection
   * drops they are rejected with nobody listening, an unhandled rejection. The failure is
   * already seen where it matters (the watch loops), so these are given a handler.
   */
  private quietFutures(): void {
    const clients = (this.ex as unknown as { clients?: Record<string, { futures?: Record<string, unknown> }> }).clients ?? {};
    for (const c of Object.values(clients)) {
      for (const f of Object.values(c.futures ?? {})) {
        if (f instanceof Promise && !this.quieted.has(f)) {
          this.quieted.add(f);
          f.catch(() => undefined);
        }
      }
    }
  }

  /** Calls `watch` again and again until the connection fails (the promise rejects) or a newer generation takes over. */
  private watchLoop<T>(gen: number, watch: () => Promise<T[]>, handle: (items: T[]) => void): Promise<void> {
    const run = async (): Promise<void> => {
      while (!this.stopped && gen === this.generation) {
        const items = await watch();
        if (gen !== this.generation) return;
        // Synchronous: no await between one answer and the next watch, so no update is left waiting.
        handle(items);
      }
    };
    const p = run();
    p.catch(() => undefined);
    return p;
  }

  /**
   * Arms the exchange's dead man's switch and refreshes it every third of its timeout, whatever
   * the user stream does: while Keel runs and reaches the exchange, its orders live; once it
   * stops refreshing (killed, cut off), the exchange cancels them all when the timeout runs out.
   */
  private async keepDeadManSwitch(): Promise<void> {
    const rule = cancelOnDisconnect(this.profile, this.ex, this.opts.cancelOnDisconnectMs);
    if ('missing' in rule) return;
    const run = ++this.deadManRun;
    while (!this.stopped && run === this.deadManRun) {
      try {
        this.deadManRequest = this.client.once('cancelAllOrdersAfter', (ex) => ex.cancelAllOrdersAfter(rule.timeoutMs));
        await this.deadManRequest;
        if (this.deadMan.armedAt === undefined || this.deadMan.failure !== undefined) this.log.info(`${this.name}: cancel-on-disconnect armed (${rule.timeoutMs / 1000} s)`);
        this.deadMan = { armedAt: this.clock.now() };
      } catch (e) {
        const failure = messageOf(e);
        if (this.deadMan.failure === undefined) this.log.warn(`${this.name}: cancel-on-disconnect not refreshed: ${failure}`);
        this.deadMan = { ...this.deadMan, failure };
      }
      await this.sleep(rule.timeoutMs / 3);
    }
  }

  private async runPolling(): Promise<void> {
    const every = this.opts.pollMs ?? 2_000;
    const since = new Map<string, PollMark>();
    let up = false;
    this.setStream('polling');
    while (!this.stopped) {
      try {
        await this.pollOnce(since);
        this.lastPollOk = this.clock.now();
        if (!up) {
          up = true;
          this.setStream('polling');
          this.reports.connection('connected', this.clock.now());
        }
      } catch (e) {
        const message = messageOf(e);
        if (up && this.clock.now() - this.lastPollOk > 3 * every) {
          up = false;
          this.setStream('stale', message);
          this.reports.connection('disconnected', this.clock.now(), message);
        }
      }
      await this.sleep(every);
    }
  }

  /** One poll: new trades and open orders of every market Keel has orders on; tracked orders no longer open are looked up. */
  private async pollOnce(since: Map<string, PollMark>): Promise<void> {
    const working = [...this.byClient.values()].filter((o) => !o.isTerminal);
    const markets = [...new Set(working.map((o) => this.market(o.symbol)))];
    for (const m of markets) {
      const mark = since.get(m);
      const from = mark?.ts ?? Math.min(...working.filter((o) => this.market(o.symbol) === m).map((o) => o.createdAt)) - 60_000;
      // From the newest trade's time on, inclusive (another trade may share its millisecond): the ones
      // already heard at that time are left out, so a trade is handed on once however often it is polled.
      const trades = (await this.client.read(`fetchMyTrades ${m}`, (ex) => ex.fetchMyTrades(m, from))).filter((t) => !(mark && t.timestamp === mark.ts && mark.ids.has(String(t.id))));
      if (trades.length > 0) {
        const ts = Math.max(...trades.map((t) => t.timestamp ?? 0));
        const ids = new Set(trades.filter((t) => t.timestamp === ts).map((t) => String(t.id)));
        if (mark?.ts === ts) for (const id of mark.ids) ids.add(id);
        since.set(m, { ts, ids });
      }
      this.onTrades(trades);
      const open = await this.client.read(`fetchOpenOrders ${m}`, (ex) => ex.fetchOpenOrders(m));
      this.onOrders(open);
      const openIds = new Set(open.map((o) => o.clientOrderId));
      for (const o of working) {
        if (this.market(o.symbol) !== m || o.isTerminal || openIds.has(o.clientOrderId) || this.unknown.has(o.clientOrderId)) continue;
        const found = await this.lookup(o);
        if (found) this.onOrder(o, found);
      }
    }
  }

  // ---------- reconciliation ----------

  /**
   * Every open order at the exchange (ours and external), each order asked about (by client
   * id), the fills of ours, and the balances. Read-only requests, retried.
   */
  async status(since: number, ask: readonly OrderSnapshot[] = []): Promise<VenueStatus> {
    const asOf = this.clock.now();
    const open = await this.client.read('fetchOpenOrders', (ex) => ex.fetchOpenOrders());
    const reports: OrderStatusReport[] = [];
    const seen = new Set<string>();
    for (const r of open) {
      const rep = this.report(r);
      reports.push(rep);
      seen.add(rep.clientOrderId);
    }
    const missing: string[] = [];
    const withFills: { clientOrderId: string; venueOrderId: string; symbol: string; createdAt: number }[] = [];
    for (const o of ask) {
      let venueOrderId = o.venueOrderId;
      if (!seen.has(o.clientOrderId)) {
        const found = await this.lookup(o);
        if (!found) {
          missing.push(o.clientOrderId);
          continue;
        }
        const rep = this.report(found);
        reports.push(rep);
        seen.add(rep.clientOrderId);
        venueOrderId = rep.venueOrderId;
      } else {
        venueOrderId = reports.find((r) => r.clientOrderId === o.clientOrderId)!.venueOrderId;
      }
      const rep = reports.find((r) => r.clientOrderId === o.clientOrderId)!;
      if (rep.filledQty > 0 && venueOrderId !== undefined) withFills.push({ clientOrderId: o.clientOrderId, venueOrderId, symbol: o.symbol, createdAt: Math.min(o.createdAt, since) });
    }
    const fills: VenueStatus['fills'] = [];
    for (const o of withFills) {
      for (const t of await this.orderTrades(o)) {
        const f = this.fillOf(t);
        const rep = reports.find((r) => r.clientOrderId === o.clientOrderId)!;
        if (f) fills.push({ ...f, clientOrderId: o.clientOrderId, symbol: rep.symbol, side: rep.side });
      }
    }
    const balance = await this.client.read('fetchBalance', (ex) => ex.fetchBalance());
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    const balances = Object.entries(totals)
      .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
      .map(([asset, total]) => ({ asset, total: total as number }));
    return { asOf, orders: reports, fills, positions: [], missing, balances };
  }

  /** The trades of an order found at the exchange, as fills (what adopting it brings in). */
  async fillsOf(r: OrderStatusReport): Promise<VenueStatus['fills']> {
    if (!(r.filledQty > 0) || r.venueOrderId === undefined) return [];
    const trades = await this.orderTrades({ clientOrderId: r.clientOrderId, venueOrderId: r.venueOrderId, symbol: r.symbol, createdAt: r.ts });
    return trades.flatMap((t) => {
      const f = this.fillOf(t);
      return f ? [{ ...f, clientOrderId: r.clientOrderId, symbol: r.symbol, side: r.side }] : [];
    });
  }

  /** A ccxt order as the venue-agnostic report. */
  report(r: CcxtOrder): OrderStatusReport {
    const status = r.status as CcxtStatus | undefined;
    const cid = r.clientOrderId ?? `venue-${r.id}`;
    return {
      clientOrderId: cid,
      external: !this.isOurs(r.clientOrderId),
      venueOrderId: r.id || undefined,
      symbol: this.keelSymbol(r.symbol ?? ''),
      side: r.side === 'sell' ? 'sell' : 'buy',
      type: r.type === 'market' ? 'market' : 'limit',
      qty: Number(r.amount ?? 0),
      filledQty: Number(r.filled ?? 0),
      price: r.price !== undefined && r.price !== null && Number(r.price) > 0 ? Number(r.price) : undefined,
      stopPrice: undefined,
      status: status === 'open' ? 'working' : status === 'closed' ? 'filled' : status === 'canceled' ? 'cancelled' : status === 'expired' ? 'expired' : 'rejected',
      ts: r.lastUpdateTimestamp ?? r.timestamp ?? this.clock.now(),
    };
  }

  /** Cancels an order at the exchange by its venue id (an external one the trader chose to cancel; Keel's own go through cancel()). */
  async cancelAtVenue(r: OrderStatusReport): Promise<void> {
    if (r.venueOrderId === undefined) throw new KeelError('BAD_INPUT', `order ${r.clientOrderId} has no venue id to cancel by`, { where: 'cancel' });
    await this.client.once(`cancelOrder ${r.clientOrderId}`, (ex) => ex.cancelOrder(r.venueOrderId!, this.market(r.symbol)));
  }

  /**
   * The kill switch's sweep at the exchange: every open order under Keel's prefix that the
   * order manager does not hold (a stray from another run) is cancelled too. External orders
   * are left: they are not Keel's to touch.
   */
  async cancelStrays(): Promise<number> {
    const open = await this.client.read('fetchOpenOrders', (ex) => ex.fetchOpenOrders());
    let n = 0;
    for (const r of open) {
      if (!this.isOurs(r.clientOrderId) || this.byClient.get(r.clientOrderId!)?.isWorking) continue;
      await this.client.once(`cancelOrder ${r.clientOrderId}`, (ex) => ex.cancelOrder(String(r.id), r.symbol)).catch((e) => this.log.warn(`kill switch: ${r.clientOrderId} not cancelled at ${this.name}: ${messageOf(e)}`));
      n++;
    }
    return n;
  }

  // ---------- timers ----------

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}

