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
    private readonly capacity = 2000,
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
