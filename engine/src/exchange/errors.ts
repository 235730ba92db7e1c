import { KeelError, type ErrorCode } from '../core/errors';
import { redact } from '../secrets/redact';

/**
 * ccxt's error classes, most specific first, and what they mean to Keel. ccxt's classes
 * are matched by name along the prototype chain, so the mapping needs no ccxt import and
 * survives a second copy of ccxt in the bundle.
 *
 * `retryable`: the NetworkError family. A read-only request that failed so is tried again
 * (retry.ts); an order never is (the live-trading issue resolves it by lookup instead).
 */
const KINDS: { name: string; code: ErrorCode; retryable: boolean; says: string }[] = [
  { name: 'RateLimitExceeded', code: 'UNAVAILABLE', retryable: true, says: 'the exchange is rate limiting us' },
  { name: 'DDoSProtection', code: 'UNAVAILABLE', retryable: true, says: 'the exchange is rate limiting us' },
  { name: 'OnMaintenance', code: 'UNAVAILABLE', retryable: true, says: 'the exchange is under maintenance' },
  { name: 'RequestTimeout', code: 'UNAVAILABLE', retryable: true, says: 'the exchange did not answer in time' },
  { name: 'ExchangeNotAvailable', code: 'UNAVAILABLE', retryable: true, says: 'the exchange is not available' },
  { name: 'InvalidNonce', code: 'UNAVAILABLE', retryable: true, says: 'the exchange refused the request time or nonce' },
  { name: 'NetworkError', code: 'UNAVAILABLE', retryable: true, says: 'the network failed' },
  { name: 'OrderNotFound', code: 'NOT_FOUND', retryable: false, says: 'the exchange does not know that order' },
  { name: 'BadSymbol', code: 'NOT_FOUND', retryable: false, says: 'the exchange does not list that symbol' },
  { name: 'InsufficientFunds', code: 'BAD_INPUT', retryable: false, says: 'insufficient funds' },
  { name: 'InvalidOrder', code: 'BAD_INPUT', retryable: false, says: 'the exchange refused the order' },
  { name: 'PermissionDenied', code: 'UNAVAILABLE', retryable: false, says: 'the API key may not do that' },
  { name: 'AuthenticationError', code: 'UNAVAILABLE', retryable: false, says: 'the exchange refused the API key or its signature' },
  { name: 'NotSupported', code: 'BAD_INPUT', retryable: false, says: 'the exchange does not support that' },
  { name: 'ArgumentsRequired', code: 'BAD_INPUT', retryable: false, says: 'the request lacks an argument the exchange needs' },
  { name: 'BadRequest', code: 'BAD_INPUT', retryable: false, says: 'the exchange refused the request' },
  { name: 'OperationRejected', code: 'CONFLICT', retryable: false, says: 'the exchange rejected the operation' },
  { name: 'BadResponse', code: 'UNAVAILABLE', retryable: false, says: 'the exchange sent an answer that cannot be read' },
  { name: 'OperationFailed', code: 'UNAVAILABLE', retryable: false, says: 'the exchange failed to do it' },
  { name: 'ExchangeError', code: 'UNAVAILABLE', retryable: false, says: 'the exchange returned an error' },
];

/** The ccxt class names of an error, most specific first ([] for a non-ccxt error). */
export function ccxtClasses(e: unknown): string[] {
  const names: string[] = [];
  let p = e !== null && typeof e === 'object' ? Object.getPrototypeOf(e) : null;
  while (p && p !== Error.prototype && p !== Object.prototype) {
    const n = (p.constructor as { name?: string } | undefined)?.name;
    if (n) names.push(n);
    p = Object.getPrototypeOf(p);
  }
  return names.includes('BaseError') ? names : [];
}

export interface ExchangeFailure {
  code: ErrorCode;
  retryable: boolean;
  /** ccxt's class, e.g. 'RequestTimeout'. */
  kind: string;
  says: string;
}

/** What a thrown error is, for retry decisions and messages. Non-ccxt errors are not retried. */
export function classify(e: unknown): ExchangeFailure {
  if (e instanceof KeelError) {
    // One made by toKeelError keeps what ccxt said: a wrapped timeout is still a timeout.
    const d = e.details as { exchangeError?: unknown; retryable?: unknown } | undefined;
    if (typeof d?.exchangeError === 'string') return { code: e.code, retryable: d.retryable === true, kind: d.exchangeError, says: e.message };
    return { code: e.code, retryable: false, kind: 'KeelError', says: e.message };
  }
  const chain = ccxtClasses(e);
  for (const name of chain) {
    const k = KINDS.find((x) => x.name === name);
    if (k) return { code: k.code, retryable: k.retryable, kind: chain[0]!, says: k.says };
  }
  // fetch() rejecting below ccxt (a refused connection before ccxt wrapped it) is a network failure too.
  const msg = e instanceof Error ? e.message : String(e);
  if (/ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|network/i.test(msg)) return { code: 'UNAVAILABLE', retryable: true, kind: 'NetworkError', says: 'the network failed' };
  return { code: 'INTERNAL', retryable: false, kind: e instanceof Error ? e.name : typeof e, says: 'unexpected failure' };
}

/**
 * An exchange error as a KeelError: Keel's code, a message that says what failed and where
 * (`binance fetchOHLCV BTC/USDT 1m: the exchange did not answer in time (RequestTimeout: ...)`),
 * and in `details` ccxt's class and whether it may be retried.
 */
export function toKeelError(e: unknown, what: string, where?: string): KeelError {
  if (e instanceof KeelError) return e;
  const f = classify(e);
  // An exchange's error may quote the request; a credential never leaves in a message.
  const raw = redact(e instanceof Error ? e.message : String(e));
  const detail = raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
  return new KeelError(f.code, `${what}: ${f.says} (${f.kind}: ${detail})`, {
    where,
    cause: e,
    details: { exchangeError: f.kind, retryable: f.retryable, ...(retryAfterOf(e) !== undefined ? { retryAfterMs: retryAfterOf(e) } : {}) },
  });
}

/** A Retry-After the client layer attached to a 429/503 error (ms), if any. */
export function retryAfterOf(e: unknown): number | undefined {
  const v = e !== null && typeof e === 'object' ? (e as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Retry-After as ms: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}
