/**
 * The simulator's clock: virtual time runs `speed` times as fast as the wall clock from a
 * chosen start, so an hour of one-minute candles can close in a minute of a test. At speed 1
 * with the default start it is the wall clock.
 */
export class SimClock {
  private readonly realStart: number;

  constructor(
    readonly virtualStart: number,
    readonly speed: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.realStart = realNow();
  }

  now(): number {
    return Math.floor(this.virtualStart + (this.realNow() - this.realStart) * this.speed);
  }

  /** Real ms until virtual time `t` (0 when it has passed). */
  realDelayUntil(t: number): number {
    return Math.max(0, (t - this.now()) / this.speed);
  }
}
