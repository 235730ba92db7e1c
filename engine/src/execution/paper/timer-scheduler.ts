import type { Clock } from '../../core/clock';
import { checkTime, insertPending, type Pending, type Scheduler } from '../../core/scheduler';

/**
 * Real timers for live paper trading: a task due at `ts` on the clock runs once the clock
 * has reached `ts`.
 *
 * One timer, armed for the earliest task, over a queue sorted by (time, order given). Not a
 * setTimeout per task: two timers armed a few ms apart for the same due time can fire in
 * either order, and the paper venue's ordered channel relies on a cancel never overtaking
 * the submit it follows (a kill switch's cancel once did, and the order stayed working).
 */
export class TimerScheduler implements Scheduler {
  private readonly queue: Pending[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Infinity;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  at(ts: number, task: () => void): void {
    insertPending(this.queue, { ts: checkTime(ts), seq: this.seq++, task });
    this.arm();
  }

  /** Cancels every pending task: the session is closing. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.queue.length = 0;
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || (this.timer !== undefined && this.armedFor <= head.ts)) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = head.ts;
    this.timer = setTimeout(() => this.runDue(), Math.max(0, head.ts - this.clock.now()));
  }

  private runDue(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    try {
      const now = this.clock.now();
      while (this.queue.length > 0 && this.queue[0]!.ts <= now) this.queue.shift()!.task();
    } finally {
      // A task that throws must not strand the ones behind it.
      this.arm();
    }
  }
}
