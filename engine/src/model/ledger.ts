import type { PositionSnapshot } from './position';

/**
 * A ledger's own limits, on top of the one risk layer every order passes. Amounts are in the
 * account currency. A strategy that breaches one is paused (no new entries) and told why.
 */
export interface LedgerLimits {
  /** Most gross exposure (|qty| × mark over its positions, plus the order) the ledger may hold. */
  maxExposure?: number;
  /** Most the ledger may lose in a trading day, as a percentage of its start-of-day equity. */
  maxDailyLossPct?: number;
}

export type LedgerKind = 'manual' | 'strategy';

/** One book of the account as it stands: `manual`, or a running strategy's. The account is their sum. */
export interface LedgerSnapshot {
  id: string;
  kind: LedgerKind;
  label: string;
  /** Cash moved into the ledger, net of what was moved out: its capital. */
  allocation: number;
  cash: number;
  equity: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  exposure: number;
  /** Equity now against equity at the start of the trading day (0 before the day's first observation). */
  dayPnl: number;
  positions: PositionSnapshot[];
  limits: LedgerLimits;
  closed: boolean;
}

export type StrategyState = 'running' | 'paused' | 'stopped' | 'failed';

/** What a trader can do to a running strategy: each is one button on the Strategies screen and one value on the wire. */
export const STRATEGY_ACTIONS = ['pause', 'resume', 'stop', 'stop_flatten', 'flatten', 'takeover', 'release'] as const;
export type StrategyAction = (typeof STRATEGY_ACTIONS)[number];

/** A strategy running forward on the desk, as a trader sees it. */
export interface StrategyInstanceView {
  id: string;
  strategy: string;
  name: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  state: StrategyState;
  stateReason?: string;
  allocation: number;
  warmup: number;
  /** The first bar it traded on, and the last it saw. */
  firstBarTs?: number;
  lastBarTs?: number;
  lastSignal?: { ts: number; text: string };
  workingOrders: number;
  ledger: LedgerSnapshot;
  createdAt: number;
  sourcePath?: string;
  /** The live exchange account it trades on, at the exchange; absent: the paper desk. */
  account?: string;
}
