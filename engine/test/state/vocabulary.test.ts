import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../../src/model/order';
import { TRADING_STATES } from '../../src/model/risk-state';
import { StateStore } from '../../src/state/store';
import { tempDbFile } from './helpers';

/** The values a column's `CHECK (col IN (...))` allows in the migrated schema of `table`. */
function allowed(db: Database.Database, table: string, column: string): string[] {
  const { sql } = db.prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?').get('table', table) as { sql: string };
  const m = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql);
  if (!m) throw new Error(`${table}.${column} has no CHECK list`);
  return m[1]!.split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
}

describe('the state database stores exactly the order vocabulary of the model', () => {
  it("its CHECK constraints list the model's sides, order types, times in force and trading states", () => {
    const file = tempDbFile();
    StateStore.open(file).close();
    const db = new Database(file, { readonly: true });
    try {
      // A value added to the model without a migration would be refused by SQLite at the first order of it.
      expect(allowed(db, 'orders', 'side')).toEqual([...SIDES]);
      expect(allowed(db, 'orders', 'type')).toEqual([...ORDER_TYPES]);
      expect(allowed(db, 'orders', 'tif')).toEqual([...TIMES_IN_FORCE]);
      expect(allowed(db, 'fills', 'side')).toEqual([...SIDES]);
      expect(allowed(db, 'risk_state', 'trading_state')).toEqual([...TRADING_STATES]);
    } finally {
      db.close();
    }
  });
});
