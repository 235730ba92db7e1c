import type { SimAccount, SimFill, SimOrder, UserEvent } from './broker';
import type { DepthDiff, SimBar, SimSymbol, SimTrade } from './market';

/**
 * Binance spot's JSON, field for field as its API documents and as ccxt's recorded
 * responses show (engine/test/exchange/fixtures/ccxt-binance.json): numbers as strings with
 * 8 decimals, times as integers.
 */
export function d8(x: number): string {
  // A price or size on its grid (a multiple of 1e-8, as every tick and lot here is) prints
  // from integers, at half toFixed's cost: a kline page prints 8,000 numbers. Anything
  // else (a quote volume) goes through toFixed, so the digits are always toFixed(8)'s.
  const n = Math.round(Math.abs(x) * 1e8);
  if (!(n < 9e15) || n / 1e8 !== Math.abs(x)) return x.toFixed(8);
  const whole = Math.floor(n / 1e8);
  const frac = String(n - whole * 1e8);
  return `${x < 0 && n > 0 ? '-' : ''}${whole}.${'00000000'.slice(frac.length)}${frac}`;
}

export function symbolInfo(s: SimSymbol): Record<string, unknown> {
  const sp = s.spec;
  return {
    symbol: s.id,
    status: 'TRADING',
    baseAsset: s.base,
    baseAssetPrecision: 8,
    quoteAsset: s.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: d8(sp.tickSize), maxPrice: d8(1_000_000), tickSize: d8(sp.tickSize) },
      { filterType: 'LOT_SIZE', minQty: d8(sp.minQty), maxQty: d8(9_000), stepSize: d8(sp.stepSize) },
      { filterType: 'NOTIONAL', minNotional: d8(sp.minNotional), applyMinToMarket: true, maxNotional: d8(9_000_000), applyMaxToMarket: false, avgPriceMins: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

export function exchangeInfo(symbols: SimSymbol[], now: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime: now,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: symbols.map(symbolInfo),
  };
}

/** One kline row: [openTime, o, h, l, c, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, "0"]. */
export function klineRow(b: SimBar, intervalMs: number): string {
  const quote = (b.volume * (b.open + b.close)) / 2;
  return `[${b.ts},"${d8(b.open)}","${d8(b.high)}","${d8(b.low)}","${d8(b.close)}","${d8(b.volume)}",${b.ts + intervalMs - 1},"${d8(quote)}",${b.trades},"${d8(b.volume / 2)}","${d8(quote / 2)}","0"]`;
}

export function aggTrade(t: SimTrade): Record<string, unknown> {
  return { a: t.id, p: d8(t.price), q: d8(t.qty), f: t.id, l: t.id, T: t.ts, m: t.buyerMaker, M: true };
}

export function recentTrade(t: SimTrade): Record<string, unknown> {
  return { id: t.id, price: d8(t.price), qty: d8(t.qty), quoteQty: d8(t.price * t.qty), time: t.ts, isBuyerMaker: t.buyerMaker, isBestMatch: true };
}

/** 24h statistics from the last day of bars. */
export function ticker24h(s: SimSymbol, now: number): Record<string, unknown> {
  const day = s.klines(60_000 * 60 * 24, now - 86_400_000, now, 2);
  const closed = s.klines(s.baseMs, now - 86_400_000, now, 1440);
  const first = closed[0];
  const last = s.lastPrice();
  const open = first?.open ?? last;
  const high = Math.max(last, ...closed.map((b) => b.high));
  const low = Math.min(last, ...closed.map((b) => b.low));
  const volume = closed.reduce((a, b) => a + b.volume, 0);
  const book = s.depth(1);
  const lastBar = closed[closed.length - 1];
  return {
    symbol: s.id,
    priceChange: d8(last - open),
    priceChangePercent: ((100 * (last - open)) / open).toFixed(3),
    weightedAvgPrice: d8((high + low + last) / 3),
    prevClosePrice: d8(open),
    lastPrice: d8(last),
    lastQty: d8(s.spec.stepSize),
    bidPrice: d8(book.bids[0]?.price ?? last),
    bidQty: d8(book.bids[0]?.qty ?? 0),
    askPrice: d8(book.asks[0]?.price ?? last),
    askQty: d8(book.asks[0]?.qty ?? 0),
    openPrice: d8(open),
    highPrice: d8(high),
    lowPrice: d8(low),
    volume: d8(volume),
    quoteVolume: d8(volume * last),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: first?.firstId ?? 0,
    lastId: lastBar?.lastId ?? 0,
    count: day.reduce((a, b) => a + b.trades, 0),
  };
}

export function depth(s: SimSymbol, limit: number): Record<string, unknown> {
  const b = s.depth(limit);
  return { lastUpdateId: b.lastUpdateId, bids: b.bids.map((l) => [d8(l.price), d8(l.qty)]), asks: b.asks.map((l) => [d8(l.price), d8(l.qty)]) };
}

// ---------- orders ----------

export function order(o: SimOrder): Record<string, unknown> {
  return {
    symbol: o.symbol.id,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: d8(o.price),
    origQty: d8(o.origQty),
    executedQty: d8(o.executedQty),
    cummulativeQuoteQty: d8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: d8(0),
    icebergQty: d8(0),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: d8(o.origQuoteOrderQty),
    selfTradePreventionMode: 'NONE',
  };
}

/** The answer to a new order (newOrderRespType FULL, ccxt's default): the order and its fills so far. */
export function newOrderFull(o: SimOrder): Record<string, unknown> {
  return {
    symbol: o.symbol.id,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: o.time,
    price: d8(o.price),
    origQty: d8(o.origQty),
    executedQty: d8(o.executedQty),
    origQuoteOrderQty: d8(o.origQuoteOrderQty),
    cummulativeQuoteQty: d8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    workingTime: o.time,
    fills: o.fills.map((f) => ({ price: d8(f.price), qty: d8(f.qty), commission: d8(f.commission), commissionAsset: f.commissionAsset, tradeId: f.tradeId })),
    selfTradePreventionMode: 'NONE',
  };
}

export function myTrade(f: SimFill): Record<string, unknown> {
  return {
    symbol: f.symbol,
    id: f.tradeId,
    orderId: f.orderId,
    orderListId: -1,
    price: d8(f.price),
    qty: d8(f.qty),
    quoteQty: d8(f.quoteQty),
    commission: d8(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    isBuyer: f.isBuyer,
    isMaker: f.isMaker,
    isBestMatch: true,
  };
}

export function account(a: SimAccount, now: number): Record<string, unknown> {
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: d8(0.001), taker: d8(0.001), buyer: d8(0), seller: d8(0) },
    canTrade: true,
    canWithdraw: false,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances: [...a.balances.entries()].map(([asset, b]) => ({ asset, free: d8(b.free), locked: d8(b.locked) })),
    permissions: ['SPOT'],
    uid: 1,
  };
}

// ---------- streams ----------

export function tradeEvent(s: SimSymbol, t: SimTrade, name: 'trade' | 'aggTrade', now: number): Record<string, unknown> {
  if (name === 'aggTrade') return { e: 'aggTrade', E: now, s: s.id, a: t.id, p: d8(t.price), q: d8(t.qty), f: t.id, l: t.id, T: t.ts, m: t.buyerMaker, M: true };
  return { e: 'trade', E: now, s: s.id, t: t.id, p: d8(t.price), q: d8(t.qty), T: t.ts, m: t.buyerMaker, M: true };
}

export function klineEvent(s: SimSymbol, b: SimBar, interval: string, intervalMs: number, closed: boolean, now: number): Record<string, unknown> {
  const quote = (b.volume * (b.open + b.close)) / 2;
  return {
    e: 'kline',
    E: now,
    s: s.id,
    k: {
      t: b.ts,
      T: b.ts + intervalMs - 1,
      s: s.id,
      i: interval,
      f: b.firstId,
      L: b.lastId,
      o: d8(b.open),
      c: d8(b.close),
      h: d8(b.high),
      l: d8(b.low),
      v: d8(b.volume),
      n: b.trades,
      x: closed,
      q: d8(quote),
      V: d8(b.volume / 2),
      Q: d8(quote / 2),
      B: '0',
    },
  };
}

export function tickerEvent(s: SimSymbol, now: number): Record<string, unknown> {
  const t = ticker24h(s, now);
  return {
    e: '24hrTicker',
    E: now,
    s: s.id,
    p: t.priceChange,
    P: t.priceChangePercent,
    w: t.weightedAvgPrice,
    x: t.prevClosePrice,
    c: t.lastPrice,
    Q: t.lastQty,
    b: t.bidPrice,
    B: t.bidQty,
    a: t.askPrice,
    A: t.askQty,
    o: t.openPrice,
    h: t.highPrice,
    l: t.lowPrice,
    v: t.volume,
    q: t.quoteVolume,
    O: t.openTime,
    C: t.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

export function depthEvent(s: SimSymbol, d: DepthDiff): Record<string, unknown> {
  return { e: 'depthUpdate', E: d.ts, s: s.id, U: d.first, u: d.last, b: d.bids.map((l) => [d8(l.price), d8(l.qty)]), a: d.asks.map((l) => [d8(l.price), d8(l.qty)]) };
}

export function userEvent(e: UserEvent, acct: SimAccount): Record<string, unknown> {
  if (e.kind === 'balances') {
    return {
      e: 'outboundAccountPosition',
      E: e.at,
      u: e.at,
      B: e.assets.map((asset) => {
        const b = acct.balance(asset);
        return { a: asset, f: d8(b.free), l: d8(b.locked) };
      }),
    };
  }
  const o = e.order;
  const f = e.fill;
  const cancelled = e.execType === 'CANCELED';
  return {
    e: 'executionReport',
    E: e.at,
    s: o.symbol.id,
    c: cancelled ? (e.cancelClientId ?? '') : o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce,
    q: d8(o.origQty),
    p: d8(o.price),
    P: d8(0),
    F: d8(0),
    g: -1,
    // The original client id of a cancelled order; empty otherwise (ccxt reads C first).
    C: cancelled ? o.clientOrderId : '',
    x: e.execType,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: d8(f?.qty ?? 0),
    z: d8(o.executedQty),
    L: d8(f?.price ?? 0),
    n: d8(f?.commission ?? 0),
    N: f?.commissionAsset ?? null,
    T: f?.time ?? o.updateTime,
    t: f?.tradeId ?? -1,
    v: 0,
    I: 0,
    w: o.status === 'NEW' || o.status === 'PARTIALLY_FILLED',
    m: f?.isMaker ?? false,
    M: false,
    O: o.time,
    Z: d8(o.cummulativeQuoteQty),
    Y: d8(f?.quoteQty ?? 0),
    Q: d8(o.origQuoteOrderQty),
    W: o.time,
    V: 'NONE',
  };
}

/** The mini ticker (ccxt's watchTicker subscribes to it on spot). */
export function miniTickerEvent(s: SimSymbol, now: number): Record<string, unknown> {
  const t = ticker24h(s, now);
  return { e: '24hrMiniTicker', E: now, s: s.id, c: t.lastPrice, o: t.openPrice, h: t.highPrice, l: t.lowPrice, v: t.volume, q: t.quoteVolume };
}
