import type { Side } from './order';

/** One market trade (a print on the tape), as imported or streamed. */
export interface Trade {
  ts: number;
  price: number;
  amount: number;
  /** The aggressor's side, when the source says. */
  side: Side | undefined;
  id?: string;
}

/** Trades in columns, like BarSeries. side: 1 buy, -1 sell, 0 unknown. */
export interface TradeSeries {
  symbol: string;
  length: number;
  ts: Float64Array;
  price: Float64Array;
  amount: Float64Array;
  side: Int8Array;
}
