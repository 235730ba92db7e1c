import type { Clock } from '../core/clock';

/**
 * Engages the kill switch when something the trader relies on goes quiet: the UI heartbeat
 * (nobody is watching) or a market-data stream (prices are stale). A stream is timed from
 * when it is watched, so one that never starts trips too. Each silence trips once; a beat re-arms it.
 */
export class Watchdog {
  private readonly last = new Map<string, { ts: number; tripped: boolean }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly silenceMs: () => number,
    private readonly onSilent: (stream: string, silentMs: number) => void,
  ) {}

  watch(stream: string): void {
    this.last.set(stream, { ts: this.clock.now(), tripped: false });
  }

  unwatch(stream: string): void {
    this.last.delete(stream);
  }

  beat(stream: string): void {
    const s = this.last.get(stream);
    if (s) {
      s.ts = this.clock.now();
      s.tripped = false;
    }
  }

  /** Checks every stream now; returns those that tripped on this tick. */
  tick(): string[] {
    const now = this.clock.now();
    const limit = this.silenceMs();
    const tripped: string[] = [];
    for (const [stream, s] of this.last) {
      const silent = now - s.ts;
      if (!s.tripped && silent > limit) {
        s.tripped = true;
        tripped.push(stream);
        this.onSilent(stream, silent);
      }
    }
    return tripped;
  }

  /** Ticks on a wall-clock timer that does not keep the process alive. */
  start(intervalMs = 250): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
