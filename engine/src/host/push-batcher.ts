import { COALESCED_TOPICS, PUSH_INTERVAL_BY_TOPIC, PUSH_INTERVAL_MS, type TopicName, type Topics } from '../../protocol/index';

/** The key under which only the latest item of a per-key coalesced topic survives a batch. */
function coalesceKey(topic: TopicName, item: unknown): string | undefined {
  const mode = COALESCED_TOPICS[topic];
  if (mode === 'latest') return '';
  if (mode !== 'perKey') return undefined;
  if (topic === 'bar') {
    const b = item as Topics['bar'];
    // Per bar (not per symbol): a closed bar's final state must not be lost to the next bar's first tick.
    return `${b.symbol}|${b.timeframe}|${b.ts}`;
  }
  if (topic === 'job') return (item as Topics['job']).jobId;
  if (topic === 'strategy') return (item as Topics['strategy']).id;
  if (topic === 'download') return (item as Topics['download']).downloadId;
  if (topic === 'stream') return (item as Topics['stream']).id;
  if (topic === 'book') return (item as Topics['book']).symbol;
  return undefined;
}

/**
 * Gathers pushed items per topic and hands them over in one batch per topic every
 * `intervalMs`, so a burst of thousands of updates costs the UI a handful of messages.
 * Topics where only the latest state matters (positions, account, risk, a bar, a job)
 * keep one item per key; event topics (orders, fills, logs) keep every item, in order.
 */
export class PushBatcher {
  private readonly pending = new Map<TopicName, Map<string, unknown> | unknown[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = 0;

  constructor(
    private readonly flushTo: (topic: TopicName, items: unknown[]) => void,
    private readonly intervalMs = PUSH_INTERVAL_MS,
  ) {}

  add<T extends TopicName>(topic: T, item: Topics[T]): void {
    const key = coalesceKey(topic, item);
    if (key === undefined) {
      let list = this.pending.get(topic) as unknown[] | undefined;
      if (!list) this.pending.set(topic, (list = []));
      list.push(item);
    } else {
      let map = this.pending.get(topic) as Map<string, unknown> | undefined;
      if (!map) this.pending.set(topic, (map = new Map()));
      map.set(key, item);
    }
    // A topic that must flush sooner (PUSH_INTERVAL_BY_TOPIC) brings the whole batch's flush forward.
    const wait = Math.min(this.intervalMs, PUSH_INTERVAL_BY_TOPIC[topic] ?? this.intervalMs);
    const due = Date.now() + wait;
    if (this.timer !== undefined && this.dueAt <= due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [topic, items] of batches) {
      this.flushTo(topic, Array.isArray(items) ? items : [...items.values()]);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
