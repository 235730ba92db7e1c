/** Where a live bar goes: nowhere (older than what is drawn), or to the tail series. */
export type TailStep = { kind: 'stale' } | { kind: 'tail'; takeLast: boolean };

/**
 * Splits the candles between a history series (what setBars loaded) and a tail series (live
 * bars from the forming one on). The library re-derives every row of a series on the frame
 * after any change to it, so a tick that touched the history cost O(bars loaded) per frame
 * (on 100k bars, every frame a long task); the tail holds a handful of bars.
 *
 * The first live bar for the history's last time takes that bar over (`takeLast`: the
 * history's copy is blanked once, so two candles never overlap); later ones go to the tail.
 */
export class LiveTail {
  private historyLast: number | undefined;
  private first: number | undefined;

  /** A new history was loaded: the tail is empty; `historyLast` is its last bar's time (ms). */
  reset(historyLast: number | undefined): void {
    this.historyLast = historyLast;
    this.first = undefined;
  }

  /** Time (ms) of the first bar in the tail; undefined while it is empty. */
  get start(): number | undefined {
    return this.first;
  }

  route(ts: number): TailStep {
    if (this.first !== undefined) return ts >= this.first ? { kind: 'tail', takeLast: false } : { kind: 'stale' };
    if (this.historyLast !== undefined && ts < this.historyLast) return { kind: 'stale' };
    this.first = ts;
    return { kind: 'tail', takeLast: ts === this.historyLast };
  }
}
