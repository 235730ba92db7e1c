import type { Side } from './order';

/** A run's figures by name (see backtest/metrics.ts); null where a figure is undefined (no trades, no variance). */
export type Metrics = Record<string, number | null>;

/** Equity per point and drawdown as a fraction <= 0 of the running peak, in columns (ms timestamps). */
export interface EquityCurve {
  ts: number[];
  equity: number[];
  drawdown: number[];
  /** Buy and hold of the same capital at each point (backtest/metrics.ts buyAndHold). */
  benchmark?: number[];
}

/** A calendar period's return: `period` is `2024-03` for a month, `2024` for a year; `ret` a fraction. */
export interface PeriodReturn {
  period: string;
  ret: number;
}

export interface PeriodReturns {
  monthly: PeriodReturn[];
  yearly: PeriodReturn[];
}

export interface BacktestRunTrade {
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  qty: number;
  side: Side;
  pnl: number;
  /** The trade's return as a fraction (0.02 = +2 %), despite the name. */
  returnPct: number;
  exitReason?: string;
}

export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed';

/** A backtest run as Keel lists it: what was run and how it ended. */
export interface BacktestRunSummary {
  runId: string;
  strategy: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  startedAt: number;
  status: RunStatus;
  metrics?: Metrics;
  error?: string;
}

/** A backtest run as Keel keeps and shows it: the summary, its (thinned) equity curve, trades and notes. */
export interface BacktestRun extends BacktestRunSummary {
  equity: EquityCurve;
  trades: BacktestRunTrade[];
  notes: string[];
  /** Returns per calendar month and year, from every bar (absent on runs archived before they were kept). */
  periods?: PeriodReturns;
}
