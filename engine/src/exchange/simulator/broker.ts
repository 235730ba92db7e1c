import type { TimeInForce } from '../../model/order';
import { Emitter } from '../../core/emitter';
import type { Faults } from './faults';
import type { SimSymbol, SimTrade } from './market';

/** Binance's times in force: Keel's, but for DAY (a Binance order lives until it is done or cancelled). */
type BinanceTimeInForce = Exclude<TimeInForce, 'DAY'>;

export type SimSide = 'BUY' | 'SELL';
export type SimOrderType = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
export type SimStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface SimFill {
  tradeId: number;
  orderId: number;
  symbol: string;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface SimOrder {
  orderId: number;
  clientOrderId: string;
  symbol: SimSymbol;
  side: SimSide;
  type: SimOrderType;
  timeInForce: BinanceTimeInForce;
  /** 0 for market orders. */
  price: number;
  origQty: number;
  origQuoteOrderQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: SimStatus;
  time: number;
  updateTime: number;
  fills: SimFill[];
}

/** What the user data stream says, in Binance's terms (formatted by the server). */
export type UserEvent =
  | { kind: 'execution'; order: SimOrder; execType: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED'; fill?: SimFill; at: number; cancelClientId?: string }
  | { kind: 'balances'; assets: string[]; at: number };

/** A refusal with Binance's code and message; the server answers it as HTTP 400 JSON. */
export class SimReject extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly status = 400,
  ) {
    super(msg);
  }
}

export interface Balance {
  free: number;
  locked: number;
}

const FEE = 0.001;
/** Balances and money print with 8 decimals, as Binance's do. */
const round8 = (x: number) => Math.round(x * 1e8) / 1e8;
const onStep = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-9;

/** One API key's account: balances, orders, trades, and the stream of its events. */
export class SimAccount {
  readonly balances = new Map<string, Balance>();
  readonly orders = new Map<number, SimOrder>();
  readonly trades: SimFill[] = [];
  readonly events = new Emitter<UserEvent>();
  /** Every newClientOrderId this account sent, with how often: a client must never send one twice. */
  readonly clientIdsSeen = new Map<string, number>();

  constructor(
    readonly apiKey: string,
    readonly secret: string | undefined,
    initial: Record<string, number>,
  ) {
    for (const [asset, free] of Object.entries(initial)) this.balances.set(asset, { free, locked: 0 });
  }

  balance(asset: string): Balance {
    let b = this.balances.get(asset);
    if (!b) this.balances.set(asset, (b = { free: 0, locked: 0 }));
    return b;
  }

  openOrders(symbol?: SimSymbol): SimOrder[] {
    return [...this.orders.values()].filter((o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!symbol || o.symbol === symbol));
  }
}

export interface CreateParams {
  symbol: SimSymbol;
  side: SimSide;
  type: SimOrderType;
  timeInForce?: BinanceTimeInForce;
  quantity?: number;
  quoteOrderQty?: number;
  price?: number;
  newClientOrderId?: string;
}

/**
 * The simulated exchange's matching: market orders and marketable limits take the book at
 * once (several fills when they walk levels), resting limits fill, in part or whole, when a
 * trade prints through their price. Balances move with every fill, fees are 0.1% of what is
 * received, as Binance's default. Each account hears its own events (the user data stream).
 */
export class SimBroker {
  private readonly accounts = new Map<string, SimAccount>();
  private nextOrderId = 1;
  private nextTradeId = 1;

  constructor(
    private readonly now: () => number,
    private readonly faults: Faults,
    private readonly initialBalances: Record<string, number>,
    /** Known keys and their secrets: requests from them must be signed. Without any, every key is accepted. */
    readonly keys: Map<string, string> = new Map(),
  ) {}

  /** The account of an API key (made on first use when keys are not configured). */
  account(apiKey: string | undefined): SimAccount {
    if (!apiKey) throw new SimReject(-2014, 'API-key format invalid.', 401);
    let a = this.accounts.get(apiKey);
    if (!a) {
      if (this.keys.size > 0 && !this.keys.has(apiKey)) throw new SimReject(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
      a = new SimAccount(apiKey, this.keys.get(apiKey), this.initialBalances);
      this.accounts.set(apiKey, a);
    }
    return a;
  }

  allAccounts(): SimAccount[] {
    return [...this.accounts.values()];
  }

  create(acct: SimAccount, p: CreateParams): SimOrder {
    const s = p.symbol;
    const spec = s.spec;
    if (p.newClientOrderId !== undefined) acct.clientIdsSeen.set(p.newClientOrderId, (acct.clientIdsSeen.get(p.newClientOrderId) ?? 0) + 1);
    const clientOrderId = p.newClientOrderId ?? `sim-${this.nextOrderId}`;
    if (acct.openOrders().some((o) => o.clientOrderId === clientOrderId)) throw new SimReject(-2010, 'Duplicate order sent.');
    const tif = p.timeInForce ?? 'GTC';
    if (p.type !== 'MARKET') {
      if (p.price === undefined || !(p.price > 0)) throw new SimReject(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
      if (!onStep(p.price, spec.tickSize)) throw new SimReject(-1013, 'Filter failure: PRICE_FILTER');
    }
    const ref = p.price ?? s.lastPrice();
    let qty = p.quantity;
    if (qty === undefined) {
      if (p.type !== 'MARKET' || p.quoteOrderQty === undefined) throw new SimReject(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
      // A market order by quote amount: as much base as the amount buys at the best price, on the lot grid.
      qty = Math.floor(p.quoteOrderQty / ref / spec.stepSize) * spec.stepSize;
    }
    qty = Math.round(qty / spec.stepSize) * spec.stepSize;
    if (!(qty > 0) || !onStep(p.quantity ?? qty, spec.stepSize) || qty < spec.minQty) throw new SimReject(-1013, 'Filter failure: LOT_SIZE');
    if (qty * ref < spec.minNotional) throw new SimReject(-1013, 'Filter failure: NOTIONAL');
    // Enough money for what the order can cost at most (a market buy at a few levels up).
    if (p.side === 'BUY') {
      const need = p.type === 'MARKET' ? qty * ref * 1.01 : qty * p.price!;
      if (acct.balance(s.quote).free + 1e-9 < need) throw new SimReject(-2010, 'Account has insufficient balance for requested action.');
    } else if (acct.balance(s.base).free + 1e-9 < qty) {
      throw new SimReject(-2010, 'Account has insufficient balance for requested action.');
    }
    const at = this.now();
    const o: SimOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      symbol: s,
      side: p.side,
      type: p.type,
      timeInForce: tif,
      price: p.type === 'MARKET' ? 0 : p.price!,
      origQty: qty,
      origQuoteOrderQty: p.quoteOrderQty ?? 0,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      time: at,
      updateTime: at,
      fills: [],
    };
    const book = s.depth(50);
    const crosses = p.type === 'MARKET' || (p.side === 'BUY' ? o.price >= (book.asks[0]?.price ?? Infinity) : o.price <= (book.bids[0]?.price ?? 0));
    if (p.type === 'LIMIT_MAKER' && crosses) {
      o.status = 'EXPIRED';
      acct.orders.set(o.orderId, o);
      throw new SimReject(-2010, 'Order would immediately match and take.');
    }
    acct.orders.set(o.orderId, o);
    if (o.side === 'BUY' && o.type !== 'MARKET') this.lock(acct, s.quote, o.origQty * o.price);
    if (o.side === 'SELL') this.lock(acct, s.base, o.origQty);
    acct.events.emit({ kind: 'execution', order: o, execType: 'NEW', at });
    if (crosses) {
      const levels = p.side === 'BUY' ? book.asks : book.bids;
      const pieces: { price: number; qty: number }[] = [];
      let left = o.origQty;
      for (const lvl of levels) {
        if (left <= 1e-12) break;
        if (p.type !== 'MARKET' && (p.side === 'BUY' ? lvl.price > o.price : lvl.price < o.price)) break;
        const take = Math.min(left, lvl.qty);
        pieces.push({ price: lvl.price, qty: take });
        left = round8(left - take);
      }
      if (tif === 'FOK' && left > 1e-12) {
        this.finish(acct, o, 'EXPIRED', at);
        return o;
      }
      this.fillPieces(acct, o, pieces, false, at);
    }
    if (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') {
      // What a market order or IOC could not fill at once is gone.
      if (o.type === 'MARKET' || tif === 'IOC') this.finish(acct, o, 'EXPIRED', at);
    }
    return o;
  }

  cancel(acct: SimAccount, symbol: SimSymbol, q: { orderId?: number; origClientOrderId?: string; newClientOrderId?: string }): SimOrder {
    const o = this.find(acct, symbol, q);
    if (!o || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) throw new SimReject(-2011, 'Unknown order sent.');
    this.finish(acct, o, 'CANCELED', this.now(), q.newClientOrderId ?? `cancel-${o.orderId}`);
    return o;
  }

  find(acct: SimAccount, symbol: SimSymbol, q: { orderId?: number; origClientOrderId?: string }): SimOrder | undefined {
    if (q.orderId !== undefined) {
      const o = acct.orders.get(q.orderId);
      return o && o.symbol === symbol ? o : undefined;
    }
    if (q.origClientOrderId !== undefined) {
      // The newest order with that client id, as Binance answers.
      let found: SimOrder | undefined;
      for (const o of acct.orders.values()) if (o.symbol === symbol && o.clientOrderId === q.origClientOrderId) found = o;
      return found;
    }
    return undefined;
  }

  /** Trades printed on the market fill resting limits they reach, up to the trade's size. */
  onMarketTrades(symbol: SimSymbol, trades: SimTrade[]): void {
    for (const acct of this.accounts.values()) {
      const resting = acct.openOrders(symbol);
      if (resting.length === 0) continue;
      for (const t of trades) {
        let size = t.qty;
        for (const o of resting) {
          if (size <= 1e-12) break;
          if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') continue;
          const reached = o.side === 'BUY' ? t.price <= o.price : t.price >= o.price;
          if (!reached) continue;
          const take = Math.min(size, round8(o.origQty - o.executedQty));
          size = round8(size - take);
          this.fillPieces(acct, o, [{ price: o.price, qty: take }], true, t.ts);
        }
      }
    }
  }

  private lock(acct: SimAccount, asset: string, amount: number): void {
    const b = acct.balance(asset);
    b.free = round8(b.free - amount);
    b.locked = round8(b.locked + amount);
  }

  private fillPieces(acct: SimAccount, o: SimOrder, pieces: { price: number; qty: number }[], maker: boolean, at: number): void {
    if (pieces.length === 0) return;
    const s = o.symbol;
    const made: { fill: SimFill; order: SimOrder }[] = [];
    for (const piece of pieces) {
      const quote = round8(piece.price * piece.qty);
      const buy = o.side === 'BUY';
      const fee = round8((buy ? piece.qty : quote) * FEE);
      const f: SimFill = {
        tradeId: this.nextTradeId++,
        orderId: o.orderId,
        symbol: s.id,
        price: piece.price,
        qty: piece.qty,
        quoteQty: quote,
        commission: fee,
        commissionAsset: buy ? s.base : s.quote,
        time: at,
        isBuyer: buy,
        isMaker: maker,
      };
      o.executedQty = round8(o.executedQty + piece.qty);
      o.cummulativeQuoteQty = round8(o.cummulativeQuoteQty + quote);
      o.updateTime = at;
      o.status = o.executedQty + 1e-12 >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
      o.fills.push(f);
      acct.trades.push(f);
      const base = acct.balance(s.base);
      const quoteBal = acct.balance(s.quote);
      if (buy) {
        if (o.type === 'MARKET') quoteBal.free = round8(quoteBal.free - quote);
        else {
          // The order locked qty x limit; a fill at a better price frees the difference.
          quoteBal.locked = round8(quoteBal.locked - piece.qty * o.price);
          quoteBal.free = round8(quoteBal.free + piece.qty * o.price - quote);
        }
        base.free = round8(base.free + piece.qty - fee);
      } else {
        base.locked = round8(base.locked - piece.qty);
        quoteBal.free = round8(quoteBal.free + quote - fee);
      }
      made.push({ fill: f, order: { ...o, fills: [...o.fills] } });
    }
    // The stream's view: fills in order, unless the faults say otherwise.
    const out = made.length > 1 && this.faults.draw('ooo-fill', this.faults.config.outOfOrderFills) ? [...made].reverse() : made;
    for (const m of out) {
      acct.events.emit({ kind: 'execution', order: m.order, execType: 'TRADE', fill: m.fill, at });
      if (this.faults.draw('dup-fill', this.faults.config.duplicateFill)) acct.events.emit({ kind: 'execution', order: m.order, execType: 'TRADE', fill: m.fill, at });
    }
    acct.events.emit({ kind: 'balances', assets: [s.base, s.quote], at });
  }

  private finish(acct: SimAccount, o: SimOrder, status: 'CANCELED' | 'EXPIRED', at: number, cancelClientId?: string): void {
    const s = o.symbol;
    const left = round8(o.origQty - o.executedQty);
    if (left > 0) {
      if (o.side === 'BUY' && o.type !== 'MARKET') {
        const q = acct.balance(s.quote);
        q.locked = round8(q.locked - left * o.price);
        q.free = round8(q.free + left * o.price);
      } else if (o.side === 'SELL') {
        const b = acct.balance(s.base);
        b.locked = round8(b.locked - left);
        b.free = round8(b.free + left);
      }
    }
    o.status = status;
    o.updateTime = at;
    acct.events.emit({ kind: 'execution', order: { ...o }, execType: status, at, cancelClientId });
    acct.events.emit({ kind: 'balances', assets: [s.base, s.quote], at });
  }
}
