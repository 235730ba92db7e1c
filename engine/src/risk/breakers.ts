import type { TradingState } from '../model/risk-state';
import type { RiskLimits } from './limits';
import type { LatchedRiskState, RiskPersistence } from './persistence';

const DAY_MS = 86_400_000;

/**
 * The trading day is the calendar date at UTC+offset: offset −300 (New York, winter) puts the
 * boundary at 05:00 UTC, offset +60 at 23:00 UTC the day before.
 */
export function dayNumber(ts: number, offsetMinutes: number): number {
  return Math.floor((ts + offsetMinutes * 60_000) / DAY_MS);
}

/** When the trading day containing `ts` began, in ms since the epoch. */
export function dayStart(ts: number, offsetMinutes: number): number {
  return dayNumber(ts, offsetMinutes) * DAY_MS - offsetMinutes * 60_000;
}

export function dayKey(ts: number, offsetMinutes: number): string {
  return new Date(dayNumber(ts, offsetMinutes) * DAY_MS).toISOString().slice(0, 10);
}

export type BreakerId = 'daily_loss' | 'max_drawdown' | 'new_day';

export interface BreakerTransition {
  to: TradingState;
  breaker: BreakerId;
  reason: string;
}

const RANK: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/**
 * Daily-loss and drawdown breakers. They only ever escalate (ACTIVE → REDUCING → HALTED).
 * One thing undoes a breaker by itself: a daily-loss REDUCING from an earlier trading day
 * returns to ACTIVE at the next day boundary. A drawdown, or any HALTED, waits for a person.
 */
export class CircuitBreakers {
  private day: number | undefined;
  private startEquity: number | undefined;
  private peak: number | undefined;

  constructor(
    private readonly persistence: RiskPersistence,
    initialPeak: number | undefined,
    private readonly savePeak: (peak: number, ts: number) => void,
  ) {
    this.peak = initialPeak;
  }

  /** Start-of-day equity is the first equity seen after the boundary; a restart mid-day reuses the stored one. */
  observe(equity: number, ts: number, limits: RiskLimits, state: Readonly<LatchedRiskState>): BreakerTransition | undefined {
    if (!Number.isFinite(equity) || !Number.isFinite(ts)) return undefined;
    const offset = limits.dayBoundaryUtcOffsetMinutes;
    const day = dayNumber(ts, offset);
    if (day !== this.day) {
      this.day = day;
      const key = dayKey(ts, offset);
      this.startEquity = this.persistence.dayStartEquity(key);
      if (this.startEquity === undefined) {
        this.persistence.setDayStartEquity(key, equity, ts);
        this.startEquity = equity;
      }
    }
    if (this.peak === undefined || equity > this.peak) {
      this.peak = equity;
      this.savePeak(equity, ts);
    }

    if (
      state.tradingState === 'REDUCING' &&
      state.tradingReason?.startsWith('daily_loss') &&
      state.tradingSince !== undefined &&
      dayNumber(state.tradingSince, offset) < day
    ) {
      return { to: 'ACTIVE', breaker: 'new_day', reason: `new_day: trading day ${dayKey(ts, offset)} began; daily-loss reduction lifted` };
    }

    const loss = this.dailyLossPct(equity);
    if (loss >= limits.maxDailyLossPct && RANK[limits.breakerAction] > RANK[state.tradingState]) {
      return {
        to: limits.breakerAction,
        breaker: 'daily_loss',
        reason: `daily_loss: down ${loss.toFixed(2)}% from start-of-day equity ${this.startEquity} (limit ${limits.maxDailyLossPct}%)`,
      };
    }
    const dd = this.drawdownPct(equity);
    if (dd >= limits.maxDrawdownPct && RANK[limits.breakerAction] > RANK[state.tradingState]) {
      return {
        to: limits.breakerAction,
        breaker: 'max_drawdown',
        reason: `max_drawdown: ${dd.toFixed(2)}% below peak equity ${this.peak} (limit ${limits.maxDrawdownPct}%)`,
      };
    }
    return undefined;
  }

  dailyLossPct(equity: number): number {
    const s = this.startEquity;
    return s !== undefined && s > 0 ? Math.max(0, ((s - equity) / s) * 100) : 0;
  }

  drawdownPct(equity: number): number {
    const p = this.peak;
    return p !== undefined && p > 0 ? Math.max(0, ((p - equity) / p) * 100) : 0;
  }

  get startOfDayEquity(): number | undefined {
    return this.startEquity;
  }

  /** A manual reset acknowledges the drawdown: the peak restarts from today's equity. */
  resetPeak(equity: number, ts: number): void {
    this.peak = equity;
    this.savePeak(equity, ts);
  }
}
