/**
 * The gap report's shapes: a forward run's trades against its backtest's, and the PnL
 * difference split into causes (engine/src/desk/gap.ts computes it; docs/desk.md explains it).
 */

import type { Side } from './order';
import type { RoundTrip } from './round-trip';

/** One closed trade of either run. */
export type GapTrade = RoundTrip;

export interface Signal {
  /** The strategy's now() when it placed the order: its bar's close. */
  ts: number;
  side: Side;
  type: string;
}

export type TradeGapKind = 'matched' | 'missed' | 'extra';

export interface TradeGap {
  kind: TradeGapKind;
  side: Side;
  forward?: GapTrade;
  backtest?: GapTrade;
  /** Forward minus backtest, ms (positive: later forward). */
  entryDelayMs?: number;
  exitDelayMs?: number;
  /** Price differences in the trader's disfavour as positive numbers (paid more, received less). */
  entrySlippage?: number;
  exitSlippage?: number;
  pnlDiff: number;
  causes: GapCauses;
  /** Why a missed or extra trade happened, as far as the signals tell. */
  note?: string;
}

export interface GapCauses {
  entryPrice: number;
  exitPrice: number;
  size: number;
  fees: number;
  missed: number;
  extra: number;
  open: number;
}

export interface SignalGap {
  ts: number;
  side: Side;
  type: string;
  /** Which run placed it: only the forward one, only the backtest. */
  only: 'forward' | 'backtest';
}

export interface GapReport {
  forwardPnl: number;
  backtestPnl: number;
  /** forwardPnl − backtestPnl = the sum of `causes`, to rounding. */
  difference: number;
  causes: GapCauses;
  trades: TradeGap[];
  signals: { forward: number; backtest: number; differing: SignalGap[] };
  counts: { matched: number; missed: number; extra: number };
}


/** A gap report with what was compared. */
export interface RunGap extends GapReport {
  strategy: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  /** The first bar traded on and the last one seen, bar open times. */
  from: number;
  to: number;
  bars: number;
  fee: number;
  slippage: number;
  capital: number;
}
