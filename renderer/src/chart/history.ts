import type { BarsPayload } from '../../../engine/protocol';

/**
 * Bars the chart asks for at a time. The chart library builds several objects per bar on
 * every load (a time point, a row, a view item), so handing it a whole long history (a
 * year of 1-minute bars is 525k) would freeze the page; a page of 20k paints in a frame or
 * two, and older pages come in as the view scrolls back to the first loaded bar.
 */
export const HISTORY_PAGE = 20_000;

/** How close (in bars) the view may come to the first loaded bar before the next older page is asked for. */
export const NEAR_START_BARS = 200;

/**
 * Which older page to ask for next. One request at a time; a page shorter than
 * HISTORY_PAGE was the oldest there is.
 */
export class HistoryPages {
  private first: number | undefined;
  private exhausted = true;
  private inFlight = false;

  /** The newest page arrived (a new symbol, timeframe or reload). */
  loaded(p: Pick<BarsPayload, 'ts'>): void {
    this.first = p.ts[0];
    this.exhausted = p.ts.length < HISTORY_PAGE;
    this.inFlight = false;
  }

  /** The `to` (exclusive, ms) of the older page to ask for now, or undefined when none is due. */
  next(): number | undefined {
    if (this.inFlight || this.exhausted || this.first === undefined) return undefined;
    this.inFlight = true;
    return this.first;
  }

  /** An older page arrived. */
  older(p: Pick<BarsPayload, 'ts'>): void {
    this.inFlight = false;
    if (p.ts.length < HISTORY_PAGE) this.exhausted = true;
    if (p.ts.length > 0 && (this.first === undefined || p.ts[0]! < this.first)) this.first = p.ts[0];
  }

  /** The request failed: the next scroll may try again. */
  failed(): void {
    this.inFlight = false;
  }
}

/**
 * Which of the bars in hand the chart library is given. The chart may be handed any length
 * of history (a page from the store, or a whole series from elsewhere); the library's
 * per-bar cost (a time point, a row and a view item each, on every load) is paid for the
 * newest HISTORY_PAGE, and a page more each time the view nears the first bar it was given.
 * Bars are indexed oldest first; what is shown always runs to the newest.
 */
export class ShownWindow {
  private total = 0;
  private start = 0;

  /** `n` new bars are in hand: the newest page of them is shown. */
  reset(n: number): void {
    this.total = n;
    this.start = Math.max(0, n - HISTORY_PAGE);
  }

  /** Index of the first bar shown. */
  get from(): number {
    return this.start;
  }

  /** Bars shown. */
  get shown(): number {
    return this.total - this.start;
  }

  /** Older bars are in hand but not shown yet. */
  get holdingBack(): boolean {
    return this.start > 0;
  }

  /** One more page of the held-back bars is shown; how many that added (0 when none were held back). */
  showOlder(): number {
    const from = Math.max(0, this.start - HISTORY_PAGE);
    const added = this.start - from;
    this.start = from;
    return added;
  }

  /**
   * `k` older bars were put in front of those in hand (a page from the store). They are
   * shown when nothing was held back; otherwise they wait behind the held-back ones.
   * Returns how many became shown.
   */
  prepended(k: number): number {
    this.total += k;
    if (this.start === 0) return k;
    this.start += k;
    return 0;
  }
}

/** `older`'s bars before the first of `p`, then `p`'s: one payload. */
export function prependPayload(older: BarsPayload, p: BarsPayload): BarsPayload {
  const first = p.ts[0] ?? Infinity;
  let k = older.ts.length;
  while (k > 0 && older.ts[k - 1]! >= first) k--;
  const join = (a: number[], b: number[]) => a.slice(0, k).concat(b);
  return { ...p, ts: join(older.ts, p.ts), open: join(older.open, p.open), high: join(older.high, p.high), low: join(older.low, p.low), close: join(older.close, p.close), volume: join(older.volume, p.volume) };
}
