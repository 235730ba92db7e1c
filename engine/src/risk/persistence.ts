import type { TradingState } from '../model/risk-state';

/** The latch and trading state as kept across restarts. */
export interface LatchedRiskState {
  killEngaged: boolean;
  killSince: number | undefined;
  killReason: string | undefined;
  /** A flatten asked for with the latch (e.g. by `keel kill --flatten`) that the engine carries out when it picks the latch up. */
  killFlatten: boolean;
  tradingState: TradingState;
  tradingReason: string | undefined;
  tradingSince: number | undefined;
  peakEquity: number | undefined;
}

export interface AuditRecord {
  ts: number;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
}

/**
 * Where the risk engine keeps what must outlive it. SQLite in paper and live
 * (state/risk-persistence.ts); memory in backtests, where no database is wanted but every
 * denial and state change is still audited, to the in-memory trail.
 */
export interface RiskPersistence {
  loadLimits(): unknown;
  saveLimits(limits: unknown, ts: number): void;
  loadState(): LatchedRiskState;
  saveState(s: LatchedRiskState, ts: number): void;
  dayStartEquity(dayKey: string): number | undefined;
  setDayStartEquity(dayKey: string, equity: number, ts: number): void;
  audit(record: AuditRecord): void;
  /** Runs fn so that its writes land together or not at all. */
  atomically<T>(fn: () => T): T;
}

export const INITIAL_RISK_STATE: Readonly<LatchedRiskState> = Object.freeze({
  killEngaged: false,
  killSince: undefined,
  killReason: undefined,
  killFlatten: false,
  tradingState: 'ACTIVE',
  tradingReason: undefined,
  tradingSince: undefined,
  peakEquity: undefined,
});

/**
 * For backtests. The audit trail keeps the newest `maxAuditRows` rows (a strategy that
 * spams denied orders must not grow memory without bound) and counts the rest in `auditDropped`.
 */
export class MemoryRiskPersistence implements RiskPersistence {
  auditTrail: AuditRecord[] = [];
  auditDropped = 0;
  private limits: unknown = undefined;
  private state: LatchedRiskState = { ...INITIAL_RISK_STATE };
  private readonly days = new Map<string, number>();

  constructor(private readonly maxAuditRows = 100_000) {}

  loadLimits(): unknown {
    return this.limits;
  }
  saveLimits(limits: unknown): void {
    this.limits = structuredClone(limits);
  }
  loadState(): LatchedRiskState {
    return { ...this.state };
  }
  saveState(s: LatchedRiskState): void {
    this.state = { ...s };
  }
  dayStartEquity(dayKey: string): number | undefined {
    return this.days.get(dayKey);
  }
  setDayStartEquity(dayKey: string, equity: number): void {
    if (!this.days.has(dayKey)) this.days.set(dayKey, equity);
  }
  audit(record: AuditRecord): void {
    this.auditTrail.push(record);
    if (this.auditTrail.length > this.maxAuditRows * 1.5) {
      const drop = this.auditTrail.length - this.maxAuditRows;
      this.auditTrail = this.auditTrail.slice(drop);
      this.auditDropped += drop;
    }
  }
  atomically<T>(fn: () => T): T {
    return fn();
  }
}
