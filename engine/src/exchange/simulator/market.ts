import { Emitter } from '../../core/emitter';
import { lowerBound } from '../../core/search';
import { bucketStart } from '../../core/timeframe';
import type { BarSeries } from '../../model/bar';
import { GrowableF64 } from '../../data/growable';
import { stepDecimals } from '../../model/instrument';
import { Rng } from './rng';

/** One market the simulator lists: its filters are what ccxt turns into precision and limits. */
export interface SimMarketSpec {
  /** Unified symbol, e.g. BTC/USDT. */
  symbol: string;
  tickSize: number;
  stepSize: number;
  minQty: number;
  minNotional: number;
  /** Where the random walk starts (ignored when bars are given). */
  startPrice?: number;
}

/** A bar as the simulator keeps it; ids are the first and last aggregate trade of the bar. */
export interface SimBar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  firstId: number;
  lastId: number;
}

export interface SimTrade {
  id: number;
  ts: number;
  price: number;
  qty: number;
  /** The buyer was the maker: the aggressor sold. */
  buyerMaker: boolean;
}

export interface BookLevel {
  price: number;
  qty: number;
}

/** A diff of the book: levels whose size changed (0 = gone), covering update ids [first, last]. */
export interface DepthDiff {
  first: number;
  last: number;
  ts: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface HistoryOptions {
  /** Closed bars before the start, at the base timeframe. */
  bars: number;
  /** Bar open times [from, to) with no bars: holes in the source that a download must report, not fill. */
  holes?: { from: number; to: number }[];
  /** Bars to use instead of a random walk (a stored dataset); the part after the start is replayed live. */
  series?: BarSeries;
  /**
   * A premium over the walk that wanders around zero with this standard deviation (bps): with
   * the same seed, a second venue of the same market (history only).
   */
  basisBps?: number;
}

/** Synthetic trades per history bar (open, nearer extreme, farther extreme, close). */
const TRADES_PER_HISTORY_BAR = 4;
const BOOK_LEVELS = 50;

/** Integer ticks and lots keep every printed price and size exact through toFixed and parseFloat. */
const toTicks = (x: number, step: number) => Math.round(x / step);
/**
 * `n` steps as the double nearest its decimal (3 x 0.1 is 0.3, not 0.30000000000000004). For
 * steps of 10^-d a division is exact to the nearest double, and far cheaper than toFixed.
 */
const steps = (n: number, step: number): number => {
  const inv = Math.round(1 / step);
  return Math.abs(1 / step - inv) < 1e-9 ? n / inv : Number((n * step).toFixed(stepDecimals(step)));
};

/**
 * One symbol of the simulated exchange: closed bars at the base timeframe (history, then the
 * bars the live trades made), the bar forming now, the live trades, and a book around the
 * last price. History is a seeded random walk or a given dataset; live trades come from the
 * walk or replay the dataset's bars after the start. The REST answers and the streams all
 * read this one state, so a REST snapshot after a reconnect agrees with what the stream sent.
 */
export class SimSymbol {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly onTrades = new Emitter<SimTrade[]>();
  readonly onKline = new Emitter<{ bar: SimBar; closed: boolean }>();
  readonly onDepth = new Emitter<DepthDiff>();

  // Closed bars: history first, then live.
  private readonly ts = new GrowableF64(1024);
  private readonly o = new GrowableF64(1024);
  private readonly h = new GrowableF64(1024);
  private readonly l = new GrowableF64(1024);
  private readonly c = new GrowableF64(1024);
  private readonly v = new GrowableF64(1024);
  private readonly n = new GrowableF64(1024);
  private readonly firstIds = new GrowableF64(1024);
  private forming: SimBar | undefined;
  /** Closed bars that came from history (their trades are synthetic). */
  readonly historyBars: number;
  /** Live trades, oldest first (aggregate trade ids from liveFirstId on). */
  private readonly tradeTs = new GrowableF64(4096);
  private readonly tradePrice = new GrowableF64(4096);
  private readonly tradeQty = new GrowableF64(4096);
  private readonly tradeMaker = new GrowableF64(4096);
  readonly liveFirstId: number;
  private nextId: number;
  private lastPriceTicks: number;
  private readonly rng: Rng;
  /** Bars of a given dataset still to be replayed live. */
  private replay: { series: BarSeries; next: number } | undefined;
  private bids = new Map<number, number>();
  private asks = new Map<number, number>();
  private updateId = 1;
  private pendingDiff: DepthDiff | undefined;
  private bookEpoch = -1;

  constructor(
    readonly spec: SimMarketSpec,
    readonly baseMs: number,
    startTs: number,
    history: HistoryOptions,
    seed: number,
  ) {
    const [base, quote] = spec.symbol.split('/') as [string, string];
    this.base = base;
    this.quote = quote;
    this.id = `${base}${quote}`;
    this.rng = new Rng(seed);
    const startBucket = bucketStart(startTs, baseMs);
    if (history.series) this.loadSeries(history.series, startBucket);
    else this.walkHistory(history.bars, startBucket, history.holes ?? [], spec.startPrice ?? 20_000, history.basisBps ?? 0, seed);
    this.historyBars = this.ts.length;
    this.liveFirstId = this.historyBars * TRADES_PER_HISTORY_BAR;
    this.nextId = this.liveFirstId;
    this.lastPriceTicks = this.historyBars > 0 ? toTicks(this.c.view()[this.historyBars - 1]!, spec.tickSize) : toTicks(spec.startPrice ?? 20_000, spec.tickSize);
    this.rebuildBook(startTs, false);
  }

  private push(ts: number, o: number, h: number, l: number, c: number, v: number, trades: number, firstId: number): void {
    this.ts.push(ts);
    this.o.push(o);
    this.h.push(h);
    this.l.push(l);
    this.c.push(c);
    this.v.push(v);
    this.n.push(trades);
    this.firstIds.push(firstId);
  }

  private walkHistory(count: number, startBucket: number, holes: { from: number; to: number }[], startPrice: number, basisBps: number, seed: number): void {
    const tick = this.spec.tickSize;
    let p = toTicks(startPrice, tick);
    // The basis has a generator of its own: the walk under it is the same as without one.
    const basisRng = new Rng(seed ^ 0x5bd1e995);
    const keep = 0.995;
    let premium = 0;
    const withBasis = (ticks: number) => (basisBps === 0 ? ticks : Math.max(1, Math.round(ticks * (1 + premium))));
    const vol = Math.max(1, Math.round(p * 0.0008));
    let t = startBucket - count * this.baseMs;
    for (let i = 0; i < count; i++, t += this.baseMs) {
      const open = p;
      const close = Math.max(1, open + Math.round(this.rng.gauss() * vol));
      const high = Math.max(open, close) + Math.floor(this.rng.next() * vol * 0.6);
      const low = Math.max(1, Math.min(open, close) - Math.floor(this.rng.next() * vol * 0.6));
      const volumeMilli = 1 + Math.floor(this.rng.next() * 50_000);
      p = close;
      if (basisBps !== 0) premium = keep * premium + Math.sqrt(1 - keep * keep) * (basisBps / 1e4) * basisRng.gauss();
      if (holes.some((hole) => t >= hole.from && t < hole.to)) continue;
      const k = this.ts.length;
      this.push(t, steps(withBasis(open), tick), steps(withBasis(high), tick), steps(withBasis(low), tick), steps(withBasis(close), tick), volumeMilli / 1000, TRADES_PER_HISTORY_BAR, k * TRADES_PER_HISTORY_BAR);
    }
  }

  private loadSeries(s: BarSeries, startBucket: number): void {
    let i = 0;
    for (; i < s.length && s.ts[i]! < startBucket; i++) {
      this.push(s.ts[i]!, s.open[i]!, s.high[i]!, s.low[i]!, s.close[i]!, s.volume[i]!, TRADES_PER_HISTORY_BAR, i * TRADES_PER_HISTORY_BAR);
    }
    if (i < s.length) this.replay = { series: s, next: i };
  }

  get closedCount(): number {
    return this.ts.length;
  }

  /** The closed bars, as columns (views: valid until the next bar closes). */
  closedBars(): { ts: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array } {
    return { ts: this.ts.view(), open: this.o.view(), high: this.h.view(), low: this.l.view(), close: this.c.view(), volume: this.v.view() };
  }

  barAt(i: number): SimBar {
    const first = this.firstIds.view()[i]!;
    const trades = this.n.view()[i]!;
    return { ts: this.ts.view()[i]!, open: this.o.view()[i]!, high: this.h.view()[i]!, low: this.l.view()[i]!, close: this.c.view()[i]!, volume: this.v.view()[i]!, trades, firstId: first, lastId: first + trades - 1 };
  }

  formingBar(): SimBar | undefined {
    return this.forming && { ...this.forming };
  }

  lastPrice(): number {
    return steps(this.lastPriceTicks, this.spec.tickSize);
  }

  /** First closed bar at or after `t`. */
  lowerBound(t: number): number {
    return lowerBound(this.ts.view(), t);
  }

  /**
   * Klines as Binance answers them: bars of `intervalMs` (a multiple of the base) opening in
   * [startTime, endTime], oldest first, at most `limit`; without startTime the latest `limit`.
   * The bar forming now is included, as Binance does.
   */
  klines(intervalMs: number, startTime: number | undefined, endTime: number | undefined, limit: number): SimBar[] {
    const bars: SimBar[] = [];
    const end = endTime ?? Number.MAX_SAFE_INTEGER;
    const all = this.ts.view();
    let from: number;
    if (startTime !== undefined) from = this.lowerBound(bucketStart(startTime, intervalMs));
    else {
      // Latest `limit` buckets up to endTime: walk back over base bars.
      let i = Math.min(all.length, this.lowerBound(end + 1)) - 1;
      let buckets = this.forming && this.forming.ts <= end ? 1 : 0;
      let last = this.forming && this.forming.ts <= end ? bucketStart(this.forming.ts, intervalMs) : NaN;
      while (i >= 0) {
        const b = bucketStart(all[i]!, intervalMs);
        if (b !== last) {
          if (buckets === limit) break;
          buckets++;
          last = b;
        }
        i--;
      }
      from = i + 1;
    }
    let cur: SimBar | undefined;
    const take = (b: SimBar): boolean => {
      const key = bucketStart(b.ts, intervalMs);
      if (startTime !== undefined && key < bucketStart(startTime, intervalMs)) return true;
      if (key > end) return false;
      if (cur && cur.ts === key) {
        cur.high = Math.max(cur.high, b.high);
        cur.low = Math.min(cur.low, b.low);
        cur.close = b.close;
        cur.volume += b.volume;
        cur.trades += b.trades;
        cur.lastId = b.lastId;
        return true;
      }
      if (bars.length === limit) return false;
      cur = { ...b, ts: key };
      bars.push(cur);
      return true;
    };
    for (let i = from; i < all.length; i++) if (!take(this.barAt(i))) return bars;
    if (this.forming) take({ ...this.forming });
    return bars;
  }

  /**
   * Aggregate trades as Binance's aggTrades: from `fromId`, or in [startTime, endTime], at
   * most `limit`. History bars answer with their synthetic trades (ids 4 per bar), live bars
   * with the trades that made them.
   */
  aggTrades(q: { fromId?: number; startTime?: number; endTime?: number; limit: number }): SimTrade[] {
    const out: SimTrade[] = [];
    const end = q.endTime ?? Number.MAX_SAFE_INTEGER;
    let id = q.fromId;
    if (id === undefined) {
      if (q.startTime === undefined) id = Math.max(0, this.nextId - q.limit);
      else id = this.firstIdAtOrAfter(q.startTime);
    }
    for (; id < this.nextId && out.length < q.limit; id++) {
      const t = this.tradeById(id);
      if (!t) continue;
      if (q.startTime !== undefined && t.ts < q.startTime) continue;
      if (t.ts > end) break;
      out.push(t);
    }
    return out;
  }

  private firstIdAtOrAfter(t: number): number {
    if (t >= this.liveStartTs()) return this.liveFirstId + lowerBound(this.tradeTs.view(), t);
    const i = this.lowerBound(bucketStart(t, this.baseMs));
    return Math.min(i, this.historyBars) * TRADES_PER_HISTORY_BAR;
  }

  private liveStartTs(): number {
    return this.tradeTs.length > 0 ? this.tradeTs.view()[0]! : Number.MAX_SAFE_INTEGER;
  }

  tradeById(id: number): SimTrade | undefined {
    if (id >= this.liveFirstId) {
      const k = id - this.liveFirstId;
      if (k >= this.tradeTs.length) return undefined;
      return { id, ts: this.tradeTs.view()[k]!, price: this.tradePrice.view()[k]!, qty: this.tradeQty.view()[k]!, buyerMaker: this.tradeMaker.view()[k] === 1 };
    }
    const bar = Math.floor(id / TRADES_PER_HISTORY_BAR);
    const k = id % TRADES_PER_HISTORY_BAR;
    if (bar >= this.historyBars) return undefined;
    const b = this.barAt(bar);
    const path = b.close >= b.open ? [b.open, b.low, b.high, b.close] : [b.open, b.high, b.low, b.close];
    const step = this.spec.stepSize;
    const total = toTicks(b.volume, step);
    const part = Math.floor(total / TRADES_PER_HISTORY_BAR);
    const lots = k === TRADES_PER_HISTORY_BAR - 1 ? total - part * (TRADES_PER_HISTORY_BAR - 1) : part;
    return { id, ts: b.ts + Math.floor((k * this.baseMs) / TRADES_PER_HISTORY_BAR), price: path[k]!, qty: steps(lots, step), buyerMaker: k % 2 === 1 };
  }

  /**
   * Advances the market to virtual time `now`: closes bars whose time is over, and adds
   * `count` random-walk trades spread over (since, now], or the replayed dataset's trades
   * that fall in it. Emits trades, kline updates and closes, in time order.
   */
  advance(since: number, now: number, count: number): void {
    const trades: SimTrade[] = [];
    if (this.replay) this.replayTrades(since, now, trades);
    else {
      const tick = this.spec.tickSize;
      const vol = Math.max(1, Math.round(this.lastPriceTicks * 0.00005));
      for (let k = 0; k < count; k++) {
        const ts = since + Math.max(1, Math.round(((k + 1) * (now - since)) / count));
        this.lastPriceTicks = Math.max(1, this.lastPriceTicks + Math.round(this.rng.gauss() * vol));
        const lots = 1 + Math.floor(this.rng.next() * 200);
        trades.push({ id: 0, ts, price: steps(this.lastPriceTicks, tick), qty: steps(lots, this.spec.stepSize), buyerMaker: this.rng.next() < 0.5 });
      }
    }
    const batch: SimTrade[] = [];
    for (const t of trades) {
      this.closeBarsBefore(t.ts, batch);
      t.id = this.nextId++;
      this.lastPriceTicks = toTicks(t.price, this.spec.tickSize);
      this.tradeTs.push(t.ts);
      this.tradePrice.push(t.price);
      this.tradeQty.push(t.qty);
      this.tradeMaker.push(t.buyerMaker ? 1 : 0);
      const f = this.forming;
      if (!f) this.forming = { ts: bucketStart(t.ts, this.baseMs), open: t.price, high: t.price, low: t.price, close: t.price, volume: t.qty, trades: 1, firstId: t.id, lastId: t.id };
      else {
        if (t.price > f.high) f.high = t.price;
        if (t.price < f.low) f.low = t.price;
        f.close = t.price;
        f.volume = steps(toTicks(f.volume, this.spec.stepSize) + toTicks(t.qty, this.spec.stepSize), this.spec.stepSize);
        f.trades++;
        f.lastId = t.id;
      }
      batch.push(t);
    }
    this.closeBarsBefore(now + 1, batch);
    if (batch.length > 0) {
      this.onTrades.emit(batch);
      if (this.forming) this.onKline.emit({ bar: { ...this.forming }, closed: false });
      this.rebuildBook(now, true);
    }
  }

  /** Closes the forming bar if `t` is past its end, flushing trades emitted so far first. */
  private closeBarsBefore(t: number, batch: SimTrade[]): void {
    const f = this.forming;
    if (!f || t < f.ts + this.baseMs) return;
    if (batch.length > 0) {
      this.onTrades.emit(batch.splice(0));
    }
    this.push(f.ts, f.open, f.high, f.low, f.close, f.volume, f.trades, f.firstId);
    this.forming = undefined;
    this.onKline.emit({ bar: { ...f }, closed: true });
  }

  private replayTrades(since: number, now: number, out: SimTrade[]): void {
    const r = this.replay!;
    const s = r.series;
    while (r.next < s.length && s.ts[r.next]! + this.baseMs - 1 <= now) {
      this.replayBar(r.next++, since, out);
    }
    // The bar whose time has begun: its steps that are due by now.
    if (r.next < s.length && s.ts[r.next]! <= now) {
      const i = r.next;
      const path = this.replayPath(i);
      for (let k = 0; k < path.length; k++) if (path[k]!.ts > since && path[k]!.ts <= now) out.push(path[k]!);
    }
  }

  private replayBar(i: number, since: number, out: SimTrade[]): void {
    for (const t of this.replayPath(i)) if (t.ts > since) out.push(t);
  }

  private replayPath(i: number): SimTrade[] {
    const s = this.replay!.series;
    const o = s.open[i]!;
    const c = s.close[i]!;
    const path = c >= o ? [o, s.low[i]!, s.high[i]!, c] : [o, s.high[i]!, s.low[i]!, c];
    const step = this.spec.stepSize;
    const total = toTicks(s.volume[i]!, step);
    const part = Math.floor(total / path.length);
    return path.map((price, k) => {
      const lots = k === path.length - 1 ? total - part * (path.length - 1) : part;
      return { id: 0, ts: s.ts[i]! + Math.floor((k * this.baseMs) / path.length), price, qty: steps(lots, step), buyerMaker: k % 2 === 1 };
    });
  }

  // ---------- the book ----------

  /**
   * A book around the last price: BOOK_LEVELS a side, a tick apart, sizes drawn from the
   * level's price and a slow epoch, so it moves where the price moves and shimmers a little.
   */
  private rebuildBook(now: number, diff: boolean): void {
    const tick = this.spec.tickSize;
    const epoch = Math.floor(now / 1000);
    const bestBid = this.lastPriceTicks - 1;
    const bestAsk = this.lastPriceTicks + 1;
    const size = (levelTicks: number): number => {
      const x = Math.sin(levelTicks * 12.9898 + (epoch % 997) * 78.233) * 43758.5453;
      return steps((1 + Math.floor((x - Math.floor(x)) * 500)) * 10, this.spec.stepSize);
    };
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (let i = 0; i < BOOK_LEVELS; i++) {
      if (bestBid - i > 0) bids.set(bestBid - i, size(bestBid - i));
      asks.set(bestAsk + i, size(bestAsk + i));
    }
    if (!diff) {
      this.bids = bids;
      this.asks = asks;
      this.bookEpoch = epoch;
      return;
    }
    const changed = (prev: Map<number, number>, next: Map<number, number>): BookLevel[] => {
      const out: BookLevel[] = [];
      for (const [p, q] of next) if (prev.get(p) !== q) out.push({ price: steps(p, tick), qty: q });
      for (const p of prev.keys()) if (!next.has(p)) out.push({ price: steps(p, tick), qty: 0 });
      return out;
    };
    const b = changed(this.bids, bids);
    const a = changed(this.asks, asks);
    this.bids = bids;
    this.asks = asks;
    this.bookEpoch = epoch;
    if (b.length === 0 && a.length === 0) return;
    const id = ++this.updateId;
    if (!this.pendingDiff) this.pendingDiff = { first: id, last: id, ts: now, bids: [], asks: [] };
    const p = this.pendingDiff;
    p.last = id;
    p.ts = now;
    const merge = (into: BookLevel[], levels: BookLevel[]) => {
      for (const l of levels) {
        const at = into.findIndex((x) => x.price === l.price);
        if (at >= 0) into[at] = l;
        else into.push(l);
      }
    };
    merge(p.bids, b);
    merge(p.asks, a);
  }

  /** Sends the book changes gathered since the last call as one diff (Binance's depth@100ms). */
  flushDepth(): void {
    const p = this.pendingDiff;
    this.pendingDiff = undefined;
    if (p) this.onDepth.emit(p);
  }

  /** The book now, best first, with the id of its last update (REST depth's lastUpdateId). */
  depth(limit: number): { lastUpdateId: number; bids: BookLevel[]; asks: BookLevel[] } {
    const tick = this.spec.tickSize;
    const side = (m: Map<number, number>, desc: boolean) =>
      [...m.entries()]
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, limit)
        .map(([p, q]) => ({ price: steps(p, tick), qty: q }));
    // Changes not yet sent as a diff are part of the snapshot; the stream's next diff covers them too, which the client skips by id.
    return { lastUpdateId: this.updateId, bids: side(this.bids, true), asks: side(this.asks, false) };
  }

  bookEpochNow(): number {
    return this.bookEpoch;
  }
}
