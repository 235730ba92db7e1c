import type { Side } from './order';

/** One closed trade, from its position leaving flat to its return to flat, as built from fills. */
export interface RoundTrip {
  symbol: string;
  /** 'buy' for a long trade, 'sell' for a short one. */
  side: Side;
  entryTime: number;
  /** Average price of the fills that opened (and added to) the position. */
  entryPrice: number;
  exitTime: number;
  /** Average price of the fills that closed it. */
  exitPrice: number;
  qty: number;
  fees: number;
  pnl: number;
  /** pnl / entry notional (qty × entryPrice). */
  returnPct: number;
  /** The closing order's tag, else its type (market, stop, ...). */
  exitReason: string;
}
