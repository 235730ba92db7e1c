import type { LogEntry } from '../../protocol/index';

const SECRETISH = /\b(token|secret|api[-_]?key|password|passphrase)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi;

/** Masks anything that looks like `secret=value` so a careless message cannot leak one. */
export function scrub(message: string): string {
  return message.replace(SECRETISH, '$1$2***');
}

/**
 * The engine's recent log lines in a fixed-size ring (system.logs reads it, the 'log'
 * topic streams it). Messages are scrubbed of secret-looking values on the way in.
 */
export class LogRing {
  private readonly buf: LogEntry[] = [];
  private start = 0;
  private readonly listeners = new Set<(e: LogEntry) => void>();

  constructor(
    readonly capacity = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  add(level: LogEntry['level'], source: string, message: string): LogEntry {
    const entry: LogEntry = { ts: this.now(), level, source, message: scrub(message) };
    if (this.buf.length < this.capacity) this.buf.push(entry);
    else {
      this.buf[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const fn of this.listeners) fn(entry);
    return entry;
  }

  /**
   * Fills the ring with entries written before this start (the log files), oldest first,
   * without telling listeners: they are history, not news, and already on disk.
   */
  seed(entries: LogEntry[]): void {
    for (const e of entries.slice(-this.capacity)) {
      if (this.buf.length < this.capacity) this.buf.push(e);
      else {
        this.buf[this.start] = e;
        this.start = (this.start + 1) % this.capacity;
      }
    }
  }

  /** The newest `limit` entries, oldest first. */
  recent(limit = 200): LogEntry[] {
    const ordered = [...this.buf.slice(this.start), ...this.buf.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  onEntry(fn: (e: LogEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  logger(source: string): Logger {
    return {
      debug: (m) => void this.add('debug', source, m),
      info: (m) => void this.add('info', source, m),
      warn: (m) => void this.add('warn', source, m),
      error: (m) => void this.add('error', source, m),
    };
  }
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** "minute", "2 minutes", "0.5 s": the span of a RepeatLimiter window as a summary says it. */
function windowText(ms: number): string {
  if (ms === 60_000) return 'minute';
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms / 1000} s`;
}

/** More keys than this in one window are counted under one key, so a stream of distinct keys cannot grow the map. */
const MAX_OPEN_KEYS = 100;

/**
 * Repeated warnings of one kind as one line at once and one summary per window: the first
 * occurrence of a key goes out immediately, the rest are counted until the window (a minute
 * by default) ends, when "N ... in the last minute" goes out. A client that repeats a refused
 * request thousands of times therefore writes two lines, not thousands that push the
 * useful ones out of the ring.
 */
export class RepeatLimiter {
  private readonly open = new Map<string, { total: number; summary: (total: number, window: string) => string; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly emit: (message: string) => void,
    private readonly windowMs = 60_000,
  ) {}

  /** `summary` gets the total of the window (the first occurrence included). */
  note(key: string, first: string, summary: (total: number, window: string) => string): void {
    if (!this.open.has(key) && this.open.size >= MAX_OPEN_KEYS) key = '*';
    const w = this.open.get(key);
    if (w) {
      w.total++;
      w.summary = summary;
      return;
    }
    this.emit(first);
    const timer = setTimeout(() => this.end(key), this.windowMs);
    timer.unref?.();
    this.open.set(key, { total: 1, summary, timer });
  }

  /** Ends a key's window now (a connection closed), emitting its summary if anything repeated. */
  end(key: string): void {
    const w = this.open.get(key);
    if (!w) return;
    this.open.delete(key);
    clearTimeout(w.timer);
    if (w.total > 1) this.emit(w.summary(w.total, windowText(this.windowMs)));
  }

  close(): void {
    for (const key of [...this.open.keys()]) this.end(key);
  }
}
