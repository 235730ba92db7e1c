/**
 * When to restart a crashed engine. Exponential backoff from `baseMs` doubling to `capMs`;
 * an engine that stayed up for `stableMs` earns a fresh start (the crash counter resets);
 * `maxCrashes` crashes inside `windowMs` means something is broken for good, so we stop
 * and tell the trader instead of looping. Pure: the caller passes the clock.
 */
export interface RestartPolicyOptions {
  baseMs: number;
  capMs: number;
  stableMs: number;
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  baseMs: 500,
  capMs: 30_000,
  stableMs: 60_000,
  maxCrashes: 5,
  windowMs: 5 * 60_000,
};

export type RestartDecision = { action: 'restart'; delayMs: number; attempt: number } | { action: 'give-up'; crashes: number; windowMs: number };

export class RestartPolicy {
  private attempt = 0;
  private crashTimes: number[] = [];

  constructor(private readonly o: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** The engine exited unexpectedly at `now` after running `uptimeMs`. */
  onCrash(now: number, uptimeMs: number): RestartDecision {
    if (uptimeMs >= this.o.stableMs) this.attempt = 0;
    this.crashTimes = this.crashTimes.filter((t) => now - t < this.o.windowMs);
    this.crashTimes.push(now);
    if (this.crashTimes.length >= this.o.maxCrashes) {
      return { action: 'give-up', crashes: this.crashTimes.length, windowMs: this.o.windowMs };
    }
    const delayMs = Math.min(this.o.capMs, this.o.baseMs * 2 ** this.attempt);
    this.attempt += 1;
    return { action: 'restart', delayMs, attempt: this.attempt };
  }

  /** A manual restart (menu, button) after giving up starts from scratch. */
  reset(): void {
    this.attempt = 0;
    this.crashTimes = [];
  }
}
