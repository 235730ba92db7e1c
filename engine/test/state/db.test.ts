import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import { openStateDb, verifyDurability } from '../../src/state/db';
import { migrate, MIGRATIONS, schemaVersion, type Migration } from '../../src/state/migrations';
import { tempDbFile } from './helpers';

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index') ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('state database durability', () => {
  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout, read back from SQLite', () => {
    const db = openStateDb(tempDbFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('refuses a database where WAL does not take (in memory)', () => {
    expect(() => openStateDb(':memory:')).toThrow(/refused WAL journal.*journal_mode is memory; refusing to run/);
  });

  it('refuses each pragma that did not take, naming it', () => {
    const file = tempDbFile();
    openStateDb(file).close();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    expect(() => verifyDurability(db, file)).toThrow(/synchronous=FULL: PRAGMA synchronous is 1/);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = OFF');
    expect(() => verifyDurability(db, file)).toThrow(/foreign_keys=ON/);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 0');
    expect(() => verifyDurability(db, file)).toThrow(/busy_timeout is 0/);
    db.pragma('busy_timeout = 5000');
    expect(() => verifyDurability(db, file)).not.toThrow();
    db.close();
  });
});

describe('migrations', () => {
  it('migrating twice is a no-op and keeps the data', () => {
    const file = tempDbFile();
    const db = openStateDb(file);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 1)").run();
    const before = tables(db);
    expect(migrate(db, MIGRATIONS, file)).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(before);
    expect((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    db.close();
    const again = openStateDb(file);
    expect(again.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: '1' });
    expect(schemaVersion(again)).toBe(MIGRATIONS.length);
    again.close();
  });

  it('refuses a database newer than the code', () => {
    const file = tempDbFile();
    const db = openStateDb(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)").run(MIGRATIONS.length + 1);
    db.close();
    let err: unknown;
    try {
      openStateDb(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeelError);
    expect((err as KeelError).code).toBe('CONFLICT');
    expect((err as KeelError).message).toMatch(new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this Keel knows \\(${MIGRATIONS.length}\\)`));
  });

  it('applies each migration in its own transaction: a failing one leaves the earlier ones and nothing of itself', () => {
    const file = tempDbFile();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'half-broken', sql: 'CREATE TABLE extra (x INTEGER); INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => openStateDb(file, broken)).toThrow(new RegExp(`migration ${MIGRATIONS.length + 1} \\(half-broken\\) failed: no such table: no_such_table`));
    const db = openStateDb(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('extra');
    db.close();
  });
});

describe('append-only tables', () => {
  for (const table of ['journal', 'audit'] as const) {
    it(`${table}: UPDATE and DELETE are refused by trigger, INSERT works`, () => {
      const db = openStateDb(tempDbFile());
      const insert =
        table === 'journal'
          ? db.prepare("INSERT INTO journal (ts, kind, payload) VALUES (1, 'note', '{\"a\":1}')")
          : db.prepare("INSERT INTO audit (ts, actor, action, before, after) VALUES (1, 'me', 'x', NULL, '{}')");
      insert.run();
      insert.run();
      expect(() => db.prepare(`UPDATE ${table} SET ts = 2`).run()).toThrow(`${table} is append-only`);
      expect(() => db.prepare(`DELETE FROM ${table} WHERE id = 1`).run()).toThrow(`${table} is append-only`);
      expect(() => db.prepare(`DELETE FROM ${table}`).run()).toThrow(`${table} is append-only`);
      expect((db.prepare(`SELECT COUNT(*) AS n, MIN(ts) AS t FROM ${table}`).get() as { n: number; t: number })).toEqual({ n: 2, t: 1 });
      db.close();
    });
  }

  it('journal refuses a payload that is not JSON', () => {
    const db = openStateDb(tempDbFile());
    expect(() => db.prepare("INSERT INTO journal (ts, kind, payload) VALUES (1, 'x', 'not json')").run()).toThrow(/CHECK constraint/);
    db.close();
  });
});
