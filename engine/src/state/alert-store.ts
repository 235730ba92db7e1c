import type Database from 'better-sqlite3';
import type { AlertCondition, AlertLogEntry, AlertMode, AlertRule } from '../model/alert';
import type { StateDb } from './db';

type RuleRow = {
  id: string;
  condition: string;
  mode: AlertMode;
  enabled: number;
  note: string | null;
  created_at: number;
  last_fired_at: number | null;
  fired: number;
};

function toRule(r: RuleRow): AlertRule {
  const rule: AlertRule = { id: r.id, condition: JSON.parse(r.condition) as AlertCondition, mode: r.mode, enabled: r.enabled === 1, createdAt: r.created_at, fired: r.fired };
  if (r.note !== null) rule.note = r.note;
  if (r.last_fired_at !== null) rule.lastFiredAt = r.last_fired_at;
  return rule;
}

/** Alert rules and the log of alerts fired, in the state database. The log keeps its newest `keepLog` entries. */
export class AlertStore {
  private readonly selectRules: Database.Statement;
  private readonly selectRule: Database.Statement;
  private readonly upsertRule: Database.Statement;
  private readonly removeRule: Database.Statement;
  private readonly insertLog: Database.Statement;
  private readonly selectLog: Database.Statement;
  private readonly trimLog: Database.Statement;
  private readonly fireTx: (rule: AlertRule, entry: Omit<AlertLogEntry, 'id'>) => AlertLogEntry;

  constructor(db: StateDb, private readonly keepLog = 5_000) {
    this.selectRules = db.prepare('SELECT * FROM alert_rules ORDER BY created_at, id');
    this.selectRule = db.prepare('SELECT * FROM alert_rules WHERE id = ?');
    this.upsertRule = db.prepare(
      `INSERT INTO alert_rules (id, condition, mode, enabled, note, created_at, last_fired_at, fired)
       VALUES (@id, @condition, @mode, @enabled, @note, @createdAt, @lastFiredAt, @fired)
       ON CONFLICT (id) DO UPDATE SET condition = excluded.condition, mode = excluded.mode, enabled = excluded.enabled, note = excluded.note,
         last_fired_at = excluded.last_fired_at, fired = excluded.fired`,
    );
    this.removeRule = db.prepare('DELETE FROM alert_rules WHERE id = ?');
    this.insertLog = db.prepare('INSERT INTO alert_log (rule_id, ts, kind, title, message) VALUES (?, ?, ?, ?, ?)');
    this.selectLog = db.prepare('SELECT * FROM alert_log ORDER BY id DESC LIMIT ?');
    this.trimLog = db.prepare('DELETE FROM alert_log WHERE id <= (SELECT id FROM alert_log ORDER BY id DESC LIMIT 1 OFFSET ?)');
    // A rule's new state and its log entry are written together: a fired once-rule is never left enabled without its entry, or the reverse.
    const tx = db.transaction((rule: AlertRule, entry: Omit<AlertLogEntry, 'id'>) => {
      this.saveRule(rule);
      return this.appendRow(entry);
    });
    this.fireTx = (rule, entry) => tx.immediate(rule, entry);
  }

  rules(): AlertRule[] {
    return (this.selectRules.all() as RuleRow[]).map(toRule);
  }

  rule(id: string): AlertRule | undefined {
    const r = this.selectRule.get(id) as RuleRow | undefined;
    return r ? toRule(r) : undefined;
  }

  saveRule(r: AlertRule): void {
    this.upsertRule.run({
      id: r.id,
      condition: JSON.stringify(r.condition),
      mode: r.mode,
      enabled: r.enabled ? 1 : 0,
      note: r.note ?? null,
      createdAt: r.createdAt,
      lastFiredAt: r.lastFiredAt ?? null,
      fired: r.fired,
    });
  }

  deleteRule(id: string): boolean {
    return this.removeRule.run(id).changes > 0;
  }

  /** The rule as it is after firing, and the log entry of the firing, in one transaction. */
  fired(rule: AlertRule, entry: Omit<AlertLogEntry, 'id'>): AlertLogEntry {
    return this.fireTx(rule, entry);
  }

  /** An entry without a rule (an engine alert). */
  append(entry: Omit<AlertLogEntry, 'id'>): AlertLogEntry {
    return this.appendRow(entry);
  }

  private appendRow(entry: Omit<AlertLogEntry, 'id'>): AlertLogEntry {
    const id = Number(this.insertLog.run(entry.ruleId ?? null, entry.ts, entry.kind, entry.title, entry.message).lastInsertRowid);
    if (id % 100 === 0) this.trimLog.run(this.keepLog);
    return { ...entry, id };
  }

  /** Newest first. */
  log(limit: number): AlertLogEntry[] {
    return (this.selectLog.all(limit) as { id: number; rule_id: string | null; ts: number; kind: AlertLogEntry['kind']; title: string; message: string }[]).map((r) => {
      const e: AlertLogEntry = { id: r.id, ts: r.ts, kind: r.kind, title: r.title, message: r.message };
      if (r.rule_id !== null) e.ruleId = r.rule_id;
      return e;
    });
  }
}
