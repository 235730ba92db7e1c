import type { AuditRecord, LatchedRiskState, RiskPersistence } from './persistence';

/**
 * The kill switch and trading state as one persisted row with an in-memory copy, so check()
 * reads memory only. Every change is read-modify-write inside one transaction together with
 * its audit row: another process (`keel kill`) may have changed other fields meanwhile.
 */
export class RiskLatch {
  private cached: LatchedRiskState;

  constructor(private readonly persistence: RiskPersistence) {
    this.cached = persistence.loadState();
  }

  get current(): Readonly<LatchedRiskState> {
    return this.cached;
  }

  /**
   * Applies `change` to the stored row. `change` returns the audit action and actor, or
   * undefined to leave everything as it was (no write, no audit).
   */
  update(ts: number, change: (s: LatchedRiskState) => { actor: string; action: string } | undefined): boolean {
    let changed = false;
    this.persistence.atomically(() => {
      const s = this.persistence.loadState();
      const before = { ...s };
      const who = change(s);
      if (!who) {
        this.cached = s;
        return;
      }
      this.persistence.saveState(s, ts);
      const record: AuditRecord = { ts, actor: who.actor, action: who.action, before, after: { ...s } };
      this.persistence.audit(record);
      this.cached = s;
      changed = true;
    });
    return changed;
  }

  /** Records a new equity peak: state, not an event, so no audit row. */
  setPeak(peak: number, ts: number): void {
    this.persistence.atomically(() => {
      const s = this.persistence.loadState();
      s.peakEquity = peak;
      this.persistence.saveState(s, ts);
      this.cached = s;
    });
  }

  /** Re-reads the row: picks up a latch set or reset by another process. */
  refresh(): Readonly<LatchedRiskState> {
    this.cached = this.persistence.loadState();
    return this.cached;
  }
}
