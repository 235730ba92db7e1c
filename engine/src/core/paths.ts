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
