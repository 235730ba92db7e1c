import { bucketStart } from '../core/timeframe';
import type { Bar } from '../model/bar';

/** A trade as a live feed sees it: the venue's id (for deduplication), time, price and size. */
export interface LiveTrade {
  id: string;
  ts: number;
  price: number;
  amount: number;
}

export type CandleEvent = { kind: 'forming'; bar: Bar } | { kind: 'closed'; bar: Bar };

/**
 * Candles of one timeframe built from a trade stream, the way the store builds bars from
 * stored trades (first, highest, lowest and last price, summed size, per UTC bucket). A trade
 * already applied (same id: a replay after a reconnect, a duplicate message) is ignored, as is
 * a trade older than the bar being formed (its bar has closed and gone out). A bar closes
 * when a trade of a later bucket arrives, or when `closeBefore` is told the bucket is over.
 */
export class CandleBuilder {
  private forming: Bar | undefined;
  /** Ids applied to the forming bar and the one before it: enough to see a replayed overlap. */
  private seen = new Set<string>();
  private previousSeen = new Set<string>();
  /** The open time of the last bar closed (undefined before the first). */
  lastClosedTs: number | undefined;
  /** Trades ignored as repeats or as too late. */
  duplicates = 0;
  late = 0;

  constructor(readonly barMs: number) {}

  /** Starts after `ts` (the last bar already published elsewhere): trades of its bucket or earlier are late. */
  resumeAfter(ts: number | undefined): void {
    this.lastClosedTs = ts;
  }

  /**
   * Forgets the bar being formed and the ids seen, and starts after `ts`: for a resync that
   * rebuilds the forming bar from a snapshot (keeping the old partial bar would send it twice).
   */
  restart(ts: number | undefined): void {
    this.forming = undefined;
    this.seen = new Set();
    this.previousSeen = new Set();
    this.lastClosedTs = ts;
  }

  formingBar(): Bar | undefined {
    return this.forming && { ...this.forming };
  }

  /** Applies trades in the order given (the venue's order); returns the candle events they cause. */
  apply(trades: readonly LiveTrade[]): CandleEvent[] {
    const out: CandleEvent[] = [];
    let touched = false;
    for (const t of trades) {
      if (this.seen.has(t.id) || this.previousSeen.has(t.id)) {
        this.duplicates++;
        continue;
      }
      const b = bucketStart(t.ts, this.barMs);
      if ((this.lastClosedTs !== undefined && b <= this.lastClosedTs) || (this.forming && b < this.forming.ts)) {
        this.late++;
        continue;
      }
      if (this.forming && b > this.forming.ts) {
        if (touched) out.push({ kind: 'forming', bar: { ...this.forming } });
        out.push(this.close());
        touched = false;
      }
      this.seen.add(t.id);
      const f = this.forming;
      if (!f) this.forming = { ts: b, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.amount };
      else {
        if (t.price > f.high) f.high = t.price;
        if (t.price < f.low) f.low = t.price;
        f.close = t.price;
        f.volume += t.amount;
      }
      touched = true;
    }
    if (touched && this.forming) out.push({ kind: 'forming', bar: { ...this.forming } });
    return out;
  }

  /** Closes the forming bar if its bucket ends at or before `t` (the venue's clock). */
  closeBefore(t: number): CandleEvent[] {
    if (!this.forming || this.forming.ts + this.barMs > t) return [];
    return [this.close()];
  }

  private close(): CandleEvent {
    const bar = this.forming!;
    this.forming = undefined;
    this.lastClosedTs = bar.ts;
    this.previousSeen = this.seen;
    this.seen = new Set();
    return { kind: 'closed', bar };
  }
}
