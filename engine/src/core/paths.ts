import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Keel keeps its databases: $KEEL_HOME if set, else the platform's per-user data
 * directory (the same place Electron's app.getPath('userData') points at for "Keel").
 */
export function keelHome(env: Record<string, string | undefined> = process.env): string {
  if (env.KEEL_HOME) return env.KEEL_HOME;
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Keel');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Keel');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'keel');
  }
}

export const MARKET_DB_FILE = 'market.duckdb';
export const STATE_DB_FILE = 'state.sqlite';
/** Where `keel serve` keeps its token, so a browser tab reconnects after a restart. */
export const SERVE_TOKEN_FILE = 'serve-token';

/** Subfolders of the home: rotating engine logs, exports written headless, files sent by the UI for import. */
export const LOGS_DIR = 'logs';
export const EXPORTS_DIR = 'exports';
export const UPLOADS_DIR = 'uploads';
/** Backups the engine writes when asked over the protocol (`keel backup` moves them to --out). */
export const BACKUPS_DIR = 'backups';
/** The port a running `keel serve` listens on, while it runs: how `keel backup` finds it. */
export const SERVE_PORT_FILE = 'serve-port';

/** Where crash records go: Electron's crash-dump folder when the app passes it (KEEL_CRASH_DIR), else <home>/crashes. */
export function crashDir(home: string, env: Record<string, string | undefined> = process.env): string {
  return env.KEEL_CRASH_DIR || join(home, CRASHES_DIR);
}
export const CRASHES_DIR = 'crashes';

/**
 * Creates `dir` (and its parents) if needed and makes it private to its owner (0700),
 * narrowing a wider mode an older Keel or the umask left: the home holds orders, fills, the
 * audit trail and the serve token, which other local users must not read. No-op on Windows,
 * where the per-user profile's ACL does this.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Narrows each of `files` that exists to 0600 (owner read/write). Missing files are skipped. */
export function narrowToOwner(...files: string[]): void {
  if (process.platform === 'win32') return;
  for (const f of files) {
    let mode: number;
    try {
      mode = statSync(f).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}
