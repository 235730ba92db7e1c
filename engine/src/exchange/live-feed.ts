import type { Exchange, Trade as CcxtTrade } from 'ccxt';
import { Emitter } from '../core/emitter';
import { bucketStart, timeframeMs } from '../core/timeframe';
import type { Bar } from '../model/bar';
import { CandleBuilder, type CandleEvent, type LiveTrade } from '../data/candle-builder';
import type { ExchangeClient } from './client';
import { classify } from './errors';
import { sleep } from './retry';
import { venueSymbol } from './venue-symbol';
import type { BookSnapshot, FeedState, FeedStatus } from '../model/stream';

export type { BookSnapshot, FeedState, FeedStatus } from '../model/stream';

/** A candle for listeners: `gapBefore` when bars before it are missing (a resync that failed). */
export interface FeedCandle {
  bar: Bar;
  closed: boolean;
  gapBefore: boolean;
  /** The venue's time of the newest trade in it (latency measurement). */
  lastTradeAt?: number;
}

export interface LiveFeedOptions {
  /** Silence after which the feed is stale (default 10 s). */
  staleAfterMs?: number;
  /** Levels a side in book snapshots (default 20). */
  bookDepth?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** How long after its end a bar closes when no trade of the next one comes (default 2 s). */
  closeGraceMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  now?: () => number;
  /** The last bar already stored: the first resync backfills from it (default: none, start fresh). */
  resumeAfter?: number;
}

const PAGE = 1000;
/** REST pages a resync reads at most for the forming bar's trades (long outages fall back to candles). */
const MAX_TRADE_PAGES = 20;

function toLive(t: CcxtTrade): LiveTrade {
  return { id: String(t.id ?? `${t.timestamp}:${t.price}:${t.amount}`), ts: Number(t.timestamp), price: Number(t.price), amount: Number(t.amount) };
}

/**
 * One symbol's live market data through ccxt: trades (watchTrades, else REST polling) built
 * into candles, the exchange's own candles (watchOHLCV) to check ours against, and the book
 * (watchOrderBook) for the depth ladder.
 *
 * A drop or a stale spell is repaired before new candles go out: reconnect with jittered
 * backoff, then a REST snapshot (the candles closed meanwhile, then the trades of the bar
 * forming now) merged with what the socket delivers, by trade id. So listeners see no
 * missing and no doubled candle; if the snapshot cannot be had, the next closed candle says
 * `gapBefore`.
 */
export class LiveFeed {
  readonly onCandle = new Emitter<FeedCandle>();
  readonly onStatus = new Emitter<FeedStatus>();
  readonly onBook = new Emitter<BookSnapshot>();
  private readonly builder: CandleBuilder;
  private readonly barMs: number;
  private readonly st: FeedStatus;
  private stopped = false;
  private needResync = true;
  private pendingGap = false;
  private lastTradeReceivedAt = 0;
  private readonly ours = new Map<number, Bar>();
  private readonly theirs = new Map<number, number[]>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly loops: Promise<void>[] = [];
  private readonly now: () => number;
  private readonly opts: Required<Pick<LiveFeedOptions, 'staleAfterMs' | 'bookDepth' | 'closeGraceMs'>> & LiveFeedOptions;

  constructor(
    private readonly client: ExchangeClient,
    readonly symbol: string,
    readonly timeframe: string,
    opts: LiveFeedOptions = {},
  ) {
    this.opts = { staleAfterMs: 10_000, bookDepth: 20, closeGraceMs: 2_000, ...opts };
    this.now = opts.now ?? Date.now;
    this.barMs = timeframeMs(timeframe);
    this.builder = new CandleBuilder(this.barMs);
    if (opts.resumeAfter !== undefined) this.builder.resumeAfter(opts.resumeAfter);
    const ws = client.capabilities().has.watchTrades;
    this.st = {
      exchange: client.id,
      symbol,
      venueSymbol: venueSymbol(client.id, symbol),
      timeframe,
      state: 'connecting',
      transport: ws ? 'websocket' : 'polling',
      since: this.now(),
      reconnects: 0,
      staleAfterMs: this.opts.staleAfterMs,
      candleMismatches: 0,
    };
  }

  status(): FeedStatus {
    return { ...this.st };
  }

  start(): void {
    const has = this.client.capabilities().has;
    this.loops.push(has.watchTrades ? this.tradesLoop() : this.pollLoop());
    if (has.watchOHLCV) this.loops.push(this.candlesLoop());
    if (has.watchOrderBook) this.loops.push(this.bookLoop());
    if (has.watchTicker || has.fetchTicker) this.loops.push(this.tickerLoop(has.watchTicker));
    this.timer = setInterval(() => this.tick(), 250);
    this.timer.unref?.();
  }

  /**
   * Stops the feed: its subscriptions are withdrawn (the client may carry other feeds' and
   * is not closed here), and its loops end as their pending watches are released.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.setState('stopped');
    const ex = this.client.ex as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
    const has = this.client.ex.has as Record<string, unknown>;
    const undo: [string, unknown[]][] = [
      ['unWatchTrades', [this.symbol]],
      ['unWatchOHLCV', [this.symbol, this.timeframe]],
      ['unWatchOrderBook', [this.symbol]],
      ['unWatchTicker', [this.symbol]],
    ];
    await Promise.allSettled(undo.filter(([m]) => has[m] && ex[m]).map(([m, args]) => ex[m]!(...args)));
    // An exchange without unsubscribing leaves the loops waiting on a socket that may never speak: they are not awaited then.
    await Promise.race([Promise.allSettled(this.loops), sleep(2_000)]);
  }

  // ---------- state ----------

  private setState(state: FeedState, message?: string): void {
    if (this.st.state === state && this.st.message === message) return;
    if (this.st.state === 'stopped') return;
    this.st.state = state;
    this.st.since = this.now();
    this.st.message = message;
    this.onStatus.emit(this.status());
  }

  private venueNow(): number | undefined {
    return this.st.lastTradeAt === undefined ? undefined : this.st.lastTradeAt + (this.now() - this.lastTradeReceivedAt);
  }

  /** Staleness, and bars closing on time when no trade of the next bar comes. */
  private tick(): void {
    if (this.stopped) return;
    const last = this.st.lastMessageAt;
    if (last !== undefined && this.now() - last > this.opts.staleAfterMs && (this.st.state === 'live' || this.st.state === 'polling')) {
      // Nothing for a while: whatever comes next is repaired from REST first.
      this.needResync = true;
      this.setState('stale', `no data for ${Math.round((this.now() - last) / 1000)} s`);
    }
    const venueNow = this.venueNow();
    if (venueNow !== undefined && !this.needResync) this.emit(this.builder.closeBefore(venueNow - this.opts.closeGraceMs));
  }

  private gotMessage(): void {
    this.st.lastMessageAt = this.now();
  }

  private backoffMs(attempt: number): number {
    const b = this.opts.backoff ?? { baseMs: 250, maxMs: 10_000 };
    const step = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(attempt, 16));
    return step * (0.5 + Math.random() / 2);
  }

  // ---------- trades ----------

  private async tradesLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const got = (await this.client.ex.watchTrades(this.symbol)).map(toLive);
        this.gotMessage();
        if (this.needResync) await this.resync(got);
        else this.applyTrades(got);
        attempt = 0;
        this.setState('live');
      } catch (e) {
        if (this.stopped) return;
        const f = classify(e);
        this.needResync = true;
        if (f.retryable || f.kind === 'ExchangeClosedByUser') {
          this.st.reconnects++;
          this.setState('reconnecting', `${f.says}; reconnecting`);
          this.opts.log?.('warn', `${this.st.venueSymbol} stream dropped (${f.kind}); reconnecting`);
        } else {
          this.setState('failed', `${f.says}: ${e instanceof Error ? e.message : String(e)}`);
        }
        await sleep(this.backoffMs(attempt++)).catch(() => undefined);
      }
    }
  }

  /** No websocket: the trades since the last one, every second. */
  private async pollLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        if (this.needResync) await this.resync([]);
        else {
          const since = this.st.lastTradeAt;
          const got = (await this.client.read(`poll trades ${this.symbol}`, (ex) => ex.fetchTrades(this.symbol, since, PAGE))).map(toLive);
          this.gotMessage();
          this.applyTrades(got);
        }
        attempt = 0;
        this.setState('polling');
        await sleep(1000);
      } catch (e) {
        if (this.stopped) return;
        this.needResync = true;
        this.setState('reconnecting', classify(e).says);
        await sleep(this.backoffMs(attempt++)).catch(() => undefined);
      }
    }
  }

  private applyTrades(trades: LiveTrade[]): void {
    if (trades.length === 0) return;
    const last = trades[trades.length - 1]!;
    this.st.lastTradeAt = last.ts;
    this.st.lastPrice = last.price;
    this.lastTradeReceivedAt = this.now();
    this.emit(this.builder.apply(trades));
  }

  /**
   * Repairs the candle stream from REST before the socket's trades are applied: the candles
   * closed since the last one published (exact, from the exchange), then the trades of the bar
   * forming now, merged with `buffered` (what the socket has just delivered) by trade id.
   */
  private async resync(buffered: LiveTrade[]): Promise<void> {
    const tf = this.timeframe;
    try {
      const lastClosed = this.builder.lastClosedTs;
      let formingTs: number;
      if (lastClosed === undefined) {
        // A fresh start: nothing to backfill; the bar forming now is completed from its trades.
        const k = await this.client.read(`candles ${this.symbol} ${tf}`, (ex) => ex.fetchOHLCV(this.symbol, tf, undefined, 2));
        formingTs = k.length > 0 ? Number(k[k.length - 1]![0]) : bucketStart(buffered[0]?.ts ?? this.now(), this.barMs);
      } else {
        formingTs = lastClosed + this.barMs;
        for (let page = 0; ; page++) {
          const k = await this.client.read(`candles ${this.symbol} ${tf} since ${new Date(formingTs).toISOString()}`, (ex) => ex.fetchOHLCV(this.symbol, tf, formingTs, PAGE));
          // The last candle may still be forming; the ones before it are closed. Only those the listeners have not had go out.
          const closed = k.slice(0, -1).filter((c) => Number(c[0]) >= formingTs);
          for (const c of closed) this.publishClosed({ ts: Number(c[0]), open: Number(c[1]), high: Number(c[2]), low: Number(c[3]), close: Number(c[4]), volume: Number(c[5]) }, undefined);
          if (k.length > 0) formingTs = Math.max(formingTs, Number(k[k.length - 1]![0]));
          if (k.length < PAGE || page > 50) break;
        }
      }
      // The forming bar from its trades: REST from its start until it meets what the socket delivered.
      const rest: LiveTrade[] = [];
      const firstLive = buffered[0]?.ts ?? Number.POSITIVE_INFINITY;
      let since = formingTs;
      for (let page = 0; page < MAX_TRADE_PAGES; page++) {
        const got = (await this.client.read(`trades ${this.symbol} since ${new Date(since).toISOString()}`, (ex) => ex.fetchTrades(this.symbol, since, PAGE))).map(toLive);
        rest.push(...got.filter((t) => t.ts >= formingTs));
        const last = got[got.length - 1];
        if (got.length < PAGE || !last || last.ts >= firstLive || last.ts <= since) break;
        since = last.ts;
      }
      this.builder.restart(formingTs - this.barMs);
      this.needResync = false;
      this.applyTrades([...rest, ...buffered]);
    } catch (e) {
      // No snapshot: go on from the socket, and tell listeners the next bar follows a hole.
      this.opts.log?.('warn', `${this.st.venueSymbol} could not be repaired from REST (${e instanceof Error ? e.message : String(e)}); the next bar is marked as following a gap`);
      this.pendingGap = true;
      this.needResync = false;
      // The bar the socket joined in the middle of would be short of its first trades: it is skipped, and the first bar out is a whole one.
      const joined = buffered[0] ? bucketStart(buffered[0].ts, this.barMs) : undefined;
      this.builder.restart(joined);
      this.applyTrades(buffered);
    }
  }

  private emit(events: CandleEvent[]): void {
    for (const e of events) {
      if (e.kind === 'closed') this.publishClosed(e.bar, this.st.lastTradeAt);
      else this.onCandle.emit({ bar: e.bar, closed: false, gapBefore: false, lastTradeAt: this.st.lastTradeAt });
    }
  }

  private publishClosed(bar: Bar, lastTradeAt: number | undefined): void {
    const gapBefore = this.pendingGap;
    this.pendingGap = false;
    this.ours.set(bar.ts, bar);
    if (this.ours.size > 20) this.ours.delete(this.ours.keys().next().value!);
    if (this.builder.lastClosedTs === undefined || bar.ts > this.builder.lastClosedTs) this.builder.resumeAfter(bar.ts);
    this.onCandle.emit({ bar, closed: true, gapBefore, lastTradeAt });
    this.compare(bar.ts);
  }

  // ---------- the exchange's candles, to check ours ----------

  private async candlesLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const got = await this.client.ex.watchOHLCV(this.symbol, this.timeframe);
        attempt = 0;
        for (const c of got) this.theirs.set(Number(c[0]), c.map(Number));
        const newest = Math.max(...this.theirs.keys());
        for (const ts of [...this.theirs.keys()].sort((a, b) => a - b)) {
          if (ts < newest) this.compare(ts);
          if (this.theirs.size > 20) this.theirs.delete(ts);
        }
        // The exchange opened a newer candle: ours for the bar before it is over.
        if (!this.needResync && Number.isFinite(newest)) this.emit(this.builder.closeBefore(newest));
      } catch {
        if (this.stopped) return;
        await sleep(this.backoffMs(attempt++)).catch(() => undefined);
      }
    }
  }

  /** Compares our closed candle of `ts` with the exchange's, once both are final; a difference is logged. */
  private compare(ts: number): void {
    const ours = this.ours.get(ts);
    const theirs = this.theirs.get(ts);
    if (!ours || !theirs) return;
    if (!Array.from(this.theirs.keys()).some((t) => t > ts)) return;
    this.ours.delete(ts);
    const [, o, h, l, c, v] = theirs as [number, number, number, number, number, number];
    const same = ours.open === o && ours.high === h && ours.low === l && ours.close === c && Math.abs(ours.volume - v) <= 1e-9 * Math.max(1, v);
    if (same) return;
    this.st.candleMismatches++;
    this.opts.log?.(
      'warn',
      `${this.st.venueSymbol} ${this.timeframe} candle ${new Date(ts).toISOString()} differs from ${this.st.exchange}'s: ours O ${ours.open} H ${ours.high} L ${ours.low} C ${ours.close} V ${ours.volume}, theirs O ${o} H ${h} L ${l} C ${c} V ${v}`,
    );
    this.onStatus.emit(this.status());
  }

  // ---------- the ticker ----------

  /** Best bid, ask and the day's change for the status line: watchTicker, else fetchTicker every 5 s. */
  private async tickerLoop(ws: boolean): Promise<void> {
    let attempt = 0;
    let lastSent = 0;
    while (!this.stopped) {
      try {
        const t = ws ? await this.client.ex.watchTicker(this.symbol) : await this.client.read(`ticker ${this.symbol}`, (ex) => ex.fetchTicker(this.symbol));
        attempt = 0;
        this.st.bid = t.bid ?? undefined;
        this.st.ask = t.ask ?? undefined;
        this.st.change24hPct = t.percentage ?? undefined;
        if (this.now() - lastSent >= 1000) {
          lastSent = this.now();
          this.onStatus.emit(this.status());
        }
        if (!ws) await sleep(5000);
      } catch {
        if (this.stopped) return;
        await sleep(this.backoffMs(attempt++)).catch(() => undefined);
      }
    }
  }

  // ---------- the book ----------

  private async bookLoop(): Promise<void> {
    let attempt = 0;
    let lastSent = 0;
    while (!this.stopped) {
      try {
        const book = await (this.client.ex as Exchange).watchOrderBook(this.symbol);
        attempt = 0;
        const now = this.now();
        if (now - lastSent < 100) continue;
        lastSent = now;
        const n = this.opts.bookDepth;
        this.onBook.emit({
          symbol: this.st.venueSymbol,
          ts: Number(book.timestamp ?? now),
          bids: book.bids.slice(0, n).map((l) => [Number(l[0]), Number(l[1])] as [number, number]),
          asks: book.asks.slice(0, n).map((l) => [Number(l[0]), Number(l[1])] as [number, number]),
        });
      } catch {
        if (this.stopped) return;
        await sleep(this.backoffMs(attempt++)).catch(() => undefined);
      }
    }
  }
}
