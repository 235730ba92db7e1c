import type { Exchange } from 'ccxt';

/** The ccxt `has` flags Keel looks at, in the order the UI lists them. */
export const HAS_FLAGS = [
  'fetchOHLCV',
  'fetchTrades',
  'fetchTicker',
  'fetchOrderBook',
  'watchTrades',
  'watchOHLCV',
  'watchTicker',
  'watchOrderBook',
  'createOrder',
  'cancelOrder',
  'fetchOrder',
  'fetchOpenOrders',
  'fetchMyTrades',
  'fetchBalance',
  'watchOrders',
  'watchMyTrades',
  'watchBalance',
] as const;
export type HasFlag = (typeof HAS_FLAGS)[number];

/**
 * What ccxt's flags do not say and Keel must know, per exchange (freqtrade's `_ft_has` is
 * the model). ccxt's own `features.spot.fetchOHLCV.limit` gives the candles per page; these
 * notes add how far back the candles go, how long histories are fetched instead, and the
 * adapter options Keel sets.
 */
export interface ExchangeNotes {
  /** The OHLC endpoint serves only the latest this many candles, whatever `since` says. */
  historyCandles?: number;
  /** Trades are the way to a long history here (`keel download --trades`). */
  tradesForLongHistory?: boolean;
  /** Adapter options Keel always sets. */
  options?: Record<string, unknown>;
  notes: string[];
}

export const EXCHANGE_NOTES: Record<string, ExchangeNotes> = {
  binance: {
    // Spot only: futures, options and the currency list are other hosts (and need keys); Keel trades spot.
    // Aggregate trades on the websocket too, so its trade ids are those of REST's aggTrades (a reconnect merges the two by id).
    // Open orders of every symbol at once are what reconciliation asks for: ccxt's warning about their weight is not needed.
    options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false, watchTrades: { name: 'aggTrade' }, warnOnFetchOpenOrdersWithoutSymbol: false },
    notes: ['Spot markets only. Klines reach back to the listing, 1,000 a page.'],
  },
  binanceus: {
    options: { watchTrades: { name: 'aggTrade' }, warnOnFetchOpenOrdersWithoutSymbol: false },
    notes: ["Binance.US: Binance's spot API on its own hosts. Spot markets only, 1,000 klines a page."],
  },
  kraken: {
    historyCandles: 720,
    tradesForLongHistory: true,
    notes: ["Kraken's OHLC endpoint gives only the latest 720 candles: download longer histories with --trades."],
  },
  coinbase: { notes: ['Coinbase pages 300 candles at a time.'] },
  coinbaseexchange: { notes: ['Coinbase Exchange pages 300 candles at a time.'] },
};

/** Candles per page when ccxt does not say. */
const DEFAULT_PAGE_LIMIT = 500;

export interface Capabilities {
  id: string;
  name: string;
  has: Record<HasFlag, boolean>;
  timeframes: string[];
  ohlcvPageLimit: number;
  /** null: candles reach back as far as the exchange has them. */
  historyCandles: number | null;
  tradesForLongHistory: boolean;
  /** ccxt's rate limit: ms between requests of cost 1. */
  rateLimitMs: number;
  notes: string[];
}

/** The capability table row of one exchange: ccxt's flags with Keel's notes. */
export function capabilitiesOf(ex: Exchange): Capabilities {
  const notes = EXCHANGE_NOTES[ex.id] ?? { notes: [] };
  const has = {} as Record<HasFlag, boolean>;
  // 'emulated' counts as available: ccxt does the work (e.g. polling) behind the same call.
  for (const f of HAS_FLAGS) has[f] = Boolean(ex.has[f]);
  const features = (ex as unknown as { features?: { spot?: { fetchOHLCV?: { limit?: number } } } }).features;
  const limit = features?.spot?.fetchOHLCV?.limit;
  return {
    id: ex.id,
    name: String(ex.name ?? ex.id),
    has,
    timeframes: Object.keys(ex.timeframes ?? {}),
    ohlcvPageLimit: typeof limit === 'number' && limit > 0 ? limit : DEFAULT_PAGE_LIMIT,
    historyCandles: notes.historyCandles ?? null,
    tradesForLongHistory: notes.tradesForLongHistory ?? false,
    rateLimitMs: Number(ex.rateLimit),
    notes: notes.notes,
  };
}
