/** A history download: one symbol and timeframe of one exchange over a span. */
export interface DownloadRequest {
  /** ccxt's exchange id. */
  exchange: string;
  /** ccxt's unified symbol, e.g. BTC/USDT. */
  symbol: string;
  timeframe: string;
  /** ms UTC; rounded up to a bar boundary. */
  from: number;
  /** ms UTC, exclusive; default now. Only closed bars are stored. */
  to?: number;
  /** The API URL the client uses (kept in the download log). */
  apiUrl?: string;
}
