import { join } from 'node:path';
import { WallClock, type Clock } from '../core/clock';
import { KeelError } from '../core/errors';
import { STATE_DB_FILE } from '../core/paths';
import { PaperSession } from '../execution/paper/paper-session';
import type { OrderEvent } from '../execution/types';
import { Account, snapshotAccount } from '../model/account';
import type { Fill } from '../model/fill';
import { researchInstrument, type Instrument } from '../model/instrument';
import type { OrderRequest, OrderSnapshot } from '../model/order';
import { RiskEngine, type RiskEvent } from '../risk/engine';
import { sizeTicket } from '../risk/sizing';
import type { Watchdog } from '../risk/watchdog';
import { SqliteOrderJournal } from '../state/order-journal';
import { SqliteRiskPersistence } from '../state/risk-persistence';
import { StateStore } from '../state/store';
import type { Alert, FlattenResult, OrderPreview, PlaceOrderResult, Publish, RiskLimits, TicketOrder } from '../../protocol/index';
import type { Logger } from './logs';
import type { BacktestArchive, RiskService, TradingService } from './services';

/** Paper venue terms for the ticket: Kraken-like taker fee, a little slippage. */
const PAPER_FEE = 0.0026;
const PAPER_SLIPPAGE_BPS = 5;
const DEFAULT_STARTING_CASH = 100_000;
const STARTING_CASH_SETTING = 'paper.startingCash';
/** Past backtest runs kept in the database. */
const KEEP_RUNS = 200;

export interface PriceSource {
  /** The latest known price of `symbol` (the latest stored bar's close), or undefined. */
  latestClose(symbol: string): Promise<{ price: number; ts: number } | undefined>;
  symbols(): Promise<string[]>;
}

/**
 * The workstation's paper trading desk: the paper engineer's PaperSession (order manager,
 * paper venue with latency, slippage and fees, emulator) on the wall clock, the risk
 * engine in front of it, orders/fills/positions and the kill-switch latch in SQLite.
 *
 * Prices: one feed per symbol, prints (never bars too: once a symbol has prints the venue
 * ignores its bars, so mixing them would leave resting orders deaf). While a market replay
 * plays a symbol, its replayed path (open, high/low, close) is printed at wall time. Otherwise
 * an order is "priced from the last stored bar": once the venue acknowledges it, the desk
 * prints that bar's close, and the venue's rules decide whether and how it fills (a market
 * order fills at the close plus slippage; a limit below the market keeps working until a
 * later print reaches it).
 *
 * Fails closed: a venue report the order manager cannot apply (its journal write threw)
 * is logged and engages the kill switch.
 */
export interface PaperDeskOptions {
  clock?: Clock;
  /** The venue's name, which prefixes its trade ids (tests); unique per run by default. */
  venueName?: string;
}

/** Prints carry no size limit: the desk's venue takes any share of the volume (maxVolumeShare null). */
const UNLIMITED = 1e12;

/**
 * Equity as of `before` rebuilt from the fills made until then, each open position marked at
 * its last fill price (the last price the desk itself traded at; the store's bars may not
 * reach back that far).
 */
export function equityFromFills(startingCash: number, fills: readonly Fill[], before: number): number {
  const a = new Account(startingCash);
  for (const f of fills) if (f.ts < before) a.applyFill(f);
  const last = new Map<string, number>();
  for (const f of fills) if (f.ts < before) last.set(f.symbol, f.price);
  for (const [sym, px] of last) a.mark(sym, px);
  return a.equity();
}

export class PaperDesk {
  private readonly session: PaperSession;
  /** Symbols a replay holds (playing or paused): their orders are priced from its last print, not the store. */
  private readonly replaying = new Set<string>();
  private readonly symbols = new Set<string>();
  private readonly watchdog: Watchdog;
  private readonly latchTimer: ReturnType<typeof setInterval>;
  private readonly marks = new Map<string, { price: number; ts: number }>();

  private constructor(
    private readonly store: StateStore,
    readonly riskEngine: RiskEngine,
    private readonly account: Account,
    private readonly prices: PriceSource,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly clock: Clock,
    symbols: string[],
    venueName: string,
  ) {
    for (const sym of symbols) this.symbols.add(sym);
    this.session = PaperSession.live({
      risk: riskEngine,
      account,
      instruments: symbols.map((s) => researchInstrument(s, PAPER_FEE)),
      timeframe: '1m',
      venue: { seed: clock.now() % 2 ** 31, slippageBps: PAPER_SLIPPAGE_BPS, makerFee: PAPER_FEE, takerFee: PAPER_FEE, maxVolumeShare: null, name: venueName },
      journal: new SqliteOrderJournal(store),
    });
    riskEngine.killSwitch.attach({
      cancelAll: () => this.session.orders.cancelAll(),
      flatten: () => void this.flatten(undefined, 'kill switch'),
    });
    this.session.orders.onEvent((e) => this.onOrderEvent(e));
    this.session.orders.onError((e) => {
      this.log.error(e.message);
      // Fail closed either way: a refused journal write means memory and disk were kept equal
      // by not applying a venue report; a failing listener means the UI or risk saw less than happened.
      riskEngine.killSwitch.engage({ reason: e.kind === 'journal' ? `journal write failed: ${e.message}` : `order event handling failed: ${e.message}`, actor: 'engine' });
      this.publishRisk();
    });
    this.watchdog = riskEngine.watchdog(clock);
    this.watchdog.start();
    // Sees `keel kill` from another process within a quarter second.
    this.latchTimer = setInterval(() => riskEngine.refreshLatch(), 250);
    this.latchTimer.unref?.();
  }

  static async open(home: string, prices: PriceSource, publish: Publish, log: Logger, opts: PaperDeskOptions = {}): Promise<PaperDesk> {
    const clock = opts.clock ?? new WallClock();
    // The venue numbers its trade ids from 1; a per-run name keeps them unique in the database (fills.venue_trade_id is unique).
    const venueName = opts.venueName ?? `paper-${clock.now().toString(36)}${Math.floor(Math.random() * 46_656).toString(36)}`;
    const store = StateStore.open(join(home, STATE_DB_FILE));
    try {
      const startingCash = Number(store.setting(STARTING_CASH_SETTING) ?? DEFAULT_STARTING_CASH);
      const account = new Account(startingCash > 0 ? startingCash : DEFAULT_STARTING_CASH, 'USD');
      // The account is its fills: replaying them restores cash, positions and PnL exactly.
      for (const f of store.fills()) account.applyFill(f);
      const orphaned = PaperDesk.closeOrphans(store, clock.now());
      if (orphaned > 0) log.warn(`${orphaned} paper orders from the previous run were cancelled: the paper venue does not outlive the engine`);
      let desk: PaperDesk | undefined;
      const persistence = new SqliteRiskPersistence(store);
      const risk = new RiskEngine({ persistence, clock, onEvent: (e) => desk?.onRiskEvent(e) });
      desk = new PaperDesk(store, risk, account, prices, publish, log, clock, await prices.symbols(), venueName);
      for (const p of account.openPositions()) {
        const last = await prices.latestClose(p.symbol);
        if (last) desk.mark(p.symbol, last.price);
      }
      const fills = store.fills();
      risk.resume(account.equity(), clock.now(), (boundary) => equityFromFills(account.startingCash, fills, boundary));
      return desk;
    } catch (e) {
      store.close();
      throw e;
    }
  }

  /** Working orders in the database belong to a venue that died with the last engine. */
  private static closeOrphans(store: StateStore, now: number): number {
    const orphans = store.orders('working');
    for (const o of orphans) store.saveOrder({ ...o, status: 'cancelled', reason: 'engine restarted: paper orders do not survive a restart', updatedAt: now });
    return orphans.length;
  }

  private mark(symbol: string, price: number): void {
    this.account.mark(symbol, price);
    this.marks.set(symbol, { price, ts: this.clock.now() });
    this.riskEngine.onEquity(this.account.equity(), this.clock.now());
  }

  /**
   * The reference price an order is sized and risk-checked against: the replay's latest print
   * while one plays the symbol, else the latest stored bar's close, taken as seen now.
   */
  private async price(symbol: string): Promise<number | undefined> {
    if (this.replaying.has(symbol)) return this.marks.get(symbol)?.price;
    const last = await this.prices.latestClose(symbol);
    if (!last) return undefined;
    this.session.orders.updateReference(symbol, last.price, this.clock.now());
    this.mark(symbol, last.price);
    return last.price;
  }

  /** One print of the symbol's feed at wall time: fills what it reaches, refreshes the reference and the marks. */
  print(symbol: string, price: number): void {
    const ts = this.clock.now();
    // The session also makes the print the order manager's reference price.
    this.session.feedTrade(symbol, { ts, price, amount: UNLIMITED, side: undefined });
    this.mark(symbol, price);
  }

  /** See ReplayTarget.replayFeed: the replay owns the symbol's prices; the watchdog watches the stream only while it plays. */
  replayFeed(symbol: string, state: 'playing' | 'paused' | 'off'): void {
    if (state === 'off') this.replaying.delete(symbol);
    else this.replaying.add(symbol);
    if (state === 'playing' && !this.watchingData) this.watchdog.watch('data');
    if (state !== 'playing' && this.watchingData) this.watchdog.unwatch('data');
    this.watchingData = state === 'playing';
  }
  private watchingData = false;

  /** The replay's stream is alive. */
  dataBeat(): void {
    this.watchdog.beat('data');
  }

  /** Makes newly imported symbols tradable without a restart. */
  async refreshInstruments(): Promise<string[]> {
    const added: string[] = [];
    for (const sym of await this.prices.symbols()) {
      if (this.symbols.has(sym)) continue;
      this.session.orders.addInstrument(researchInstrument(sym, PAPER_FEE));
      this.symbols.add(sym);
      added.push(sym);
    }
    if (added.length > 0) this.log.info(`now tradable: ${added.join(', ')}`);
    return added;
  }

  /** Past backtest runs, in the same state database. */
  readonly runs: BacktestArchive = {
    save: (run) => {
      this.store.saveBacktestRun(run);
      this.store.pruneBacktestRuns(KEEP_RUNS);
    },
    list: (limit) => this.store.backtestRuns(limit),
    get: (runId) => this.store.backtestRun(runId),
  };

  /** Open positions with their signed market value, for the portfolio risk report. */
  exposures(): { symbol: string; value: number }[] {
    return this.account.snapshotPositions().filter((p) => p.qty !== 0).map((p) => ({ symbol: p.symbol, value: p.qty * p.mark }));
  }

  equity(): number {
    return this.account.equity();
  }

  publishBookNow(): void {
    this.publishBook();
  }

  private onOrderEvent(e: OrderEvent): void {
    const ts = e.ts;
    if (e.kind === 'denied') {
      this.publish('denial', { check: e.check, reason: e.reason, ts, symbol: e.request.symbol, side: e.request.side });
      return;
    }
    if (e.kind === 'filled' || e.kind === 'partially_filled') this.publish('order', { kind: e.kind, order: e.order, ts });
    else this.publish('order', 'reason' in e && e.reason !== undefined ? { kind: e.kind, order: e.order, reason: e.reason, ts } : { kind: e.kind, order: e.order, ts });
    if (e.kind === 'accepted' && !this.replaying.has(e.order.symbol)) {
      const mark = this.marks.get(e.order.symbol);
      // The acknowledged order now works at the venue: show it the price it was placed against.
      if (mark) {
        this.log.info(`${e.order.side} ${e.order.qty} ${e.order.symbol} (${e.order.type}) priced from the last stored bar: ${mark.price}`);
        this.print(e.order.symbol, mark.price);
      }
    }
    if (e.kind === 'filled' || e.kind === 'partially_filled') {
      this.publish('fill', e.fill);
      this.riskEngine.onEquity(this.account.equity(), ts);
      this.publishBook();
      // Gauges (exposure, open positions, daily loss) move with every fill; the push is coalesced.
      this.publishRisk();
    }
    this.updateWatch();
  }

  private onRiskEvent(e: RiskEvent): void {
    if (e.kind === 'denied') this.log.info(`risk denied a ${e.request.side} of ${e.request.symbol}: ${e.check}: ${e.reason}`);
    else if (e.kind === 'kill') this.log.warn(`kill switch ${e.engaged ? 'engaged' : 'reset'} by ${e.actor}${e.reason ? ` (${e.reason})` : ''}; ${e.cancelled} orders cancelled`);
    else if (e.kind === 'state') this.log.warn(`trading ${e.from} -> ${e.to} by ${e.actor}${e.reason ? `: ${e.reason}` : ''}`);
    this.publishRisk();
  }

  /** The UI watchdog runs only while something is at risk: a closed browser with nothing open is not an emergency. */
  private updateWatch(): void {
    const atRisk = this.session.orders.workingOrders().length > 0 || this.account.openPositions().length > 0;
    if (atRisk && !this.watching) {
      this.watchdog.watch('ui');
      this.watching = true;
    } else if (!atRisk && this.watching) {
      this.watchdog.unwatch('ui');
      this.watching = false;
    }
  }
  private watching = false;

  private publishBook(): void {
    this.publish('positions', this.account.snapshotPositions().filter((p) => p.qty !== 0));
    this.publish('account', snapshotAccount(this.account));
  }

  private publishRisk(): void {
    this.publish('risk', this.riskEngine.snapshot(this.account));
  }

  private toRequest(t: TicketOrder, qty: number): OrderRequest {
    const r: OrderRequest = { symbol: t.symbol, side: t.side, type: t.type, qty, source: 'manual', owner: 'ticket', tif: t.tif ?? 'GTC' };
    if (t.price !== undefined) r.price = t.price;
    if (t.stopPrice !== undefined) r.stopPrice = t.stopPrice;
    if (t.reduceOnly) r.reduceOnly = true;
    if (t.clientOrderId !== undefined) r.clientOrderId = t.clientOrderId;
    return r;
  }

  private async sized(t: TicketOrder): Promise<{ qty: number; ref: number | undefined }> {
    this.session.orders.instrument(t.symbol); // NOT_FOUND names the symbol before anything else
    const ref = await this.price(t.symbol);
    let qty: number;
    try {
      qty = sizeTicket(t, { equity: this.account.equity(), referencePrice: ref, instrument: this.session.orders.instrument(t.symbol) });
    } catch (e) {
      // The sizer says `ticket.price`; the protocol's `where` is the param path (`price`), as for schema errors.
      if (e instanceof KeelError && e.where?.startsWith('ticket.')) throw new KeelError(e.code, e.message.replace(/^ticket\.[A-Za-z]+: /, ''), { where: e.where.slice('ticket.'.length), details: e.details });
      throw e;
    }
    if (!(qty > 0)) throw new KeelError('BAD_INPUT', 'the order sizes to zero', { where: 'size' });
    return { qty, ref };
  }

  readonly trading: TradingService = {
    preview: async (t): Promise<OrderPreview> => {
      const { qty, ref } = await this.sized(t);
      const px = t.price ?? t.stopPrice ?? ref;
      const notional = px !== undefined ? qty * px : 0;
      // preview(): check()'s verdict without spending a rate token, remembering a duplicate or auditing.
      const verdict = this.riskEngine.preview(this.toRequest(t, qty), this.session.orders);
      return {
        qty,
        notional,
        estimatedFee: notional * PAPER_FEE,
        referencePrice: ref,
        verdict: verdict.ok ? { ok: true } : { ok: false, check: verdict.check, reason: verdict.reason },
      };
    },
    place: async (t): Promise<PlaceOrderResult> => {
      const { qty } = await this.sized(t);
      const r = this.session.emulator.place(this.toRequest(t, qty));
      this.updateWatch();
      if (!r.ok) {
        this.publishRisk();
        return r;
      }
      return { ok: true, orderId: r.id };
    },
    cancel: async (orderId) => this.session.orders.cancel(orderId),
    modify: async (orderId, changes) => {
      const o = this.session.orders.get(orderId);
      if (o) await this.price(o.symbol);
      return this.session.orders.modify(orderId, changes);
    },
    cancelAll: async (symbol) => this.session.orders.cancelAll(symbol === undefined ? {} : { symbol }),
    orders: (scope, limit) => this.store.orders(scope).slice(-limit).reverse(),
    fills: (limit) => this.store.fills().slice(-limit).reverse(),
    positions: () => this.account.snapshotPositions().filter((p) => p.qty !== 0),
    account: () => snapshotAccount(this.account),
    flatten: (symbol) => this.flatten(symbol),
    close: async () => this.close(),
  };

  /**
   * Takes each open position (or the one in `symbol`) to flat: its working orders are
   * cancelled first (a reduce-only stop covering it would otherwise stand in the way, and
   * any order left working could reopen it), then a reduce-only market order closes it.
   * Closing orders come from 'risk', so they pass a kill switch or a halt. A close that is
   * refused is an alert: the trader must never believe they are flat when they are not.
   */
  private async flatten(symbol?: string, actor = 'ui'): Promise<FlattenResult[]> {
    const out: FlattenResult[] = [];
    const targets = this.account.openPositions().filter((p) => symbol === undefined || p.symbol === symbol).map((p) => p.symbol);
    for (const sym of targets) {
      await this.price(sym);
      const qty = this.account.position(sym).qty;
      if (qty === 0) continue;
      const cancelled = this.session.orders.cancelAll({ symbol: sym });
      const [result] = this.session.orders.flatten(sym);
      const r: FlattenResult = { symbol: sym, cancelled, side: qty > 0 ? 'sell' : 'buy', qty: Math.abs(qty), result: result! };
      out.push(r);
      if (r.result.ok) this.log.info(`flatten ${sym} by ${actor}: cancelled ${cancelled} working orders, sent a ${r.side} of ${r.qty}`);
      else this.alert('error', `Flatten ${sym} failed`, `${r.result.check}: ${r.result.reason}. The position of ${qty} ${sym} is still open.`);
    }
    this.updateWatch();
    return out;
  }

  private alert(level: Alert['level'], title: string, message: string): void {
    this.log[level](`${title}: ${message}`);
    this.publish('alert', { level, title, message, ts: this.clock.now() });
  }

  readonly risk: RiskService = {
    state: () => this.riskEngine.snapshot(this.account),
    setLimits: (l: Partial<RiskLimits>) => {
      const next = this.riskEngine.setLimits(l, 'ui');
      this.publishRisk();
      return next;
    },
    killSwitch: ({ engage, flatten, reason }) => {
      // The switch itself cancels every working order (and flattens when asked) once latched.
      if (engage) this.riskEngine.killSwitch.engage({ reason: reason ?? 'manual', flatten: flatten === true, actor: 'ui' });
      else this.riskEngine.killSwitch.reset('ui');
      return this.riskEngine.snapshot(this.account);
    },
    heartbeat: () => this.watchdog.beat('ui'),
    close: async () => this.close(),
  };

  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    clearInterval(this.latchTimer);
    this.session.close();
    this.store.close();
  }

  /** For tests: the venue's name, which prefixes its trade ids. */
  get venueName(): string {
    return this.session.venue.name;
  }

  /** For tests and the status screen: orders the desk holds in memory. */
  workingOrders(): readonly OrderSnapshot[] {
    return this.session.orders.workingOrders().map((o) => o.snapshot());
  }
}

