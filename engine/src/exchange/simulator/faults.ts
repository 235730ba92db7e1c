import { badInput } from '../../core/errors';
import { Rng } from './rng';

/**
 * What can go wrong on the simulated exchange, by configuration. Shares are probabilities
 * per request (or per order, per fill), drawn from a seeded generator, so a run with the
 * same seed meets the same faults in the same places.
 */
export interface FaultConfig {
  /** Extra ms on every REST answer. */
  latencyMs: number;
  /** Share of REST requests answered 429 with Retry-After. */
  rate429: number;
  /** The Retry-After of those 429s, seconds. */
  retryAfterSec: number;
  /** Share of REST requests answered 503 (no JSON body, as a proxy in front of an exchange answers). */
  rate5xx: number;
  /** Share of REST requests answered slowly, and how slowly. */
  slow: number;
  slowMs: number;
  /** Share of order creates that are accepted but never answered: the connection is dropped after the order is in. */
  timeoutAfterAccept: number;
  /** Every order create waits this many ms before the exchange takes it (a cancel sent meanwhile finds no order). */
  holdCreateMs: number;
  /** Share of fills sent twice on the user data stream. */
  duplicateFill: number;
  /** Share of orders filled in several pieces at once whose fills go out on the user stream in reverse order. */
  outOfOrderFills: number;
  /** Drop every websocket every this many ms (0: never). */
  dropWsEveryMs: number;
  /** Pause market data every `pauseEveryMs` for `pauseForMs` (0: never). */
  pauseEveryMs: number;
  pauseForMs: number;
}

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0,
  rate429: 0,
  retryAfterSec: 1,
  rate5xx: 0,
  slow: 0,
  slowMs: 0,
  timeoutAfterAccept: 0,
  holdCreateMs: 0,
  duplicateFill: 0,
  outOfOrderFills: 0,
  dropWsEveryMs: 0,
  pauseEveryMs: 0,
  pauseForMs: 0,
};

export const FAULT_SYNTAX = [
  'latency=MS            every REST answer MS later',
  '429=P[:S]             a share P of requests answered 429 with Retry-After S seconds (default 1)',
  '5xx=P                 a share P answered 503',
  'slow=P:MS             a share P answered MS later',
  'timeout-after-accept=P  a share P of orders accepted, their answer dropped',
  'hold-create=MS        every order create taken MS late',
  'dup-fill=P            a share P of fills sent twice on the user stream',
  'ooo-fill=P            a share P of multi-fill orders with fills sent in reverse order',
  'drop-ws=MS            every websocket dropped every MS',
  'pause=EVERY:FOR       market data paused FOR ms every EVERY ms',
].join('\n');

function share(v: string, key: string): number {
  const p = Number(v);
  if (!(p >= 0 && p <= 1)) throw badInput(`${key} must be a share between 0 and 1, got "${v}"`, '--faults');
  return p;
}

function ms(v: string | undefined, key: string): number {
  const n = Number(v);
  if (v === undefined || !(Number.isFinite(n) && n >= 0)) throw badInput(`${key} needs a time in ms, got "${v ?? ''}"`, '--faults');
  return n;
}

/** Parses `429=0.02:1,5xx=0.01,slow=0.02:400,...` (see FAULT_SYNTAX); '' or 'none' is no faults. */
export function parseFaults(spec: string): FaultConfig {
  const f: FaultConfig = { ...NO_FAULTS };
  const text = spec.trim();
  if (text === '' || text === 'none') return f;
  for (const part of text.split(',')) {
    const [key, value = ''] = part.split('=').map((s) => s.trim()) as [string, string?];
    const [a, b] = value.split(':');
    switch (key) {
      case 'latency':
        f.latencyMs = ms(a, key);
        break;
      case '429':
        f.rate429 = share(a!, key);
        if (b !== undefined) f.retryAfterSec = ms(b, `${key} retry-after`);
        break;
      case '5xx':
        f.rate5xx = share(a!, key);
        break;
      case 'slow':
        f.slow = share(a!, key);
        f.slowMs = ms(b, key);
        break;
      case 'timeout-after-accept':
        f.timeoutAfterAccept = share(a!, key);
        break;
      case 'hold-create':
        f.holdCreateMs = ms(a, key);
        break;
      case 'dup-fill':
        f.duplicateFill = share(a!, key);
        break;
      case 'ooo-fill':
        f.outOfOrderFills = share(a!, key);
        break;
      case 'drop-ws':
        f.dropWsEveryMs = ms(a, key);
        break;
      case 'pause':
        f.pauseEveryMs = ms(a, key);
        f.pauseForMs = ms(b, `${key} duration`);
        break;
      default:
        throw badInput(`unknown fault "${key}"; known:\n${FAULT_SYNTAX}`, '--faults');
    }
  }
  return f;
}

export type FaultKind = '429' | '5xx' | 'slow' | 'timeout-after-accept' | 'dup-fill' | 'ooo-fill' | 'drop-ws' | 'pause' | 'rate-limit';

/** The faults in force, the draws that decide them, and a count of each fault injected. */
export class Faults {
  config: FaultConfig;
  readonly injected: Record<FaultKind, number> = { '429': 0, '5xx': 0, slow: 0, 'timeout-after-accept': 0, 'dup-fill': 0, 'ooo-fill': 0, 'drop-ws': 0, pause: 0, 'rate-limit': 0 };
  private readonly rng: Rng;

  constructor(config: Partial<FaultConfig> = {}, seed = 7) {
    this.config = { ...NO_FAULTS, ...config };
    this.rng = new Rng(seed);
  }

  set(config: Partial<FaultConfig>): void {
    this.config = { ...this.config, ...config };
  }

  /** Decides a fault (counting it when it happens). */
  draw(kind: FaultKind, p: number): boolean {
    if (!this.rng.chance(p)) return false;
    this.injected[kind]++;
    return true;
  }

  count(kind: FaultKind): void {
    this.injected[kind]++;
  }
}

/**
 * Binance's request-weight limit: 6,000 a minute per IP, in fixed one-minute windows. Over
 * it, a request is answered 429 with the seconds until the window turns as Retry-After.
 * Off for benchmarks and long downloads in tests.
 */
export class WeightLimiter {
  private window = -1;
  private used = 0;

  constructor(
    public enabled: boolean,
    readonly perMinute = 6_000,
  ) {}

  /** Takes `weight`; the Retry-After in seconds when over the limit, else undefined. */
  take(weight: number, now: number): number | undefined {
    const w = Math.floor(now / 60_000);
    if (w !== this.window) {
      this.window = w;
      this.used = 0;
    }
    this.used += weight;
    if (!this.enabled || this.used <= this.perMinute) return undefined;
    return Math.max(1, Math.ceil(((w + 1) * 60_000 - now) / 1000));
  }

  usedWeight(): number {
    return this.used;
  }
}
