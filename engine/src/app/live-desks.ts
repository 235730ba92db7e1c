import { join } from 'node:path';
import { WallClock } from '../core/clock';
import { KeelError } from '../core/errors';
import { STATE_DB_FILE } from '../core/paths';
import { TradingDesk } from '../desk/desk';
import type { ExchangeAccounts } from '../exchange/accounts';
import { ExchangeClient } from '../exchange/client';
import { LiveIds, newInstanceTag } from '../exchange/live/live-ids';
import { LiveSession, type ReconcileReport, type SessionState } from '../exchange/live/live-session';
import { LiveVenue } from '../exchange/live/live-venue';
import { orderProfile } from '../exchange/live/profiles';
import { splitVenueSymbol } from '../exchange/venue-symbol';
import type { BarFeed, ClosedBar } from '../data/bar-feed';
import { timeframeMs } from '../core/timeframe';
import type { Disposable } from '../core/emitter';
import { StrategyHost, type BarHistory, type StartSpec } from '../desk/strategy-host';
import { gapOfInstance, instanceBars, type RunGap } from '../desk/gap-run';
import { liveConfirmation } from '../model/exchange-account';
import type { StrategyAction, StrategyInstanceView } from '../model/ledger';
import type { PlaceOrderResult, Publish, TicketOrder } from '../../protocol/index';
import { expectedBalances } from '../execution/reconcile';
import { MANUAL_LEDGER, ORDER_TYPES, type OrderRequest, type OrderSnapshot, type OrderType } from '../model/order';
import { sizeTicket } from '../risk/sizing';
import { RiskEngine } from '../risk/engine';
import { SqliteOrderJournal } from '../state/order-journal';
import { AccountRiskPersistence } from '../state/risk-persistence';
import { StateStore } from '../state/store';
import type { Logger } from './logs';
import { controlStrategy, strategyLoader } from './strategy-control';

/** What the live venue sends itself; the desk's emulator holds the other types. */
const NATIVE: ReadonlySet<OrderType> = new Set(ORDER_TYPES.filter((t) => t === 'market' || t === 'limit'));
const TAG_SETTING = 'live.instanceTag';

export interface LiveAccountStatus {
  account: string;
  exchange: string;
  state: SessionState | 'opening' | 'failed to open';
  reason?: string;
  report?: ReconcileReport;
  /** Whether the exchange cancels the orders if Keel is cut off (profiles.ts cancelOnDisconnect), in words. */
  cancelOnDisconnect?: string;
}

interface Running {
  account: string;
  exchange: string;
  store: StateStore;
  client: ExchangeClient;
  session: LiveSession;
  desk: TradingDesk;
  risk: RiskEngine;
  host: StrategyHost;
  timer: ReturnType<typeof setInterval>;
  disposers: Disposable[];
}

/**
 * What strategies on live accounts need from the rest of the engine: stored bars to warm up
 * on, the closed-bar stream the live candles arrive on, a way to start the exchange's live
 * candles for a symbol, and where to show their state and logs.
 */
export interface LiveStrategySupport {
  history: BarHistory;
  bars: BarFeed;
  /** Starts (or joins) the live candle stream of `symbol` on `exchange`, after its recent history is stored. */
  stream(p: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }): Promise<unknown>;
  publish: Publish;
}

/** A strategy start on a live account: where it runs, and the trader's typed confirmation. */
export interface LiveStartSpec extends StartSpec {
  account: string;
  confirm?: string;
}

/**
 * The live desks of the accounts that are live: one desk per account, on the account's own
 * rows of the state database (orders, fills, positions carry the account's name), the live
 * venue on ccxt with the key from the keychain, and a risk engine on the same SQLite latch as
 * the paper desk's (re-read every 250 ms), so one kill switch stops both and sweeps the
 * exchange. Each is reconciled before it takes an order (live-session.ts).
 */
export class LiveDesks {
  private readonly running = new Map<string, Running>();
  private readonly opening = new Map<string, Promise<void>>();
  private readonly failed = new Map<string, string>();

  constructor(
    private readonly home: string,
    private readonly accounts: ExchangeAccounts,
    private readonly log: Logger,
    private readonly strategies?: LiveStrategySupport,
  ) {}

  /** Starts a desk for every live account (in the background: a failure is logged and shown in status). */
  startAll(): void {
    for (const a of this.accounts.list()) if (a.liveSince !== undefined) void this.start(a.name);
  }

  start(name: string): Promise<void> {
    if (this.running.has(name)) return Promise.resolve();
    let p = this.opening.get(name);
    if (!p) {
      p = this.open(name)
        .then(() => void this.failed.delete(name))
        .catch((e: unknown) => {
          const m = e instanceof Error ? e.message : String(e);
          this.failed.set(name, m);
          this.log.error(`live desk of ${name} not opened: ${m}`);
        })
        .finally(() => this.opening.delete(name));
      this.opening.set(name, p);
    }
    return p;
  }

  private async open(name: string): Promise<void> {
    const a = this.accounts.get(name);
    if (a.liveSince === undefined) throw new KeelError('CONFLICT', `account ${name} is not live`, { where: 'account' });
    const credentials = await this.accounts.credentials(name);
    const store = StateStore.open(join(this.home, STATE_DB_FILE), name);
    try {
      let tag = store.setting(TAG_SETTING);
      if (typeof tag !== 'string') {
        tag = newInstanceTag();
        store.setSetting(TAG_SETTING, tag, Date.now());
      }
      const client = await ExchangeClient.create({ exchange: a.exchange, apiUrl: a.apiUrl, sandbox: a.testnet, credentials });
      await client.markets();
      const own = await client.instruments();
      const byName = new Map(own.map((i) => [i.symbol, i]));
      const profile = orderProfile(a.exchange);
      const clock = new WallClock();
      const ids = new LiveIds(tag as string, profile);
      const log = { info: (m: string) => this.log.info(`${name}: ${m}`), warn: (m: string) => this.log.warn(`${name}: ${m}`), error: (m: string) => this.log.error(`${name}: ${m}`) };
      const venue = new LiveVenue({ client, name: `${name} (${a.exchange})`, profile, prefix: ids.prefix, clock, log });
      const risk = new RiskEngine({ persistence: new AccountRiskPersistence(store, name), clock });
      const desk = new TradingDesk({ clock, ids, venue, risk, journal: new SqliteOrderJournal(store), instruments: own, nativeTypes: NATIVE, persistence: store, log, ownClientIds: true });
      // The book is the journal's fills on this account, on top of the quote currency the
      // exchange holds less what those fills moved (so the cash is the exchange's now).
      const fills = store.fills();
      const quote = own[0]?.quote ?? 'USDT';
      const balance = await client.read('fetchBalance', (ex) => ex.fetchBalance());
      const held = Number((balance.total as unknown as Record<string, number | undefined>)[quote] ?? 0);
      const moved = expectedBalances({ ts: 0, totals: {} }, fills, (symbol) => byName.get(symbol) ?? { base: '', quote });
      desk.restore(Math.max(0, held - (moved.get(quote) ?? 0)));
      const session = new LiveSession({
        account: name,
        desk,
        venue,
        store,
        fills: () => store.fills(),
        assetsOf: (symbol) => {
          const i = byName.get(symbol) ?? byName.get(`${a.exchange}:${splitVenueSymbol(symbol)?.symbol ?? symbol}`);
          if (!i) throw new KeelError('NOT_FOUND', `${a.exchange} lists no ${symbol}`, { where: 'symbol' });
          return { base: i.base, quote: i.quote };
        },
        clock,
        log,
      });
      session.armKillSwitch(risk.killSwitch);
      const timer = setInterval(() => risk.refreshLatch(), 250);
      timer.unref?.();
      const host = new StrategyHost({ desk, loader: strategyLoader, history: this.strategies?.history, persistence: store, account: name, log });
      const r: Running = { account: name, exchange: a.exchange, store, client, session, desk, risk, host, timer, disposers: [] };
      this.wireStrategies(r, a.apiUrl);
      this.running.set(name, r);
      session.start();
      this.log.info(`live desk of ${name} (${a.exchange}) started; reconciling before it takes orders`);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  async stop(name: string): Promise<void> {
    await this.opening.get(name);
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    clearInterval(r.timer);
    for (const d of r.disposers) d();
    r.host.close();
    await r.session.stop();
    await r.client.close();
    r.store.close();
    this.log.info(`live desk of ${name} stopped`);
  }

  /**
   * The live account's strategies: fed the exchange's closed live candles only (a replay or an
   * import of the same symbol is not the market this account trades in), the candle's close
   * marking the desk first, so the strategy's orders are checked against the exchange's price.
   * Those that were running resume only once the account has reconciled after a start.
   */
  private wireStrategies(r: Running, apiUrl: string | undefined): void {
    const s = this.strategies;
    if (s) {
      r.disposers.push(s.bars.onClosedBar((e) => this.onLiveBar(r, e)));
      r.disposers.push(r.host.events.on((e) => (e.kind === 'instance' ? s.publish('strategy', e.view) : s.publish('strategyLog', { id: e.id, ts: e.ts, kind: e.level, message: e.message }))));
      // A live strategy that fails is stopped and the trader told, as on paper.
      r.disposers.push(r.desk.events.on((e) => e.kind === 'alert' && s.publish('alert', { level: e.level, title: `${r.account}: ${e.title}`, message: e.message, ts: e.ts })));
    }
    let resumed = false;
    r.disposers.push(
      r.session.changed.on(({ state }) => {
        if (state !== 'ready' || resumed) return;
        resumed = true;
        void (async () => {
          const views = await r.host.restore();
          for (const v of views) await this.feed(r, v.symbol, v.timeframe, apiUrl).catch((e: unknown) => this.log.error(`${r.account}: live candles of ${v.symbol} ${v.timeframe} for ${v.id} not started: ${e instanceof Error ? e.message : String(e)}`));
          if (views.length > 0) this.log.info(`${r.account}: reconciled; ${views.length} live strategies resumed (${views.map((v) => v.id).join(', ')})`);
        })().catch((e: unknown) => this.log.error(`${r.account}: live strategies not resumed: ${e instanceof Error ? e.message : String(e)}`));
      }),
    );
  }

  private onLiveBar(r: Running, e: ClosedBar): void {
    if (e.source !== 'live') return;
    if (!r.host.list().some((i) => i.symbol === e.symbol && i.timeframe === e.timeframe)) return;
    r.desk.onTrade(e.symbol, { ts: e.bar.ts + timeframeMs(e.timeframe), price: e.bar.close, amount: 0, side: undefined });
    r.host.onClosedBar(e);
  }

  private feed(r: Running, symbol: string, timeframe: string, apiUrl: string | undefined): Promise<unknown> {
    const s = this.strategies;
    if (!s) throw new KeelError('UNAVAILABLE', 'live strategies need the market store and the live streams, which this engine has not opened', { where: 'strategy' });
    const market = splitVenueSymbol(symbol);
    return s.stream({ exchange: market?.exchange ?? r.exchange, symbol: market?.symbol ?? symbol, timeframe, ...(apiUrl !== undefined && { apiUrl }) });
  }

  /**
   * Starts a strategy live on an account's ledger. Refused without the trader's typed
   * confirmation (the same phrase as putting the account live: `LIVE <account>`), and unless
   * the account's desk is reconciled and trading. Its live candles are started first (with
   * their recent history stored, which the warm-up reads), then it goes through the one host.
   */
  async startStrategy(spec: LiveStartSpec): Promise<StrategyInstanceView> {
    const phrase = liveConfirmation(spec.account);
    if (spec.confirm !== phrase) throw new KeelError('BAD_INPUT', `to start a strategy live on ${spec.account}, confirm by typing exactly "${phrase}"`, { where: 'confirm' });
    const r = this.desk(spec.account);
    this.assertTrading(r);
    r.desk.orders.instrument(spec.symbol); // NOT_FOUND: the account's exchange does not list it
    await this.feed(r, spec.symbol, spec.timeframe, this.accounts.get(spec.account).apiUrl);
    await this.price(r, spec.symbol);
    this.assertTrading(r); // the stream's history took a while: still reconciled?
    const { account: _a, confirm: _c, ...start } = spec;
    const v = await r.host.start(start);
    r.store.appendAudit({ ts: Date.now(), actor: 'ui', action: 'strategy.live', before: undefined, after: { id: v.id, account: spec.account, confirmed: phrase } });
    this.log.warn(`${spec.account}: strategy ${v.id} started LIVE on ${spec.symbol} ${spec.timeframe} with ${spec.allocation}`);
    return v;
  }

  private assertTrading(r: Running): void {
    const s = r.session.status;
    if (s.state !== 'ready') throw new KeelError('CONFLICT', `${r.account} is not reconciled (${s.state}${s.reason ? `: ${s.reason}` : ''}); a live strategy starts once it is`, { where: 'account' });
    const risk = r.risk.snapshot(r.desk.account);
    if (risk.tradingState !== 'ACTIVE') throw new KeelError('CONFLICT', `${r.account} is not trading (${risk.tradingState}${risk.killSwitch.reason ? `: ${risk.killSwitch.reason}` : ''})`, { where: 'account' });
  }

  /** The running desk whose host holds strategy `id`, or undefined (it is the paper desk's, or unknown). */
  private owner(id: string): Running | undefined {
    for (const r of this.running.values()) if (r.host.row(id)) return r;
    return undefined;
  }

  ownsStrategy(id: string): boolean {
    return this.owner(id) !== undefined;
  }

  controlStrategy(id: string, action: StrategyAction): Promise<StrategyInstanceView> {
    const r = this.owner(id);
    if (!r) throw new KeelError('NOT_FOUND', `no live strategy "${id}"`, { where: 'id' });
    return controlStrategy(r.host, id, action, async (ledger, actor) => {
      for (const p of r.desk.positions()) if (p.ledger === ledger) await this.price(r, p.symbol);
      return r.desk.flatten({ ledger }, actor);
    });
  }

  /**
   * A live strategy's trades against a backtest of it over the same bars. The backtest pays
   * the exchange's taker fee for the market and models no slippage, so every price the
   * exchange gave beyond its bar's shows as slippage.
   */
  async strategyGap(id: string): Promise<RunGap> {
    const r = this.owner(id);
    const row = r?.host.row(id);
    if (!r || !row) throw new KeelError('NOT_FOUND', `no live strategy "${id}"`, { where: 'id' });
    if (!this.strategies) throw new KeelError('UNAVAILABLE', 'the market store is not available to read the bars back', { where: 'market' });
    const loaded = await strategyLoader.load(row.strategy, row.sourcePath);
    const fee = r.desk.orders.instrument(row.symbol).takerFee;
    return gapOfInstance(row, r.store, loaded.module, await instanceBars(row, this.strategies.history), { fee, slippage: 0 });
  }

  /** The live strategies that trade on a symbol's candles of one timeframe (running or paused). */
  strategiesOn(symbol: string, timeframe: string): string[] {
    return [...this.running.values()].flatMap((r) => r.host.list().filter((i) => i.symbol === symbol && i.timeframe === timeframe && (i.state === 'running' || i.state === 'paused')).map((i) => i.id));
  }

  /** Every strategy of every open live desk, running or not. */
  strategyInstances(): StrategyInstanceView[] {
    return [...this.running.values()].flatMap((r) => r.host.all());
  }

  strategyLogs(id: string, limit?: number): { ts: number; kind: string; message: string }[] {
    return this.owner(id)?.host.logs(id, limit) ?? [];
  }

  status(): LiveAccountStatus[] {
    const out: LiveAccountStatus[] = [];
    for (const a of this.accounts.list()) {
      if (a.liveSince === undefined) continue;
      const r = this.running.get(a.name);
      if (r) {
        const s = r.session.status;
        out.push({ account: a.name, exchange: a.exchange, state: s.state, ...(s.reason !== undefined && { reason: s.reason }), ...(s.report && { report: s.report }), cancelOnDisconnect: s.cancelOnDisconnect });
      } else if (this.failed.has(a.name)) out.push({ account: a.name, exchange: a.exchange, state: 'failed to open', reason: this.failed.get(a.name)! });
      else out.push({ account: a.name, exchange: a.exchange, state: 'opening' });
    }
    return out;
  }

  private desk(name: string): Running {
    const r = this.running.get(name);
    if (!r) throw new KeelError('UNAVAILABLE', `account ${name} has no live desk running${this.failed.has(name) ? ` (${this.failed.get(name)})` : ''}`, { where: 'account' });
    return r;
  }

  /** The trader's decision on an order found at the exchange that Keel did not place. */
  async resolve(name: string, clientOrderId: string, action: 'adopt' | 'cancel' | 'ignore'): Promise<{ order?: OrderSnapshot }> {
    const { session } = this.desk(name);
    if (action === 'adopt') return { order: await session.adopt(clientOrderId) };
    if (action === 'cancel') await session.cancelExternal(clientOrderId);
    else session.ignore(clientOrderId);
    return {};
  }

  /**
   * An order from the ticket to a live account: sized like a paper ticket against the account's
   * equity at the exchange's last price, then through the one risk layer to the exchange.
   */
  async place(name: string, t: TicketOrder): Promise<PlaceOrderResult> {
    const r = this.desk(name);
    const instrument = r.desk.orders.instrument(t.symbol);
    const ref = await this.price(r, t.symbol);
    const qty = sizeTicket(t, { equity: r.desk.ledgers.manual.equity(), referencePrice: ref, instrument });
    if (!(qty > 0)) throw new KeelError('BAD_INPUT', 'the order sizes to zero', { where: 'size' });
    const req: OrderRequest = { symbol: t.symbol, side: t.side, type: t.type, qty, source: 'manual', owner: 'ticket', tif: t.tif ?? 'GTC', ledger: MANUAL_LEDGER };
    if (t.price !== undefined) req.price = t.price;
    if (t.stopPrice !== undefined) req.stopPrice = t.stopPrice;
    if (t.reduceOnly) req.reduceOnly = true;
    return r.desk.place(req);
  }

  cancel(name: string, orderId: string): boolean {
    return this.desk(name).desk.cancel(orderId);
  }

  /** The exchange's last price: the reference the risk layer sizes and checks against, and the mark. */
  private async price(r: Running, symbol: string): Promise<number> {
    const market = splitVenueSymbol(symbol)?.symbol ?? symbol;
    const t = await r.client.read(`ticker ${market}`, (ex) => ex.fetchTicker(market));
    const last = Number(t.last ?? t.close);
    if (!(last > 0)) throw new KeelError('UNAVAILABLE', `${r.exchange} gave no price for ${market}`, { where: 'symbol' });
    r.desk.onTrade(symbol, { ts: Date.now(), price: last, amount: 0, side: undefined });
    return last;
  }

  /** The journal's orders of a live account, newest first. */
  orders(name: string, limit = 200): OrderSnapshot[] {
    return this.desk(name).store.orders('all').slice(-limit).reverse();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    await Promise.allSettled([...this.running.keys()].map((n) => this.stop(n)));
  }
}
