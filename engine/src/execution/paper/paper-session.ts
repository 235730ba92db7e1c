import { WallClock, SimulatedClock, type Clock } from '../../core/clock';
import { SequentialIds, SessionIds, type IdGenerator } from '../../core/ids';
import { timeframeMs, type Timeframe } from '../../core/timeframe';
import type { Account } from '../../model/account';
import type { Bar } from '../../model/bar';
import type { Instrument } from '../../model/instrument';
import { ORDER_TYPES, type OrderType } from '../../model/order';
import type { Trade } from '../../model/trade';
import { OrderEmulator } from '../emulator/order-emulator';
import { OrderManager } from '../order-manager';
import { NO_JOURNAL, type OrderJournal, type PreTradeRisk } from '../types';
import { PaperVenue, type PaperVenueOptions } from './paper-venue';
import type { Quote } from '../../model/quote';
import { SimulatedScheduler, type Scheduler } from '../../core/scheduler';
import { TimerScheduler } from './timer-scheduler';

export interface PaperSessionOptions {
  risk: PreTradeRisk;
  account: Account;
  instruments: Iterable<Instrument>;
  /** Bars fed to the session are this long; a bar is seen at its close (ts + timeframe). */
  timeframe: Timeframe;
  venue: Omit<PaperVenueOptions, 'scheduler' | 'lotSize' | 'positionOf'>;
  journal?: OrderJournal;
  ids?: IdGenerator;
  /** Hold trailing stops in the engine instead of at the venue, as against a venue without them. */
  emulateTrailingStops?: boolean;
}

/**
 * Paper trading in one object: clock, order manager, paper venue and emulator wired the way
 * live trading wires them, fed bars, prints or quotes, live or from a replay. Orders go in through
 * `emulator` (which passes plain ones straight to the order manager) so brackets, OCO and
 * trailing stops work; `orders` is the order manager for events and cancels.
 */
export class PaperSession {
  readonly orders: OrderManager;
  readonly venue: PaperVenue;
  readonly emulator: OrderEmulator;
  readonly account: Account;
  private readonly barMs: number;

  private constructor(
    readonly clock: Clock,
    private readonly scheduler: Scheduler,
    opts: PaperSessionOptions,
    ids: IdGenerator,
  ) {
    this.account = opts.account;
    this.barMs = timeframeMs(opts.timeframe);
    const instruments = [...opts.instruments];
    const lots = new Map(instruments.map((i) => [i.symbol, i.lotSize]));
    const account = opts.account;
    this.venue = new PaperVenue({ ...opts.venue, scheduler, lotSize: (s) => lots.get(s) || undefined, positionOf: (s, ledger) => this.orders.ledgerQty(ledger, s) });
    this.orders = new OrderManager(clock, ids, opts.risk, opts.journal ?? NO_JOURNAL, this.venue, opts.account, instruments);
    // The paper venue does trailing stops itself unless told to behave like a venue without them.
    const native = ORDER_TYPES.filter((t) => t !== 'trailing_stop' || !opts.emulateTrailingStops);
    this.emulator = new OrderEmulator({ router: this.orders, clock, ids, nativeTypes: new Set<OrderType>(native) });
  }

  /** Replayed data on a simulated clock: time moves only as data is fed. Deterministic under the venue seed. */
  static replay(opts: PaperSessionOptions & { start?: number }): PaperSession {
    const clock = new SimulatedClock(opts.start ?? 0);
    return new PaperSession(clock, new SimulatedScheduler(clock), opts, opts.ids ?? new SequentialIds());
  }

  /** Live data on the wall clock; venue answers arrive on real timers. Call close() when done. */
  static live(opts: PaperSessionOptions): PaperSession {
    const clock = new WallClock();
    return new PaperSession(clock, new TimerScheduler(clock), opts, opts.ids ?? new SessionIds(clock.now()));
  }

  /** A closed bar. In a replay the clock first moves to its close, delivering every venue answer due before then. */
  feedBar(symbol: string, bar: Bar): void {
    this.advanceTo(bar.ts + this.barMs);
    this.orders.onBar(symbol, bar);
    this.emulator.onBar(symbol, bar);
    this.account.mark(symbol, bar.close);
  }

  /** A print from a trade stream (e.g. ccxt watchTrades); once a symbol has prints, they, not its bars, fill its orders. */
  feedTrade(symbol: string, trade: Trade): void {
    this.advanceTo(trade.ts);
    this.venue.onTrade(symbol, trade);
    this.orders.updateReference(symbol, trade.price, trade.ts);
    this.emulator.onTrade(symbol, trade);
    this.account.mark(symbol, trade.price);
  }

  /** A top-of-book update (e.g. ccxt watchTicker); once a symbol has quotes, they, not its prints or bars, fill its orders. */
  feedQuote(symbol: string, quote: Quote): void {
    this.advanceTo(quote.ts);
    this.venue.onQuote(symbol, quote);
    this.orders.updateReference(symbol, (quote.bid + quote.ask) / 2, quote.ts);
    this.emulator.onQuote(symbol, quote);
    this.account.mark(symbol, (quote.bid + quote.ask) / 2);
  }

  /** Replays only: moves the clock to `t`, delivering every venue answer due by then. */
  advanceTo(t: number): void {
    if (this.scheduler instanceof SimulatedScheduler && t > this.scheduler.now()) this.scheduler.advanceTo(t);
  }

  /** Ends the session: a replay delivers what is still in flight; live timers are dropped. */
  close(): void {
    if (this.scheduler instanceof SimulatedScheduler) this.scheduler.drain();
    if (this.scheduler instanceof TimerScheduler) this.scheduler.dispose();
    this.emulator.dispose();
  }
}
