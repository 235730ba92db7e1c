import type { AuditRecord, LatchedRiskState, RiskPersistence } from '../risk/persistence';
import type { StateStore } from './store';

export const LIMITS_SETTING = 'risk.limits';

/** The risk engine's persistence on the state database: latch in risk_state, limits in settings, audit rows. */
export class SqliteRiskPersistence implements RiskPersistence {
  constructor(readonly store: StateStore) {}

  loadLimits(): unknown {
    return this.store.setting(LIMITS_SETTING);
  }
  saveLimits(limits: unknown, ts: number): void {
    this.store.setSetting(LIMITS_SETTING, limits, ts);
  }
  loadState(): LatchedRiskState {
    return this.store.riskState();
  }
  saveState(s: LatchedRiskState, ts: number): void {
    this.store.writeRiskState(s, ts);
  }
  dayStartEquity(dayKey: string): number | undefined {
    return this.store.dayStartEquity(dayKey);
  }
  setDayStartEquity(dayKey: string, equity: number, ts: number): void {
    this.store.setDayStartEquity(dayKey, equity, ts);
  }
  audit(record: AuditRecord): void {
    this.store.appendAudit(record);
  }
  atomically<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }
}
