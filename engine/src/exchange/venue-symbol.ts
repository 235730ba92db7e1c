import { badInput } from '../core/errors';

/**
 * A downloaded or streamed dataset carries its venue in its symbol, as TradingView's
 * `BINANCE:BTCUSDT` does: the lower-case ccxt exchange id, a colon, ccxt's unified symbol
 * (`binance:BTC/USDT`). Two venues' BTC/USDT therefore never merge in the store. Unified
 * symbols of derivatives hold a colon themselves (`BTC/USDT:USDT`), so only the first
 * colon separates the venue. Files imported from disk keep their plain symbols.
 */
export function venueSymbol(exchange: string, symbol: string): string {
  const id = exchange.trim().toLowerCase();
  if (!/^[a-z0-9]+$/.test(id)) throw badInput(`"${exchange}" is not a ccxt exchange id (letters and digits, e.g. binance)`, 'exchange');
  const s = symbol.trim();
  if (!s.includes('/')) throw badInput(`"${symbol}" is not a unified symbol (expected BASE/QUOTE, e.g. BTC/USDT)`, 'symbol');
  return `${id}:${s}`;
}

/** The venue and unified symbol of a venue symbol; undefined for a plain one (`BTC-USDT` from a file). */
export function splitVenueSymbol(s: string): { exchange: string; symbol: string } | undefined {
  const m = /^([a-z0-9]+):(.+\/.+)$/.exec(s);
  return m ? { exchange: m[1]!, symbol: m[2]! } : undefined;
}
