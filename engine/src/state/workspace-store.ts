import type Database from 'better-sqlite3';
import type { Drawing } from '../model/drawing';
import type { StateDb } from './db';

/**
 * Drawings per symbol and the workspace's settings (layouts, watchlist, timeframes, trading
 * preferences) in the state database. Settings share the `settings` table with the desk's own
 * keys, under the `workspace.` prefix.
 */
export class WorkspaceStore {
  private readonly selectBySymbol: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly countBySymbol: Database.Statement;
  private readonly selectSetting: Database.Statement;
  private readonly upsertSetting: Database.Statement;

  constructor(private readonly db: StateDb) {
    // rowid breaks a tie: two drawings made in the same millisecond list in the order they were made, not by their random ids.
    this.selectBySymbol = db.prepare('SELECT data FROM drawings WHERE symbol = ? ORDER BY created_at, rowid');
    this.selectOne = db.prepare('SELECT data FROM drawings WHERE id = ?');
    this.upsert = db.prepare(
      `INSERT INTO drawings (id, symbol, kind, data, created_at, updated_at) VALUES (@id, @symbol, @kind, @data, @ts, @ts)
       ON CONFLICT (id) DO UPDATE SET symbol = excluded.symbol, kind = excluded.kind, data = excluded.data, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM drawings WHERE id = ?');
    this.countBySymbol = db.prepare('SELECT COUNT(*) AS n FROM drawings WHERE symbol = ?');
    this.selectSetting = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsertSetting = db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
  }

  drawings(symbol: string): Drawing[] {
    return (this.selectBySymbol.all(symbol) as { data: string }[]).map((r) => JSON.parse(r.data) as Drawing);
  }

  drawing(id: string): Drawing | undefined {
    const r = this.selectOne.get(id) as { data: string } | undefined;
    return r ? (JSON.parse(r.data) as Drawing) : undefined;
  }

  drawingCount(symbol: string): number {
    return (this.countBySymbol.get(symbol) as { n: number }).n;
  }

  saveDrawing(d: Drawing): void {
    this.upsert.run({ id: d.id, symbol: d.symbol, kind: d.kind, data: JSON.stringify(d), ts: d.updatedAt });
  }

  deleteDrawing(id: string): boolean {
    return this.remove.run(id).changes > 0;
  }

  setting(key: string): unknown {
    const r = this.selectSetting.get(`workspace.${key}`) as { value: string } | undefined;
    return r ? JSON.parse(r.value) : undefined;
  }

  setSetting(key: string, value: unknown, ts: number): void {
    this.upsertSetting.run(`workspace.${key}`, JSON.stringify(value), ts);
  }

  /** Runs `fn` in one IMMEDIATE transaction: the desk writes the same database from the same process. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
