import type { RiskLimits } from './risk-limits';

/** What the risk layer lets through: everything, only reductions, or nothing new. */
export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

/** The risk layer as a trader sees it: state, kill switch, limits and how much of each is used. */
export interface RiskState {
  /** 'HALTED' whenever the kill switch is engaged, whatever the breakers say. */
  tradingState: TradingState;
  killSwitch: { engaged: boolean; since?: number; reason?: string };
  limits: RiskLimits;
  /**
   * Percentages are 0..100 (not fractions). The `...UsedPct` gauges are shares of the
   * limit; the raw figures beside them are what they are made of.
   */
  gauges: {
    /** Today's loss as % of the daily-loss limit: 100 * dailyLossPct / limits.maxDailyLossPct. */
    dailyLossUsedPct: number;
    /** Today's loss as % of start-of-day equity (0 when up on the day). */
    dailyLossPct: number;
    /** Gross exposure as % of the exposure cap: 100 * exposure / exposureLimit. */
    exposureUsedPct: number;
    /** Gross exposure: sum of |position notional| at the latest marks, account currency. */
    exposure: number;
    /** The exposure cap in account currency: limits.maxExposurePct % of current equity. */
    exposureLimit: number;
    /** Current equity, account currency. */
    equity: number;
    openPositions: number;
    /** Equity below its peak as % of the peak (not of the limit; the limit is limits.maxDrawdownPct). */
    drawdownPct: number;
    /** Equity when the trading day began (limits.dayBoundaryUtcOffsetMinutes), once the day has been observed: the day's PnL is measured from it. */
    dayStartEquity?: number;
  };
  lastDenial?: { check: string; reason: string; ts: number };
}
