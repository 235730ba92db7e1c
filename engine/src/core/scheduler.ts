import type { SimulatedClock } from './clock';
import { badInput } from './errors';

/**
 * Runs tasks at a time on the engine clock. The paper venue answers through one of these so
 * that its latency is measured on the same clock as everything else: a SimulatedScheduler
 * in tests and replays (time moves only when the feed moves it), real timers live
 * (execution/paper/timer-scheduler.ts).
 */
export interface Scheduler {
  now(): number;
  /** Runs `task` at `ts` (or at once on the next advance if `ts` is already past). Tasks at equal times run in the order given. */
  at(ts: number, task: () => void): void;
}

export interface Pending {
  ts: number;
  seq: number;
  task: () => void;
}

export function checkTime(ts: number): number {
  if (!Number.isFinite(ts)) throw badInput(`task time must be finite, got ${ts}`, 'scheduler');
  return ts;
}

/** Inserts keeping the queue sorted by (ts, seq), so equal times run in the order given. */
export function insertPending(queue: Pending[], item: Pending): void {
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queue[mid]!.ts <= item.ts) lo = mid + 1;
    else hi = mid;
  }
  queue.splice(lo, 0, item);
}

/** A scheduler on a SimulatedClock: advanceTo(t) runs every due task in time order, setting the clock to each task's time. */
export class SimulatedScheduler implements Scheduler {
  private readonly queue: Pending[] = [];
  private seq = 0;

  constructor(readonly clock: SimulatedClock) {}

  now(): number {
    return this.clock.now();
  }

  at(ts: number, task: () => void): void {
    insertPending(this.queue, { ts: Math.max(checkTime(ts), this.clock.now()), seq: this.seq++, task });
  }

  /** Runs tasks due at or before `t` (including ones they schedule), then leaves the clock at `t`. */
  advanceTo(t: number): void {
    while (this.queue.length > 0 && this.queue[0]!.ts <= t) {
      const next = this.queue.shift()!;
      this.clock.set(next.ts);
      next.task();
    }
    this.clock.set(t);
  }

  /** Runs everything still queued, however far ahead: the end of a replay. */
  drain(): void {
    while (this.queue.length > 0) this.advanceTo(this.queue[0]!.ts);
  }
}
