import type { Exchange, MarketInterface } from 'ccxt';
import { KeelError, badInput } from '../core/errors';
import type { Instrument } from '../model/instrument';
import { parseApiUrl, rewriteApiUrls } from './api-url';
import { EXCHANGE_NOTES, capabilitiesOf, type Capabilities } from './capabilities';
import { classify, parseRetryAfter, retryAfterOf, toKeelError } from './errors';
import { retryReadOnly, sleep, type RetryPolicy } from './retry';
import { venueSymbol } from './venue-symbol';

type CcxtModule = typeof import('ccxt');
let loading: Promise<CcxtModule> | undefined;

/** ccxt, loaded on first use: importing it costs about a second, which an engine start should not pay. */
export function loadCcxt(): Promise<CcxtModule> {
  loading ??= import('ccxt').then((m) => ((m as unknown as { default?: CcxtModule }).default ?? m) as CcxtModule);
  return loading;
}

export interface ClientSpec {
  /** ccxt's exchange id, e.g. binance. */
  exchange: string;
  /** Replaces scheme, host and port of every endpoint (api-url.ts). */
  apiUrl?: string;
  /**
   * ms between requests of cost 1 for ccxt's limiter; 0 turns the limiter off, which only an
   * API URL may ask for (a simulator or a local proxy: a real exchange would ban us).
   * Default: ccxt's figure for the exchange.
   */
  rateLimitMs?: number;
  timeoutMs?: number;
  credentials?: { apiKey: string; secret: string; password?: string };
  /** The exchange's test network (ccxt's sandbox mode), where it has one. */
  sandbox?: boolean;
}

/** Milliseconds a 429 without Retry-After holds every request of the client. */
const DEFAULT_COOL_DOWN_MS = 1_000;

/**
 * One ccxt instance (REST and websockets: ccxt.pro's class) behind Keel's rules: every
 * failure becomes a KeelError with Keel's code (errors.ts); read-only requests are retried
 * on the NetworkError family with backoff (retry.ts); a 429 holds every request of this
 * client for its Retry-After, and the request that met it waits at least as long. Orders
 * go through `once`, never retried.
 */
export class ExchangeClient {
  private pausedUntil = 0;

  private constructor(
    readonly spec: ClientSpec,
    readonly ex: Exchange,
  ) {}

  static async create(spec: ClientSpec): Promise<ExchangeClient> {
    const ccxt = await loadCcxt();
    const id = spec.exchange.trim().toLowerCase();
    const pro = ccxt.pro as unknown as Record<string, new (config: object) => Exchange>;
    const rest = ccxt as unknown as Record<string, new (config: object) => Exchange>;
    // ccxt's default export lists the ids as an array (its typings call it the class table).
    const ids = (ccxt as unknown as { exchanges: string[] }).exchanges;
    const Ctor = ids.includes(id) ? (pro[id] ?? rest[id]) : undefined;
    if (!Ctor) throw badInput(`ccxt knows no exchange "${spec.exchange}" (e.g. binance, kraken, coinbase; ${ids.length} in all)`, 'exchange');
    if (spec.rateLimitMs === 0 && !spec.apiUrl) throw badInput("the rate limit may be turned off only with an API URL (a simulator or a local proxy): a real exchange bans clients that ignore its limits", 'rate limit');
    const config: Record<string, unknown> = {
      enableRateLimit: spec.rateLimitMs !== 0,
      timeout: spec.timeoutMs ?? 10_000,
      // Nothing is retried inside ccxt: reads are retried here (retry.ts), orders never (a create that timed out may have been accepted).
      options: { ...(EXCHANGE_NOTES[id]?.options ?? {}), maxRetriesOnFailure: 0 },
    };
    if (spec.rateLimitMs !== undefined && spec.rateLimitMs > 0) config.rateLimit = spec.rateLimitMs;
    if (spec.credentials) {
      config.apiKey = spec.credentials.apiKey;
      config.secret = spec.credentials.secret;
      if (spec.credentials.password !== undefined) config.password = spec.credentials.password;
    }
    const ex = new Ctor(config);
    if (spec.sandbox) {
      try {
        ex.setSandboxMode(true);
      } catch (e) {
        throw badInput(`${id} has no test network in ccxt (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); use --api-url for a simulator`, 'testnet');
      }
    }
    if (spec.apiUrl) {
      const origin = parseApiUrl(spec.apiUrl);
      ex.urls = { ...ex.urls, api: rewriteApiUrls(ex.urls.api, origin) } as Exchange['urls'];
      // ccxt opens plain ws:// sockets only through an http agent it must be told to load first.
      if (origin.protocol === 'http:') await ex.loadHttpProxyAgent();
    }
    keepRetryAfter(ex);
    return new ExchangeClient({ ...spec, exchange: id }, ex);
  }

  get id(): string {
    return this.ex.id;
  }

  capabilities(): Capabilities {
    return capabilitiesOf(this.ex);
  }

  /**
   * A read-only request: retried on network failures, 5xx and 429 (honouring Retry-After),
   * its final failure a KeelError that names `what`.
   */
  read<T>(what: string, call: (ex: Exchange) => Promise<T>, opts: { signal?: AbortSignal; policy?: RetryPolicy; onRetry?: (attempt: number, delayMs: number, error: unknown) => void } = {}): Promise<T> {
    return retryReadOnly(() => this.attempt(call, opts.signal), { signal: opts.signal, policy: opts.policy, onRetry: opts.onRetry }).catch((e) => {
      throw toKeelError(e, `${this.id} ${what}`);
    });
  }

  /** A request sent exactly once (orders): waits out a rate-limit hold, never retries. */
  once<T>(what: string, call: (ex: Exchange) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.attempt(call, signal).catch((e) => {
      throw toKeelError(e, `${this.id} ${what}`);
    });
  }

  private async attempt<T>(call: (ex: Exchange) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) await sleep(wait, signal);
    try {
      return await call(this.ex);
    } catch (e) {
      const kind = classify(e).kind;
      if (kind === 'RateLimitExceeded' || kind === 'DDoSProtection') {
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (retryAfterOf(e) ?? DEFAULT_COOL_DOWN_MS));
      }
      throw e;
    }
  }

  private marketsLoading: Promise<Record<string, MarketInterface>> | undefined;

  /**
   * The exchange's markets, loaded once and retried like any read. ccxt keeps a failed
   * load's promise and answers every later loadMarkets() with the same rejection, so each
   * try asks it to reload, and a failure is forgotten here so the next call tries again.
   */
  markets(signal?: AbortSignal, policy?: RetryPolicy): Promise<Record<string, MarketInterface>> {
    if (!this.marketsLoading) {
      const loading = this.read('load markets', (ex) => ex.loadMarkets(true) as Promise<Record<string, MarketInterface>>, { signal, policy });
      this.marketsLoading = loading;
      loading.catch(() => {
        if (this.marketsLoading === loading) this.marketsLoading = undefined;
      });
    }
    return this.marketsLoading;
  }

  /** A market as Keel's Instrument: tick and lot size, minimum amount and notional, fees. */
  async instrument(symbol: string, signal?: AbortSignal): Promise<Instrument> {
    const markets = await this.markets(signal);
    const m = markets[symbol];
    if (!m) {
      const near = Object.keys(markets).filter((s) => s.split('/')[0] === symbol.split('/')[0]).slice(0, 5);
      throw new KeelError('NOT_FOUND', `${this.id} lists no ${symbol}${near.length ? ` (it lists ${near.join(', ')})` : ''}`, { where: 'symbol' });
    }
    return instrumentFromMarket(this.id, m, Number(this.ex.precisionMode));
  }

  async instruments(signal?: AbortSignal): Promise<Instrument[]> {
    const markets = await this.markets(signal);
    return Object.values(markets).map((m) => instrumentFromMarket(this.id, m, Number(this.ex.precisionMode)));
  }

  async close(): Promise<void> {
    await (this.ex as unknown as { close?: () => Promise<void> }).close?.().catch(() => undefined);
  }
}

/** ccxt's precision modes (base/functions/number): decimal places, significant digits, tick size. */
const DECIMAL_PLACES = 2;
const SIGNIFICANT_DIGITS = 3;

/** A precision as a step: tick size as is, decimal places as 10^-p. */
function step(value: number | undefined, mode: number): number | undefined {
  if (value === undefined || value === null || !Number.isFinite(value)) return undefined;
  if (mode === DECIMAL_PLACES) return 10 ** -value;
  if (mode === SIGNIFICANT_DIGITS) return undefined;
  return value;
}

/**
 * A ccxt market as an Instrument named with its venue (`binance:BTC/USDT`). Missing
 * precision becomes a fine step (1e-8), missing minimums 0: the exchange still refuses what
 * it refuses, and its error comes back mapped.
 */
export function instrumentFromMarket(exchange: string, m: MarketInterface, precisionMode: number): Instrument {
  const fine = 1e-8;
  return {
    symbol: venueSymbol(exchange, m.symbol),
    base: m.base,
    quote: m.quote,
    tickSize: step(m.precision?.price, precisionMode) ?? fine,
    lotSize: step(m.precision?.amount, precisionMode) ?? fine,
    minQty: m.limits?.amount?.min ?? 0,
    minNotional: m.limits?.cost?.min ?? 0,
    makerFee: m.maker ?? 0,
    takerFee: m.taker ?? 0,
  };
}

/**
 * ccxt turns a 429 (or 418, 503) into an error without the response's Retry-After. The
 * header is seen where ccxt reads the response, and put on the error it throws from the same
 * synchronous step, so no other request can interleave.
 */
function keepRetryAfter(ex: Exchange): void {
  const target = ex as unknown as Record<string, (...args: unknown[]) => unknown>;
  let retryAfter: string | undefined;
  const onRest = target.onRestResponse!.bind(ex);
  target.onRestResponse = (status: unknown, statusText: unknown, url: unknown, method: unknown, headers: unknown, ...rest: unknown[]) => {
    retryAfter = status === 429 || status === 418 || status === 503 ? headerValue(headers, 'retry-after') : undefined;
    return onRest(status, statusText, url, method, headers, ...rest);
  };
  for (const name of ['handleErrors', 'handleHttpStatusCode']) {
    const original = target[name]!.bind(ex);
    target[name] = (...args: unknown[]) => {
      try {
        return original(...args);
      } catch (e) {
        const ms = parseRetryAfter(retryAfter);
        if (ms !== undefined && e !== null && typeof e === 'object') (e as { retryAfterMs?: number }).retryAfterMs = ms;
        throw e;
      }
    };
  }
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (k.toLowerCase() === name) return String(v);
  return undefined;
}
