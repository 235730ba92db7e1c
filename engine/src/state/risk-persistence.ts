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

/**
 * A live account's risk engine on the same database as the paper desk's: one kill switch and
 * one trading state for the whole engine (the latch row is shared, so either desk's kill stops
 * both), one set of limits; but the equity the breakers measure is the account's own, so its
 * peak and its day-start equity are kept under the account's name and never mixed with the
 * paper account's.
 */
export class AccountRiskPersistence implements RiskPersistence {
  private readonly shared: SqliteRiskPersistence;

  constructor(
    readonly store: StateStore,
    readonly account: string,
  ) {
    this.shared = new SqliteRiskPersistence(store);
  }

  private get peakKey(): string {
    return `risk.account.${this.account}.peakEquity`;
  }

  loadLimits(): unknown {
    return this.shared.loadLimits();
  }
  saveLimits(limits: unknown, ts: number): void {
    this.shared.saveLimits(limits, ts);
  }
  loadState(): LatchedRiskState {
    const peak = this.store.setting(this.peakKey);
    return { ...this.shared.loadState(), peakEquity: typeof peak === 'number' ? peak : undefined };
  }
  saveState(s: LatchedRiskState, ts: number): void {
    this.store.transaction(() => {
      this.shared.saveState({ ...s, peakEquity: this.shared.loadState().peakEquity }, ts);
      this.store.setSetting(this.peakKey, s.peakEquity ?? null, ts);
    });
  }
  dayStartEquity(dayKey: string): number | undefined {
    return this.shared.dayStartEquity(`${this.account}:${dayKey}`);
  }
  setDayStartEquity(dayKey: string, equity: number, ts: number): void {
    this.shared.setDayStartEquity(`${this.account}:${dayKey}`, equity, ts);
  }
  audit(record: AuditRecord): void {
    this.shared.audit(record);
  }
  atomically<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }
}
