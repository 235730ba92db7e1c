import { KeelError } from '../core/errors';
import { classify, retryAfterOf } from './errors';

export interface RetryPolicy {
  /** Tries after the first. */
  retries: number;
  baseMs: number;
  maxMs: number;
}

/** Read-only requests: six tries over about half a minute at worst. */
export const READ_RETRY: RetryPolicy = { retries: 5, baseMs: 250, maxMs: 8_000 };

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  /** Told before each wait: the attempt that failed (1-based), the wait and why. */
  onRetry?(attempt: number, delayMs: number, error: unknown): void;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Waits `ms`, or rejects with CANCELLED when the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(signal: AbortSignal): unknown {
  return signal.reason instanceof KeelError ? signal.reason : new KeelError('CANCELLED', 'cancelled');
}

/**
 * The wait before try `attempt + 1`: exponential backoff with jitter (half to all of the
 * step, so clients that failed together do not come back together), and never shorter than
 * the exchange's Retry-After.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = step * (0.5 + random() / 2);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * Runs a read-only request, trying again on the NetworkError family (timeouts, 5xx, 429,
 * refused connections) with backoff. Anything else, and the last failure, is thrown as is.
 * Never use it for an order: a create that timed out may have been accepted.
 */
export async function retryReadOnly<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy = opts.policy ?? READ_RETRY;
  const random = opts.random ?? Math.random;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : e;
      if (attempt > policy.retries || !classify(e).retryable) throw e;
      const delay = backoffMs(attempt, policy, retryAfterOf(e), random);
      opts.onRetry?.(attempt, delay, e);
      await wait(delay, opts.signal);
    }
  }
}
