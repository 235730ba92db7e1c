import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { KeelError } from '../core/errors';
import { STATE_DB_FILE, ensurePrivateDir, keelHome, narrowToOwner } from '../core/paths';
import { migrate, MIGRATIONS, type Migration } from './migrations';

export type StateDb = Database.Database;

export const BUSY_TIMEOUT_MS = 5_000;

export function stateDbPath(env: Record<string, string | undefined>): string {
  return join(keelHome(env), STATE_DB_FILE);
}

/**
 * Reads the durability pragmas back and refuses to run when any did not take. Orders and
 * the kill-switch latch live here: a database that could lose a committed write on power
 * loss (no WAL, synchronous below FULL) or skip foreign keys is not one to trade on.
 */
export function verifyDurability(db: StateDb, where: string): void {
  const want: Array<[string, string | number, string]> = [
    ['journal_mode', 'wal', 'WAL journal (the file system may not support it, or the database is in memory)'],
    ['synchronous', 2, 'synchronous=FULL'],
    ['foreign_keys', 1, 'foreign_keys=ON'],
  ];
  for (const [pragma, expected, meaning] of want) {
    const got = db.pragma(pragma, { simple: true }) as string | number;
    const same = typeof expected === 'string' ? String(got).toLowerCase() === expected : Number(got) === expected;
    if (!same) {
      throw new KeelError('UNAVAILABLE', `state database refused ${meaning}: PRAGMA ${pragma} is ${String(got)}; refusing to run`, {
        where,
        details: { pragma, expected, got },
      });
    }
  }
  const busy = Number(db.pragma('busy_timeout', { simple: true }));
  if (!(busy >= 1_000)) {
    throw new KeelError('UNAVAILABLE', `state database busy_timeout is ${busy} ms, expected at least 1000; refusing to run`, { where });
  }
}

/** Opens (creating if needed) the state database, makes it durable, checks that, and migrates it. */
export function openStateDb(file: string, migrations: readonly Migration[] = MIGRATIONS): StateDb {
  if (file !== ':memory:') ensurePrivateDir(dirname(file));
  let db: StateDb;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw new KeelError('UNAVAILABLE', `cannot open state database: ${(e as Error).message}`, { where: file, cause: e });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    verifyDurability(db, file);
    // Orders, fills and the audit trail: the owner's only (the WAL and shm files exist once journal_mode is WAL).
    if (file !== ':memory:') narrowToOwner(file, `${file}-wal`, `${file}-shm`);
    migrate(db, migrations, file);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
