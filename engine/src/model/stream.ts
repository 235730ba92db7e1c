/**
 * Where a live market-data stream is: `live` while data flows; `stale` when nothing has come
 * for a while (the connection may look open); `reconnecting` after a drop; `polling` where
 * the exchange has no websocket; `failed` on an error that retrying cannot fix. The feed, the
 * wire and the chart's badge all speak this one list.
 */
export type StreamState = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'polling' | 'failed' | 'stopped';

/** Where a live feed is: the wire and the chart's badge use the same list. */
export type FeedState = StreamState;

export interface FeedStatus {
  exchange: string;
  /** ccxt's unified symbol. */
  symbol: string;
  /** The store's name for it, e.g. binance:BTC/USDT. */
  venueSymbol: string;
  timeframe: string;
  state: FeedState;
  transport: 'websocket' | 'polling';
  /** When the state began (local ms). */
  since: number;
  /** Time of the last trade (the venue's clock). */
  lastTradeAt?: number;
  lastPrice?: number;
  /** From the exchange's ticker, where it has one. */
  bid?: number;
  ask?: number;
  change24hPct?: number;
  /** When the last message arrived (local ms). */
  lastMessageAt?: number;
  reconnects: number;
  staleAfterMs: number;
  /** Closed candles that differed from the exchange's own (logged). */
  candleMismatches: number;
  message?: string;
}

/** The top of a live book, best first: [price, size] per level. */
export interface BookSnapshot {
  symbol: string;
  ts: number;
  bids: [number, number][];
  asks: [number, number][];
}
