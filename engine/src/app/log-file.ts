import { closeSync, existsSync, fstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from '../../protocol/index';
import { ensurePrivateDir, narrowToOwner } from '../core/paths';

/** The current file; rotated ones are engine.log.1 (newest) .. engine.log.N. */
export const LOG_FILE = 'engine.log';

export interface LogFileOptions {
  /** A file is rotated before it grows past this (5 MiB: ~25,000 lines, days of a busy engine). */
  maxBytes?: number;
  /** Rotated files kept beside the current one. */
  generations?: number;
}

const DEFAULTS: Required<LogFileOptions> = { maxBytes: 5 << 20, generations: 3 };
const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/**
 * The engine's log lines on disk under <home>/logs, one JSON object per line (so they read
 * back exactly), rotated by size: engine.log, then engine.log.1 .. .N, oldest dropped. Lines
 * arrive already scrubbed of secrets (LogRing scrubs on the way in). Writes are synchronous
 * appends to an open descriptor, so a line is in the file (the OS's cache) when add()
 * returns and a SIGKILL loses none; a write that fails (disk full) turns the file off and
 * reports why once, rather than failing the engine.
 */
export class LogFile {
  private fd: number | undefined;
  private size = 0;
  private readonly opts: Required<LogFileOptions>;

  private constructor(
    readonly dir: string,
    opts: LogFileOptions,
    private readonly onFailure: (message: string) => void,
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.openCurrent();
  }

  /** Opens <dir>/engine.log for appending (creating the folder 0700 and the file 0600). */
  static open(dir: string, onFailure: (message: string) => void, opts: LogFileOptions = {}): LogFile {
    ensurePrivateDir(dir);
    return new LogFile(dir, opts, onFailure);
  }

  private path(generation = 0): string {
    return join(this.dir, generation === 0 ? LOG_FILE : `${LOG_FILE}.${generation}`);
  }

  private openCurrent(): void {
    const file = this.path();
    this.fd = openSync(file, 'a', 0o600);
    narrowToOwner(file);
    this.size = fstatSync(this.fd).size;
  }

  write(entry: LogEntry): void {
    if (this.fd === undefined) return;
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      if (this.size > 0 && this.size + line.length > this.opts.maxBytes) this.rotate();
      writeSync(this.fd!, line);
      this.size += line.length;
    } catch (e) {
      this.close();
      this.onFailure(`log files turned off: ${(e as Error).message}`);
    }
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = undefined;
    for (let g = this.opts.generations - 1; g >= 1; g--) {
      if (existsSync(this.path(g))) renameSync(this.path(g), this.path(g + 1));
    }
    renameSync(this.path(), this.path(1));
    this.openCurrent();
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
  }
}

/**
 * The newest `limit` entries of the log files in `dir`, oldest first: what the previous runs
 * of the engine wrote, to seed the in-memory ring at start. Lines that are not a log entry
 * (a torn last line, a hand edit) are skipped.
 */
export function readLogTail(dir: string, limit: number, generations = DEFAULTS.generations): LogEntry[] {
  const out: LogEntry[] = [];
  for (let g = 0; g <= generations && out.length < limit; g++) {
    const file = join(dir, g === 0 ? LOG_FILE : `${LOG_FILE}.${g}`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    const newerFirst: LogEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && out.length + newerFirst.length < limit; i--) {
      const e = parseEntry(lines[i]!);
      if (e) newerFirst.push(e);
    }
    out.unshift(...newerFirst.reverse());
  }
  return out;
}

function parseEntry(line: string): LogEntry | undefined {
  if (line === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { ts, level, source, message } = v as Record<string, unknown>;
  if (typeof ts !== 'number' || typeof level !== 'string' || !LEVELS.has(level) || typeof source !== 'string' || typeof message !== 'string') return undefined;
  return { ts, level: level as LogEntry['level'], source, message };
}
