import type { LogEntry } from '../../protocol/index';
import { redact as redactHeld } from '../secrets/redact';

// The separator allows quotes escaped once (a JSON text inside a message: \"secret\":\"...\").
const SECRETISH = /\b(token|secret|api[-_]?key|password|passphrase)(\\?["']?\s*[=:]\s*\\?["']?)[^\s"'&,}\\]+/gi;

/**
 * Masks every credential this process has held (secrets/redact.ts), and anything that looks
 * like `secret=value`, so a careless message cannot leak one.
 */
export function scrub(message: string): string {
  return redactHeld(message).replace(SECRETISH, '$1$2***');
}

/**
 * What goes further for text that leaves the machine (Export diagnostics): besides `scrub`'s
 * secrets, the values of anything named like an account or user id, a signature or a listen
 * key (`accountId=`, `"uid": 123`, `X-MBX-APIKEY: ...`), every long opaque run of letters and
 * digits that could be a key, secret or token without a name in front of it (32+ characters
 * mixing the two, or 32+ hex digits), the `known` values (the serve token), and the user's home
 * folder (it names the user). Loses some hashes and ids that were harmless; a support log can
 * do without them, a leaked key cannot be taken back.
 */
const IDISH = /\b(account[-_ ]?id|accountid|account|acct|uid|user[-_ ]?id|sub[-_]?account|listen[-_]?key|signature|x-mbx-apikey|key)(\\?["']?\s*[=:]\s*\\?["']?)(?!\[removed\])[^\s"'&,}\]\\]+/gi;
/** `account 778899001`, `uid 42`: an id after its name with only a space between, when it has a digit in it. */
const ID_AFTER_NAME = /\b(account|acct|uid|sub[-_]?account)(\s+)(?!\[removed\])(?=[^\s"',}]*\d)[^\s"',}\\]+/gi;
const OPAQUE = /(?<![A-Za-z0-9])(?=[A-Za-z0-9+/_=-]{32,})(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[A-Za-z])[A-Za-z0-9+/_=-]{32,}/g;
export const REMOVED = '[removed]';

export function redact(text: string, known: readonly string[] = [], homeDir?: string): string {
  let out = text;
  for (const k of known) if (k.length >= 8) out = out.split(k).join(REMOVED);
  // The home folder first: a long one (a temp folder with random letters and digits) would
  // otherwise read as an opaque token and take the path after it with it.
  if (homeDir && homeDir.length > 1) out = out.split(homeDir).join('~');
  out = out.replace(SECRETISH, `$1$2${REMOVED}`).replace(IDISH, `$1$2${REMOVED}`).replace(ID_AFTER_NAME, `$1$2${REMOVED}`).replace(OPAQUE, REMOVED);
  return out;
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
 * Repeated warnings of one kind as one line and then one summary per window: the first
 * occurrence of a key after a quiet window goes out at once, the rest are counted and
 * "N ... in the last minute" goes out when the window (a minute by default) ends; windows go
 * on while the repeats do. A client that repeats a refused request thousands of times a
 * minute therefore writes a line a minute, not thousands that push the useful ones out.
 */
export class RepeatLimiter {
  private readonly open = new Map<string, Window>();

  constructor(
    private readonly emit: (message: string) => void,
    private readonly windowMs = 60_000,
  ) {}

  /** `summary` gets the number of occurrences in the window, the one logged at once included. */
  note(key: string, first: string, summary: (total: number, window: string) => string): void {
    if (!this.open.has(key) && this.open.size >= MAX_OPEN_KEYS) key = '*';
    const w = this.open.get(key);
    if (w) {
      w.total++;
      w.summary = summary;
      return;
    }
    this.emit(first);
    this.open.set(key, { total: 1, logged: 1, summary, timer: this.timer(key) });
  }

  private timer(key: string): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => this.roll(key), this.windowMs);
    t.unref?.();
    return t;
  }

  /** A window ended: sum it up, and keep counting while the repeats go on. */
  private roll(key: string): void {
    const w = this.open.get(key);
    if (!w) return;
    if (w.total > w.logged) this.emit(w.summary(w.total, windowText(this.windowMs)));
    if (w.total === 0) {
      this.open.delete(key);
      return;
    }
    w.total = 0;
    w.logged = 0;
    w.timer = this.timer(key);
  }

  /** Ends a key's window now (its connection closed), with its summary if anything was only counted. */
  end(key: string): void {
    const w = this.open.get(key);
    if (!w) return;
    this.open.delete(key);
    clearTimeout(w.timer);
    if (w.total > w.logged) this.emit(w.summary(w.total, windowText(this.windowMs)));
  }

  close(): void {
    for (const key of [...this.open.keys()]) this.end(key);
  }
}

interface Window {
  /** Occurrences in this window. */
  total: number;
  /** Of which were logged one by one (the first after a quiet window). */
  logged: number;
  summary: (total: number, window: string) => string;
  timer: ReturnType<typeof setTimeout>;
}
