import { Emitter, type Disposable } from '../core/emitter';
import type { Bar } from '../model/bar';

/**
 * A bar that has closed, from wherever closed bars come: a market replay, a new import, or a
 * live candle built from an exchange's trades. The strategy host, the charts and the stores
 * listen here, so none of them cares which source a bar came from.
 */
export interface ClosedBar {
  /** The dataset's symbol, with its venue where it has one (`binance:BTC/USDT`). */
  symbol: string;
  timeframe: string;
  bar: Bar;
  source: 'replay' | 'import' | 'live';
  /**
   * Set when this bar does not follow the previous one a listener may have seen without a
   * hole: the feed was stale or reconnected and bars between are missing (and may arrive
   * later as a backfill). A strategy is told, never silently fed a gapped series.
   */
  gapBefore?: boolean;
}

/** The engine's one stream of closed bars. */
export class BarFeed {
  private readonly closed = new Emitter<ClosedBar>();

  onClosedBar(listener: (e: ClosedBar) => void): Disposable {
    return this.closed.on(listener);
  }

  publish(e: ClosedBar): void {
    this.closed.emit(e);
  }
}
