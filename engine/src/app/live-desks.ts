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
import type { PlaceOrderResult, TicketOrder } from '../../protocol/index';
import { expectedBalances } from '../execution/reconcile';
import { MANUAL_LEDGER, ORDER_TYPES, type OrderRequest, type OrderSnapshot, type OrderType } from '../model/order';
import { sizeTicket } from '../risk/sizing';
import { RiskEngine } from '../risk/engine';
import { SqliteOrderJournal } from '../state/order-journal';
import { AccountRiskPersistence } from '../state/risk-persistence';
import { StateStore } from '../state/store';
import type { Logger } from './logs';

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
  timer: ReturnType<typeof setInterval>;
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
      desk.restore(Math.max(0, held - (moved.get(quote) ?? 0)), { ledgers: false });
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
      this.running.set(name, { account: name, exchange: a.exchange, store, client, session, desk, timer });
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
    await r.session.stop();
    await r.client.close();
    r.store.close();
    this.log.info(`live desk of ${name} stopped`);
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
