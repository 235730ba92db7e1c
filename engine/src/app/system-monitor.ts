import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { SystemStatus } from '../../protocol/index';

/** Uptime, event-loop lag and memory: what the status bar shows and what tells us the engine is struggling. */
export class SystemMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly startedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
  }

  /** Lag is the p99 of the event-loop delay since the previous call, in ms. */
  status(state: SystemStatus['state']): SystemStatus {
    const lagNs = this.histogram.count > 0 ? this.histogram.percentile(99) : 0;
    this.histogram.reset();
    const mem = process.memoryUsage();
    return {
      state,
      uptimeMs: this.now() - this.startedAt,
      // The histogram includes the sampling resolution itself; what is over it is lag.
      eventLoopLagMs: Math.max(0, lagNs / 1e6 - 20),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    };
  }

  close(): void {
    this.histogram.disable();
  }
}
