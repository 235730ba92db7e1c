/**
 * Drives one strategy module from events, the same way in backtest, paper and live: the
 * module sees a StrategyContext whose orders go through the OrderManager (source
 * 'strategy', owner = the strategy id) and whose indicators the runtime updates on each
 * closed bar before onBar. It never hands the module anything that could reveal the mode.
 */
import type { Clock } from '../core/clock';
import { KeelError } from '../core/errors';
import type { OrderEmulator } from '../execution/emulator/order-emulator';
import type { OrderManager, PlaceOutcome } from '../execution/order-manager';
import type { OrderEvent } from '../execution/types';
import type { OrderRequest, OrderType, Side } from '../model/order';
import type { BarView, PositionView, StrategyContext, StrategyHandlers, StrategyModule, StrategyOrder } from '../../sdk';
import { IndicatorSet, type IndicatorSetOptions } from './indicators';
import { resolveParams, type ParamValue, type RawParams } from './params';

/** What a strategy's position, cash and equity are read from: its own ledger (the whole account in a backtest). */
export interface LedgerView {
  readonly cash: number;
  equity(): number;
  position(symbol: string): { readonly qty: number; readonly avgPrice: number; unrealizedPnl(mark: number): number };
  markPrice(symbol: string): number | undefined;
}

export interface StrategyRuntimeOptions {
  symbol: string;
  timeframe: string;
  orders: OrderManager;
  clock: Clock;
  log?: (line: string) => void;
  /** Holds brackets for the strategy (ctx.bracket); without one, bracket() is refused. */
  emulator?: OrderEmulator;
  /**
   * The running instance's id: its orders' owner and ledger (two instances of one module on
   * two symbols are two books). The module's id by default, as in a backtest.
   */
  instanceId?: string;
  /** The strategy's ledger; the order manager's account by default (a backtest's one book). */
  ledger?: LedgerView;
  /** A backtest's whole series and a sweep's shared indicator outputs (strategy/indicators.ts). */
  indicators?: IndicatorSetOptions;
}

/** The bar a strategy sees. One object, overwritten for each bar (the SDK says so). */
export class MutableBarView implements BarView {
  index = -1;
  gap = false;
  ts = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  constructor(readonly symbol: string) {}
}

const NO_OPTS: Partial<StrategyOrder> = Object.freeze({});

class LivePosition implements PositionView {
  qty = 0;
  avgPrice = 0;
  unrealizedPnl = 0;
}

class Context implements StrategyContext {
  readonly indicators: IndicatorSet;
  private readonly pos = new LivePosition();

  constructor(
    indicators: IndicatorSetOptions,
    private readonly id: string,
    readonly symbol: string,
    readonly timeframe: string,
    private readonly orders: OrderManager,
    private readonly clock: Clock,
    private readonly logLine: (line: string) => void,
    private readonly emulator: OrderEmulator | undefined,
    private readonly book: LedgerView,
  ) {
    this.indicators = new IndicatorSet(indicators);
  }

  now(): number {
    return this.clock.now();
  }

  position(symbol: string = this.symbol): PositionView {
    const book = this.book;
    const p = book.position(symbol);
    this.pos.qty = p.qty;
    this.pos.avgPrice = p.avgPrice;
    // Flat has no unrealised PnL and needs no mark (strategies read their position every bar).
    this.pos.unrealizedPnl = p.qty === 0 ? 0 : p.unrealizedPnl(book.markPrice(symbol) ?? p.avgPrice);
    return this.pos;
  }

  cash(): number {
    return this.book.cash;
  }

  equity(): number {
    return this.book.equity();
  }

  workingOrders(): { id: string; side: Side; type: string; qty: number; price?: number; stopPrice?: number }[] {
    return this.orders
      .workingOrders()
      .filter((o) => o.ledger === this.id)
      .map((o) => ({ id: o.id, side: o.side, type: o.type, qty: o.qty, price: o.price, stopPrice: o.stopPrice }));
  }

  place(order: StrategyOrder): PlaceOutcome {
    return this.orders.place(this.request(order.side, order.type, order.qty, order.quoteQty, order.reduceOnly, order));
  }

  buy(size: { qty: number } | { quoteQty: number }, opts: Partial<StrategyOrder> = NO_OPTS): PlaceOutcome {
    const s = size as { qty?: number; quoteQty?: number };
    return this.orders.place(this.request('buy', opts.type ?? 'market', s.qty, s.quoteQty, opts.reduceOnly, opts));
  }

  sell(size: { qty: number }, opts: Partial<StrategyOrder> = NO_OPTS): PlaceOutcome {
    const s = size as { qty?: number; quoteQty?: number };
    return this.orders.place(this.request('sell', opts.type ?? 'market', s.qty, s.quoteQty, opts.reduceOnly, opts));
  }

  bracket(entry: StrategyOrder, exits: { takeProfit: number; stopLoss: number }): PlaceOutcome {
    if (!this.emulator) throw new KeelError('UNAVAILABLE', 'brackets need an order emulator, and this run has none', { where: `strategy ${this.id}` });
    const r = this.emulator.placeBracket({ entry: this.request(entry.side, entry.type, entry.qty, entry.quoteQty, entry.reduceOnly, entry), ...exits });
    return r.ok ? { ok: true, orderId: r.orderIds[0]! } : r;
  }

  closePosition(opts: Partial<StrategyOrder> = NO_OPTS): PlaceOutcome | undefined {
    const qty = this.book.position(opts.symbol ?? this.symbol).qty;
    if (qty === 0) return undefined;
    return this.orders.place(this.request(qty > 0 ? 'sell' : 'buy', opts.type ?? 'market', Math.abs(qty), undefined, opts.reduceOnly ?? true, opts));
  }

  /** Every request has the same shape (all fields, same order): the order path stays monomorphic. */
  private request(side: Side, type: OrderType, qty: number | undefined, quoteQty: number | undefined, reduceOnly: boolean | undefined, o: Partial<StrategyOrder>): OrderRequest {
    return {
      symbol: o.symbol ?? this.symbol,
      side,
      type,
      qty,
      quoteQty,
      price: o.price,
      stopPrice: o.stopPrice,
      trailingPercent: o.trailingPercent,
      trailingAmount: o.trailingAmount,
      tif: o.tif,
      reduceOnly,
      source: 'strategy',
      owner: this.id,
      tag: o.tag,
      parentId: o.parentId,
      ocoGroup: o.ocoGroup,
      clientOrderId: o.clientOrderId,
      ledger: this.id,
      amends: undefined,
      replaces: undefined,
    };
  }

  cancel(orderId: string): void {
    const o = this.orders.get(orderId);
    if (o && o.ledger === this.id) this.orders.cancel(orderId);
  }

  cancelAll(): void {
    this.orders.cancelAll({ ledger: this.id });
  }

  log(message: string): void {
    this.logLine(`[${this.id} ${new Date(this.clock.now()).toISOString()}] ${message}`);
  }
}

export class StrategyRuntime {
  readonly id: string;
  readonly params: Record<string, ParamValue>;
  private readonly ctx: Context;
  private readonly handlers: StrategyHandlers;
  private readonly hasOnBar: boolean;
  private unsubscribe: (() => void) | undefined;

  /** Resolves and checks the parameters (BAD_INPUT naming the parameter) and runs create(). */
  constructor(
    readonly module: StrategyModule,
    rawParams: RawParams,
    opts: StrategyRuntimeOptions,
  ) {
    this.id = opts.instanceId ?? module.id;
    this.params = resolveParams(module, rawParams);
    this.ctx = new Context(opts.indicators ?? {}, this.id, opts.symbol, opts.timeframe, opts.orders, opts.clock, opts.log ?? (() => {}), opts.emulator, opts.ledger ?? opts.orders.account);
    this.handlers = this.guard('create', () => module.create(this.ctx, this.params as never));
    this.ctx.indicators.seal();
    this.hasOnBar = typeof this.handlers.onBar === 'function';
    const onOrderEvent = this.handlers.onOrderEvent;
    if (onOrderEvent) {
      this.unsubscribe = opts.orders.onEvent((e: OrderEvent) => {
        const ledger = e.kind === 'denied' ? e.request.ledger : e.order.ledger;
        if (ledger === this.id) this.guard('onOrderEvent', () => onOrderEvent.call(this.handlers, e));
      });
    }
  }

  start(): void {
    if (this.handlers.onStart) this.guard('onStart', () => this.handlers.onStart!());
  }

  /** A bar of history before the first one the strategy trades on: its indicators see it, onBar does not. */
  warm(bar: BarView): void {
    this.ctx.indicators.update(bar);
  }

  /** Whether every indicator the strategy asked for has a value (a warm-up long enough). */
  get indicatorsReady(): boolean {
    return this.ctx.indicators.allReady();
  }

  /** The strategy's own state to keep across a restart (onSave), or undefined. */
  save(): unknown {
    const onSave = this.handlers.onSave;
    return onSave ? this.guard('onSave', () => onSave.call(this.handlers)) : undefined;
  }

  load(state: unknown): void {
    const onLoad = this.handlers.onLoad;
    if (onLoad && state !== undefined) this.guard('onLoad', () => onLoad.call(this.handlers, state));
  }

  /** A bar has closed: indicators first, then the strategy. */
  onBar(bar: BarView): void {
    this.ctx.indicators.update(bar);
    if (!this.hasOnBar) return;
    try {
      this.handlers.onBar!(bar);
    } catch (e) {
      throw this.failure('onBar', e, ` at bar ${bar.index} (${new Date(bar.ts).toISOString()})`);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.handlers.onStop) this.guard('onStop', () => this.handlers.onStop!());
  }

  private guard<T>(phase: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.failure(phase, e, '');
    }
  }

  /** Our own errors (bad params, bad orders) keep their code; a strategy's bug is named as such. */
  private failure(phase: string, e: unknown, at: string): KeelError {
    const where = `strategy ${this.id} ${phase}${at}`;
    if (e instanceof KeelError) return e.where?.startsWith('strategy ') ? e : new KeelError(e.code, e.message, { where, cause: e, details: e.details });
    return new KeelError('INTERNAL', `strategy threw: ${e instanceof Error ? e.message : String(e)}`, { where, cause: e });
  }
}
