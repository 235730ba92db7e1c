import { join } from 'node:path';
import { WallClock, type Clock } from '../core/clock';
import { KeelError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import { SessionIds } from '../core/ids';
import { STATE_DB_FILE } from '../core/paths';
import type { BarFeed, ClosedBar } from '../data/bar-feed';
import { ACCOUNT_LEDGER, TradingDesk, type DeskEvent } from '../desk/desk';
import { gapOfInstance, instanceBars } from '../desk/gap-run';
import { PAPER_FEE, PAPER_SLIPPAGE_BPS, PAPER_TERMS } from '../desk/paper-terms';
import { StrategyHost, type BarHistory, type HostEvent, type StrategyLoader } from '../desk/strategy-host';
import { PaperVenue } from '../execution/paper/paper-venue';
import { TimerScheduler } from '../execution/paper/timer-scheduler';
import type { OrderEvent } from '../execution/types';
import { Account } from '../model/account';
import type { Bar } from '../model/bar';
import type { Fill } from '../model/fill';
import { researchInstrument } from '../model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES, type OrderRequest } from '../model/order';
import { RiskEngine, type RiskEvent } from '../risk/engine';
import { sizeTicket } from '../risk/sizing';
import type { Watchdog } from '../risk/watchdog';
import { SqliteOrderJournal } from '../state/order-journal';
import { SqliteRiskPersistence } from '../state/risk-persistence';
import { StateStore } from '../state/store';
import type { EquitySeriesDto, FlattenResult, OrderPreview, PlaceOrderResult, Publish, RiskLimits, StrategyAction, TicketOrder } from '../../protocol/index';
import type { Logger } from './logs';
import { controlStrategy, strategyLoader } from './strategy-control';
import type { BacktestArchive, DeskService, RiskService, StrategyService, TradingService } from './services';

const DEFAULT_STARTING_CASH = 100_000;
const STARTING_CASH_SETTING = 'paper.startingCash';
/** Past backtest runs kept in the database. */
const KEEP_RUNS = 200;
/** How often every ledger's equity is sampled for the dashboard's curves (also at every fill). */
const EQUITY_SAMPLE_MS = 60_000;
/** Prints carry no size limit: the desk's venue takes any share of the volume (maxVolumeShare null). */
const UNLIMITED = 1e12;

export interface PriceSource {
  /** The latest known price of `symbol` (the latest stored bar's close), or undefined. */
  latestClose(symbol: string): Promise<{ price: number; ts: number } | undefined>;
  symbols(): Promise<string[]>;
}

export interface PaperDeskOptions {
  clock?: Clock;
  /** The venue's name, which prefixes its trade ids (tests); unique per run by default. */
  venueName?: string;
  /** Stored bars for strategies' warm-up and for bars an import brings. */
  history?: BarHistory;
  /** The engine's stream of closed bars: running strategies are fed from it. */
  bars?: BarFeed;
}

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

/**
 * The workstation's paper trading: the venue-agnostic trading desk (ledgers, one order
 * manager, one risk layer) in front of a paper venue on the wall clock, the strategy host
 * running strategies forward on it, orders, fills, ledgers and the kill-switch latch in SQLite.
 *
 * Prices: one feed per symbol, prints. While a market replay plays a symbol, its replayed
 * path is printed with the replay's own times, so fills carry the market time they happened
 * at. Otherwise an order is "priced from the last stored bar": once the venue acknowledges
 * it, the desk prints that bar's close, and the venue's rules decide whether and how it fills.
 */
export class PaperDesk {
  readonly desk: TradingDesk;
  readonly host: StrategyHost;
  private readonly symbols = new Set<string>();
  private readonly watchdog: Watchdog;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly marks = new Map<string, { price: number; ts: number }>();
  private readonly disposers: (() => void)[] = [];

  private constructor(
    private readonly store: StateStore,
    readonly riskEngine: RiskEngine,
    desk: TradingDesk,
    host: StrategyHost,
    private readonly prices: PriceSource,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly clock: Clock,
    symbols: string[],
    private readonly bars: BarFeed | undefined,
    /** Symbols a replay holds (playing or paused), with its latest print: their orders are priced from it. */
    private readonly replaying: Map<string, { price: number; ts: number }>,
    private readonly scheduler: TimerScheduler,
    private readonly history: BarHistory | undefined,
  ) {
    this.desk = desk;
    this.host = host;
    for (const sym of symbols) this.symbols.add(sym);
    this.disposers.push(desk.events.on((e) => this.onDeskEvent(e)));
    this.disposers.push(host.events.on((e) => this.onHostEvent(e)));
    if (bars) this.disposers.push(bars.onClosedBar((e) => host.onClosedBar(e)));
    this.watchdog = riskEngine.watchdog(clock);
    this.watchdog.start();
    // Sees `keel kill` from another process within a quarter second.
    this.every(250, () => riskEngine.refreshLatch());
    this.every(EQUITY_SAMPLE_MS, () => desk.sampleEquity(clock.now()));
  }

  static async open(home: string, prices: PriceSource, publish: Publish, log: Logger, opts: PaperDeskOptions = {}): Promise<PaperDesk> {
    const clock = opts.clock ?? new WallClock();
    // The venue numbers its trade ids from 1; a per-run name keeps them unique in the database (fills.venue_trade_id is unique).
    const venueName = opts.venueName ?? `paper-${clock.now().toString(36)}${Math.floor(Math.random() * 46_656).toString(36)}`;
    const store = StateStore.open(join(home, STATE_DB_FILE));
    try {
      const startingCash = Number(store.setting(STARTING_CASH_SETTING) ?? DEFAULT_STARTING_CASH);
      let paper: PaperDesk | undefined;
      const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock, onEvent: (e) => paper?.onRiskEvent(e) });
      const symbols = await prices.symbols();
      let desk: TradingDesk | undefined;
      const scheduler = new TimerScheduler(clock);
      const venue = new PaperVenue({
        scheduler,
        seed: clock.now() % 2 ** 31,
        slippageBps: PAPER_SLIPPAGE_BPS,
        makerFee: PAPER_FEE,
        takerFee: PAPER_FEE,
        maxVolumeShare: null,
        positionOf: (symbol, ledger) => desk!.ledgers.qty(ledger, symbol),
        name: venueName,
      });
      desk = new TradingDesk({
        clock,
        ids: new SessionIds(clock.now()),
        venue,
        risk,
        journal: new SqliteOrderJournal(store),
        instruments: symbols.map((s) => researchInstrument(s, PAPER_FEE)),
        nativeTypes: new Set(ORDER_TYPES),
        persistence: store,
        log,
      });
      // The book is its fills and transfers: replaying them restores every ledger exactly.
      const deposit = startingCash > 0 ? startingCash : DEFAULT_STARTING_CASH;
      desk.restore(deposit);
      await desk.reconcile();
      const replaying = new Map<string, { price: number; ts: number }>();
      const host = new StrategyHost({
        desk,
        loader: strategyLoader,
        history: opts.history,
        persistence: store,
        // Warm-up reads up to a replay's cursor while one plays the symbol: the strategy starts where the replay is.
        asOf: (symbol) => replaying.get(symbol)?.ts ?? clock.now(),
        log,
      });
      paper = new PaperDesk(store, risk, desk, host, prices, publish, log, clock, symbols, opts.bars, replaying, scheduler, opts.history);
      for (const p of desk.account.openPositions()) {
        const last = await prices.latestClose(p.symbol);
        if (last) paper.mark(p.symbol, last.price);
      }
      const fills = store.fills();
      risk.resume(desk.account.equity(), clock.now(), (boundary) => equityFromFills(deposit, fills, boundary));
      desk.armKillSwitch();
      await host.restore();
      paper.updateWatch();
      return paper;
    } catch (e) {
      store.close();
      throw e;
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref?.();
    this.timers.push(t);
  }

  private mark(symbol: string, price: number): void {
    this.desk.mark(symbol, price);
    this.marks.set(symbol, { price, ts: this.clock.now() });
  }

  /**
   * The reference price an order is sized and risk-checked against: the replay's latest print
   * while one plays the symbol, else the latest stored bar's close, taken as seen now.
   */
  private async price(symbol: string): Promise<number | undefined> {
    const replayed = this.replaying.get(symbol);
    if (replayed) return replayed.price;
    const last = await this.prices.latestClose(symbol);
    if (!last) return undefined;
    this.desk.orders.updateReference(symbol, last.price, this.clock.now());
    this.mark(symbol, last.price);
    return last.price;
  }

  /** One print of the symbol's feed: `ts` is when it traded (a replay's market time), which its fills carry. */
  print(symbol: string, price: number, ts: number = this.clock.now()): void {
    if (this.replaying.has(symbol)) this.replaying.set(symbol, { price, ts });
    this.desk.onTrade(symbol, { ts, price, amount: UNLIMITED, side: undefined });
    this.marks.set(symbol, { price, ts: this.clock.now() });
  }

  /** A bar that has closed, from a replay: running strategies on it are fed it. */
  closedBar(symbol: string, timeframe: string, bar: Bar): void {
    // The replay's market time is now this bar's close: a strategy started from here warms up on it.
    const held = this.replaying.get(symbol);
    if (held) held.ts = Math.max(held.ts, bar.ts + timeframeMs(timeframe));
    const e: ClosedBar = { symbol, timeframe, bar, source: 'replay' };
    if (this.bars) this.bars.publish(e);
    else this.host.onClosedBar(e);
  }

  /** See ReplayTarget.replayFeed: the replay owns the symbol's prices; the watchdog watches the stream only while it plays. */
  replayFeed(symbol: string, state: 'playing' | 'paused' | 'off', cursorTs?: number): void {
    if (state === 'off') this.replaying.delete(symbol);
    else if (!this.replaying.has(symbol)) this.replaying.set(symbol, { price: this.marks.get(symbol)?.price ?? NaN, ts: cursorTs ?? this.clock.now() });
    if (state === 'playing' && !this.watchingData) this.watchdog.watch('data');
    if (state !== 'playing' && this.watchingData) this.watchdog.unwatch('data');
    this.watchingData = state === 'playing';
  }
  private watchingData = false;

  /** The replay's stream is alive. */
  dataBeat(): void {
    this.watchdog.beat('data');
  }

  /** Makes newly imported symbols tradable without a restart, and feeds running strategies the bars an import brought. */
  async onImported(): Promise<string[]> {
    const added: string[] = [];
    for (const sym of await this.prices.symbols()) {
      if (this.symbols.has(sym)) continue;
      this.desk.orders.addInstrument(researchInstrument(sym, PAPER_FEE));
      this.symbols.add(sym);
      added.push(sym);
    }
    if (added.length > 0) this.log.info(`now tradable: ${added.join(', ')}`);
    for (const sym of this.symbols) await this.host.catchUp(sym);
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
    return this.desk.account.snapshotPositions().filter((p) => p.qty !== 0).map((p) => ({ symbol: p.symbol, value: p.qty * p.mark }));
  }

  equity(): number {
    return this.desk.account.equity();
  }

  publishBookNow(): void {
    this.publishBook();
  }

  private onDeskEvent(e: DeskEvent): void {
    switch (e.kind) {
      case 'order':
        this.onOrderEvent(e.event);
        break;
      case 'book':
        this.publishBook();
        break;
      case 'alert':
        this.publish('alert', { level: e.level, title: e.title, message: e.message, ts: e.ts });
        this.publishRisk();
        break;
      case 'connection':
        this.log[e.state === 'connected' ? 'info' : 'warn'](`venue ${this.desk.venue.name} is ${e.state}${e.detail ? `: ${e.detail}` : ''}`);
        break;
      case 'ledger_breach':
        this.log.warn(`ledger ${e.ledger}: ${e.reason}`);
        break;
    }
  }

  private onHostEvent(e: HostEvent): void {
    if (e.kind === 'instance') this.publish('strategy', e.view);
    else this.publish('strategyLog', { id: e.id, ts: e.ts, kind: e.level, message: e.message });
  }

  private onOrderEvent(e: OrderEvent): void {
    const ts = e.ts;
    if (e.kind === 'denied') {
      this.publish('denial', { check: e.check, reason: e.reason, ts, symbol: e.request.symbol, side: e.request.side });
      return;
    }
    this.publish('order', 'reason' in e && e.reason !== undefined ? { kind: e.kind, order: e.order, reason: e.reason, ts } : { kind: e.kind, order: e.order, ts });
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
      this.desk.sampleEquity(this.clock.now());
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
    const atRisk = this.desk.orders.workingOrders().length > 0 || this.desk.account.openPositions().length > 0;
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
    this.publish('positions', this.desk.positions());
    this.publish('account', this.desk.accountSnapshot());
    this.publish('ledgers', this.desk.ledgerSnapshots());
  }

  private publishRisk(): void {
    this.publish('risk', this.riskEngine.snapshot(this.desk.account));
  }

  private toRequest(t: TicketOrder, qty: number): OrderRequest {
    const r: OrderRequest = { symbol: t.symbol, side: t.side, type: t.type, qty, source: 'manual', owner: 'ticket', tif: t.tif ?? 'GTC', ledger: MANUAL_LEDGER };
    if (t.price !== undefined) r.price = t.price;
    if (t.stopPrice !== undefined) r.stopPrice = t.stopPrice;
    if (t.reduceOnly) r.reduceOnly = true;
    if (t.clientOrderId !== undefined) r.clientOrderId = t.clientOrderId;
    return r;
  }

  private async sized(t: TicketOrder): Promise<{ qty: number; ref: number | undefined }> {
    const instrument = this.desk.orders.instrument(t.symbol); // NOT_FOUND names the symbol before anything else
    const ref = await this.price(t.symbol);
    let qty: number;
    try {
      qty = sizeTicket(t, { equity: this.desk.ledgers.manual.equity(), referencePrice: ref, instrument });
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
      const verdict = this.riskEngine.preview(this.toRequest(t, qty), this.desk.orders);
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
      const r = this.desk.place(this.toRequest(t, qty));
      this.updateWatch();
      if (!r.ok) this.publishRisk();
      return r;
    },
    cancel: async (orderId) => this.desk.cancel(orderId),
    modify: async (orderId, changes) => {
      const o = this.desk.orders.get(orderId);
      if (o) await this.price(o.symbol);
      return this.desk.modify(orderId, changes);
    },
    cancelAll: async (symbol) => this.desk.cancelAll(symbol === undefined ? {} : { symbol }),
    orders: (scope, limit) => this.store.orders(scope).slice(-limit).reverse(),
    fills: (limit) => this.store.fills().slice(-limit).reverse(),
    positions: () => this.desk.positions(),
    account: () => this.desk.accountSnapshot(),
    flatten: (symbol, ledger) => this.flatten(symbol, ledger),
    close: async () => this.close(),
  };

  /** See TradingDesk.flatten; the marks are refreshed first so the closing orders pass the price checks. */
  private async flatten(symbol?: string, ledger?: string, actor = 'ui'): Promise<FlattenResult[]> {
    for (const p of this.desk.positions()) if ((symbol === undefined || p.symbol === symbol) && (ledger === undefined || p.ledger === ledger)) await this.price(p.symbol);
    const out = this.desk.flatten({ ...(symbol !== undefined && { symbol }), ...(ledger !== undefined && { ledger }) }, actor);
    this.updateWatch();
    return out;
  }

  readonly risk: RiskService = {
    state: () => this.riskEngine.snapshot(this.desk.account),
    setLimits: (l: Partial<RiskLimits>) => {
      const next = this.riskEngine.setLimits(l, 'ui');
      this.publishRisk();
      return next;
    },
    killSwitch: ({ engage, flatten, reason }) => {
      // The switch itself cancels every working order (and flattens when asked) once latched.
      if (engage) this.riskEngine.killSwitch.engage({ reason: reason ?? 'manual', flatten: flatten === true, actor: 'ui' });
      else this.riskEngine.killSwitch.reset('ui');
      return this.riskEngine.snapshot(this.desk.account);
    },
    heartbeat: () => this.watchdog.beat('ui'),
    close: async () => this.close(),
  };

  readonly strategies: StrategyService = {
    start: async (req) => {
      await this.price(req.symbol);
      return this.host.start({ strategy: req.strategy, ...(req.path !== undefined && { path: req.path }), params: req.params, symbol: req.symbol, timeframe: req.timeframe, allocation: req.allocation, limits: req.limits ?? {} });
    },
    control: (id, action: StrategyAction) => controlStrategy(this.host, id, action, (ledger, actor) => this.flatten(undefined, ledger, actor)),
    instances: () => this.host.all(),
    gap: async (id) => {
      const row = this.host.row(id);
      if (!row) throw new KeelError('NOT_FOUND', `no strategy "${id}" on this desk`, { where: 'id' });
      if (!this.history) throw new KeelError('UNAVAILABLE', 'the market store is not available to read the bars back', { where: 'market' });
      const loaded = await strategyLoader.load(row.strategy, row.sourcePath);
      return gapOfInstance(row, this.store, loaded.module, await instanceBars(row, this.history), PAPER_TERMS);
    },
    logs: (id, limit) => this.host.logs(id, limit),
    row: (id) => this.host.row(id),
  };

  readonly deskView: DeskService = {
    ledgers: () => this.desk.ledgerSnapshots(),
    equity: (since) => {
      const labels = new Map(this.desk.ledgers.all().map((l) => [l.id, l.label]));
      const series: EquitySeriesDto[] = [];
      for (const id of [ACCOUNT_LEDGER, ...labels.keys()]) {
        const pts = this.store.equityHistory(id, since ?? 0);
        series.push({ ledger: id, label: id === ACCOUNT_LEDGER ? 'Account' : (labels.get(id) ?? id), ts: pts.map((p) => p.ts), equity: pts.map((p) => p.equity) });
      }
      return series;
    },
  };

  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    for (const t of this.timers) clearInterval(t);
    for (const d of this.disposers) d();
    this.host.close();
    this.desk.sampleEquity(this.clock.now());
    this.scheduler.dispose();
    this.store.close();
  }

  /** For tests: the venue's name, which prefixes its trade ids. */
  get venueName(): string {
    return this.desk.venue.name;
  }

  /** For tests and the status screen: orders the desk holds in memory. */
  workingOrders() {
    return this.desk.orders.workingOrders().map((o) => o.snapshot());
  }
}
