import { KeelError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { BarFeed } from '../data/bar-feed';
import { downloadBars } from '../data/download';
import { writeBars } from '../data/download-store';
import { barSeriesId, type MarketStore } from '../data/market-store';
import type { ClientSpec, ExchangeClient } from '../exchange/client';
import { LiveFeed, type FeedStatus } from '../exchange/live-feed';
import { venueSymbol } from '../exchange/venue-symbol';
import type { Publish, StreamStatusDto } from '../../protocol/index';
import type { Logger } from './logs';

/** Recent history a stream brings into the store before it goes live, so its chart has context. */
const WARM_BARS = 500;

interface Stream {
  feed: LiveFeed;
  series: number;
}

/** The wire names a stream by the dataset's symbol (binance:BTC/USDT), not ccxt's. */
function dto(id: string, s: FeedStatus): StreamStatusDto {
  const { venueSymbol, ...status } = s;
  return { ...status, id, symbol: venueSymbol };
}

/**
 * Live streams for charts and strategies. A stream first brings the symbol's recent history
 * into the store (a download of the last 500 bars, resumable like any), then runs a LiveFeed
 * from the last stored bar. Its candles go to the charts on the 'bar' topic (forming and
 * closed), its closed candles to the store and to the engine's one closed-bar stream
 * (BarFeed, with `gapBefore` when bars before are missing), its state to 'stream' and its
 * book to 'book'.
 */
export class LiveStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly starting = new Map<string, Promise<StreamStatusDto>>();

  constructor(
    private readonly store: MarketStore,
    private readonly clientOf: (spec: ClientSpec) => Promise<ExchangeClient>,
    private readonly apiUrlOf: (exchange: string) => string | undefined,
    private readonly bars: BarFeed,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly onStored: () => Promise<void>,
  ) {}

  start(p: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }): Promise<StreamStatusDto> {
    const symbol = venueSymbol(p.exchange, p.symbol);
    const id = `${symbol}|${p.timeframe}`;
    const running = this.streams.get(id);
    if (running) return Promise.resolve(dto(id, running.feed.status()));
    const pending = this.starting.get(id);
    if (pending) return pending;
    const started = this.open(id, p).finally(() => this.starting.delete(id));
    this.starting.set(id, started);
    return started;
  }

  private async open(id: string, p: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }): Promise<StreamStatusDto> {
    const apiUrl = p.apiUrl ?? this.apiUrlOf(p.exchange);
    const barMs = timeframeMs(p.timeframe);
    const client = await this.clientOf({ exchange: p.exchange, apiUrl });
    let feed: LiveFeed | undefined;
    try {
      const caps = client.capabilities();
      if (!caps.has.watchTrades && !caps.has.fetchTrades) throw new KeelError('BAD_INPUT', `${client.id} offers neither a trade stream nor trade history`, { where: 'exchange' });
      // Recent history first: the chart opens with context, and the feed resumes from a stored bar.
      const warm = await downloadBars(client, this.store, { exchange: p.exchange, symbol: p.symbol, timeframe: p.timeframe, from: Date.now() - WARM_BARS * barMs, apiUrl });
      const venue = warm.symbol;
      const series = await this.store.transact((con) => barSeriesId(con, venue, p.timeframe));
      const latest = await this.store.bars(venue, p.timeframe, { last: 1 }).catch(() => undefined);
      const resumeAfter = latest && latest.length > 0 ? latest.ts[0]! : undefined;
      await this.onStored();
      feed = new LiveFeed(client, p.symbol, p.timeframe, { resumeAfter, log: (level, m) => (level === 'warn' ? this.log.warn(m) : this.log.info(m)) });
      const f = feed;
      f.onStatus.on((s) => this.publish('stream', dto(id, s)));
      f.onBook.on((b) => this.publish('book', b));
      f.onCandle.on((c) => {
        const bar = { symbol: venue, timeframe: p.timeframe, ...c.bar, closed: c.closed, ...(c.lastTradeAt !== undefined ? { lastTradeAt: c.lastTradeAt } : {}) };
        if (!c.closed) return this.publish('bar', bar);
        this.publish('bar', c.gapBefore ? { ...bar, gapBefore: true } : bar);
        this.bars.publish({ symbol: venue, timeframe: p.timeframe, bar: c.bar, source: 'live', gapBefore: c.gapBefore });
        void this.store.transact((con) => writeBars(con, series, [{ length: 1, ts: Float64Array.of(c.bar.ts), open: Float64Array.of(c.bar.open), high: Float64Array.of(c.bar.high), low: Float64Array.of(c.bar.low), close: Float64Array.of(c.bar.close), volume: Float64Array.of(c.bar.volume) }])).catch((e) =>
          this.log.error(`live bar of ${venue} ${p.timeframe} not stored: ${e instanceof Error ? e.message : String(e)}`),
        );
      });
      this.streams.set(id, { feed: f, series });
      f.start();
      this.log.info(`live stream ${id} started${apiUrl ? ` (API URL ${apiUrl})` : ''}`);
      const status = dto(id, f.status());
      this.publish('stream', status);
      return status;
    } catch (e) {
      if (feed) await feed.stop();
      throw e;
    }
  }

  private inUse: ((symbol: string, timeframe: string) => string[]) | undefined;

  /** Who still trades on a stream's candles (the live strategies): a trader's stop is refused while they run. */
  guardWith(inUse: (symbol: string, timeframe: string) => string[]): void {
    this.inUse = inUse;
  }

  async stop(id: string): Promise<boolean> {
    const s = this.streams.get(id);
    if (!s) return false;
    const { venueSymbol: symbol, timeframe } = s.feed.status();
    const users = this.inUse?.(symbol, timeframe) ?? [];
    if (users.length > 0) throw new KeelError('CONFLICT', `live stream ${id} feeds the live strategies ${users.join(', ')}: stop them first`, { where: 'stream' });
    return this.stopNow(id);
  }

  private async stopNow(id: string): Promise<boolean> {
    const s = this.streams.get(id);
    if (!s) return false;
    this.streams.delete(id);
    await s.feed.stop();
    this.publish('stream', dto(id, s.feed.status()));
    this.log.info(`live stream ${id} stopped`);
    return true;
  }

  list(): StreamStatusDto[] {
    return [...this.streams.entries()].map(([id, s]) => dto(id, s.feed.status()));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.streams.keys()].map((id) => this.stopNow(id)));
  }
}
