import type { BarsPayload } from '../../../engine/protocol';

/**
 * Bars the chart asks for at a time. The chart library builds several objects per bar on
 * every load (a time point, a row, a view item), so handing it a whole long history (a
 * year of 1-minute bars is 525k) would freeze the page; a page of 20k paints in a frame or
 * two, and older pages come in as the view scrolls back to the first loaded bar.
 */
export const HISTORY_PAGE = 20_000;

/** How close (in bars) the view may come to the first bar shown before the page before it is shown (or asked for). */
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

/** Most bars the chart library is given at once: two pages, far more than a view can show. */
export const SHOWN_MAX = 2 * HISTORY_PAGE;

/**
 * How close (in bars) the view may come to the last bar shown, when that is not the newest,
 * before the next newer page is shown. Larger than any view (at the library's minimum bar
 * spacing of half a pixel, a 4k screen shows under 8,000 bars), so the jump from the last
 * bar shown to the live tail is never in view.
 */
export const NEAR_END_BARS = HISTORY_PAGE / 2;

/** A view position: index `x` of the library's data (the tail's bars follow the shown ones). */
export type LogicalIndex = number;

/**
 * Which of the bars in hand the chart library is given: a window of at most SHOWN_MAX bars,
 * moved a page at a time as the view nears either of its ends. The library's per-bar cost
 * (a time point, a row and a view item each, on every load; a pass over all of them for
 * every new bar) is then paid for what can be looked at, not for everything in hand, however
 * far back the trader scrolls. Bars are indexed oldest first; the window opens on the newest.
 */
export class ShownWindow {
  private total = 0;
  private start = 0;
  private end = 0;

  /** `n` new bars are in hand: the newest page of them is shown. */
  reset(n: number): void {
    this.total = n;
    this.end = n;
    this.start = Math.max(0, n - HISTORY_PAGE);
  }

  /** Index of the first bar shown. */
  get from(): number {
    return this.start;
  }

  /** Index after the last bar shown. */
  get to(): number {
    return this.end;
  }

  /** Bars shown. */
  get shown(): number {
    return this.end - this.start;
  }

  /** Older bars are in hand but not shown. */
  get holdingBack(): boolean {
    return this.start > 0;
  }

  /** The newest bar in hand is shown (the live tail joins the shown bars). */
  get atNewest(): boolean {
    return this.end === this.total;
  }

  /** The page before the first bar shown is shown; the newest shown bars give way beyond SHOWN_MAX. False when none was held back. */
  showOlder(): boolean {
    if (this.start === 0) return false;
    this.start = Math.max(0, this.start - HISTORY_PAGE);
    this.end = Math.min(this.end, this.start + SHOWN_MAX);
    return true;
  }

  /** The page after the last bar shown is shown; the oldest shown bars give way beyond SHOWN_MAX. False at the newest. */
  showNewer(): boolean {
    if (this.end === this.total) return false;
    this.end = Math.min(this.total, this.end + HISTORY_PAGE);
    this.start = Math.max(this.start, this.end - SHOWN_MAX);
    return true;
  }

  /** Back to the newest page (the view jumped to the live end). False when already there. */
  showNewest(): boolean {
    if (this.end === this.total) return false;
    this.reset(this.total);
    return true;
  }

  /**
   * `k` older bars were put in front of those in hand (a page from the store). Shown when
   * the first bar in hand was shown (the view asked for them); otherwise they wait.
   */
  prepended(k: number): void {
    const wasFirst = this.start === 0;
    this.total += k;
    this.start += k;
    this.end += k;
    if (wasFirst && k > 0) {
      this.start = 0;
      this.end = Math.min(this.end, SHOWN_MAX);
    }
  }

  /**
   * Where the view's index `x` goes when the window moves from `before` (and `k` bars were
   * put in front meanwhile): a shown bar stays on the same bar; a position in the tail
   * (past the last shown bar) stays the same distance past it.
   */
  static follow(x: LogicalIndex, before: { from: number; shown: number }, after: ShownWindow, k = 0): LogicalIndex {
    if (x >= before.shown) return x - before.shown + after.shown;
    return before.from + k + x - after.from;
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
