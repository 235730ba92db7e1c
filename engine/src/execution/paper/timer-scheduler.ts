import type { Clock } from '../../core/clock';
import type { Scheduler } from '../../core/scheduler';

/** Real timers for live paper trading: a task due at `ts` on the clock fires after `ts - now` ms. */
export class TimerScheduler implements Scheduler {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  at(ts: number, task: () => void): void {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      task();
    }, Math.max(0, ts - this.clock.now()));
    this.timers.add(handle);
  }

  /** Cancels every pending task: the session is closing. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
