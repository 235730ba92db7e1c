import type { AuditRecord, LatchedRiskState, RiskPersistence } from './persistence';

export type LatchListener = (prev: Readonly<LatchedRiskState>, next: Readonly<LatchedRiskState>) => void;

/**
 * The kill switch and trading state as one persisted row with an in-memory copy, so check()
 * reads memory only. Every change is read-modify-write inside one transaction together with
 * its audit row, because another process (`keel kill`) may have changed the row meanwhile.
 * Whenever a read shows such an outside change, listeners hear of it before anything else
 * happens, so an outside engage is never adopted silently (its cancels must run).
 */
export class RiskLatch {
  private cached: LatchedRiskState;
  private readonly listeners: LatchListener[] = [];

  constructor(private readonly persistence: RiskPersistence) {
    this.cached = persistence.loadState();
  }

  get current(): Readonly<LatchedRiskState> {
    return this.cached;
  }

  onOutsideChange(listener: LatchListener): void {
    this.listeners.push(listener);
  }

  private adopt(loaded: LatchedRiskState): void {
    const prev = this.cached;
    this.cached = loaded;
    if (prev.killEngaged !== loaded.killEngaged || prev.killFlatten !== loaded.killFlatten || prev.tradingState !== loaded.tradingState) {
      for (const l of this.listeners) l(prev, loaded);
    }
  }

  /**
   * Applies `change` to the stored row. `change` returns the audit action and actor, or
   * undefined to leave everything as it was (no write, no audit).
   */
  update(ts: number, change: (s: LatchedRiskState) => { actor: string; action: string } | undefined): boolean {
    const loaded = this.persistence.loadState();
    this.adopt(loaded);
    let changed = false;
    this.persistence.atomically(() => {
      const s = this.persistence.loadState();
      const before = { ...s };
      const who = change(s);
      if (!who) return;
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
      this.adopt(s);
    });
  }

  /** Re-reads the row: picks up a latch set or reset by another process. */
  refresh(): Readonly<LatchedRiskState> {
    this.adopt(this.persistence.loadState());
    return this.cached;
  }
}
