/**
 * The one source of "now" in the engine. Backtests drive a SimulatedClock bar by bar;
 * paper and live use the WallClock. Nothing in the order path calls Date.now() directly,
 * which is what lets the same code run in all three modes.
 */
export interface Clock {
  now(): number;
}

export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}

export class SimulatedClock implements Clock {
  // Declared with a number, never undefined: a field that has held undefined keeps its numbers
  // boxed, one allocation per set() (a backtest sets it every bar).
  private t = 0;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  /** Time only moves forward: a backtest that steps back is a bug in the feed. */
  set(t: number): void {
    if (t < this.t) throw new Error(`simulated clock cannot go back from ${this.t} to ${t}`);
    this.t = t;
  }
}
