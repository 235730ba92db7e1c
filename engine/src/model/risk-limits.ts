/**
 * The risk limits, defined once: each limit's type, legal range (with inclusive or exclusive
 * bounds), unit, label, help text and default. The engine's validation (risk/limits.ts
 * mergeLimits), the wire's zod schema (protocol/schemas.ts) and the limits form (its checks
 * and its input attributes) are all derived from RISK_LIMIT_SPECS, so they cannot disagree.
 *
 * Plain data and pure functions: the renderer imports this at run time through
 * engine/protocol/definitions.ts, so the form validates before the engine is even connected.
 */

import type { TradingState } from './risk-state';

export interface Bound {
  value: number;
  /** true: the bound itself is allowed (≥ / ≤); false: it is not (> / <). */
  inclusive: boolean;
}

interface SpecCommon {
  label: string;
  /** One sentence for the trader: what the limit stops. */
  help: string;
}

export interface NumericLimitSpec extends SpecCommon {
  kind: 'int' | 'number';
  min: Bound;
  max: Bound;
  unit: string;
  default: number;
}

export interface EnumLimitSpec<V extends string = string> extends SpecCommon {
  kind: 'enum';
  values: readonly V[];
  default: V;
}

export type LimitSpec = NumericLimitSpec | EnumLimitSpec;

const atLeast = (value: number): Bound => ({ value, inclusive: true });
const above = (value: number): Bound => ({ value, inclusive: false });
const atMost = (value: number): Bound => ({ value, inclusive: true });

/** A positive amount with a very large ceiling: a limit of 0 would deny everything, so "off" is a large value, never 0. */
const HUGE = 1e15;
const DAY_MS = 86_400_000;

/**
 * Defaults are deliberately tight: a fresh install must not be able to blow up an account
 * before the trader has looked at these. Notional figures are in the account currency.
 * The order of the keys is the order the form shows them in.
 */
export const RISK_LIMIT_SPECS = {
  maxOrderQty: {
    kind: 'number', min: above(0), max: atMost(HUGE), unit: 'units', default: 1_000_000,
    label: 'Max order quantity', help: 'The largest quantity one order may ask for.',
  },
  maxOrderNotional: {
    kind: 'number', min: above(0), max: atMost(HUGE), unit: 'quote', default: 10_000,
    label: 'Max order notional', help: 'The largest value one order may have, in the account currency.',
  },
  priceCollarPct: {
    kind: 'number', min: above(0), max: atMost(100), unit: '%', default: 5,
    label: 'Price collar', help: 'Limit and stop prices must lie within this distance of the reference price (catches a misplaced decimal point).',
  },
  maxPriceAgeMs: {
    kind: 'int', min: atLeast(1), max: atMost(DAY_MS), unit: 'ms', default: 10_000,
    label: 'Max price age', help: 'Orders are refused when the reference price is older than this.',
  },
  maxPositionNotional: {
    kind: 'number', min: above(0), max: atMost(HUGE), unit: 'quote', default: 25_000,
    label: 'Max position notional', help: 'The largest value a position in one symbol may reach.',
  },
  maxExposurePct: {
    kind: 'number', min: above(0), max: atMost(1_000), unit: '% equity', default: 30,
    label: 'Max exposure', help: 'Gross exposure across all symbols, as a share of equity.',
  },
  maxOpenPositions: {
    kind: 'int', min: atLeast(1), max: atMost(10_000), unit: 'count', default: 2,
    label: 'Max open positions', help: 'How many symbols may hold a position at once.',
  },
  ordersPerSecond: {
    kind: 'number', min: above(0), max: atMost(10_000), unit: '/s', default: 5,
    label: 'Orders per second', help: 'The sustained rate of new orders (a token bucket refilled at this rate).',
  },
  orderBurst: {
    kind: 'int', min: atLeast(1), max: atMost(100_000), unit: 'orders', default: 10,
    label: 'Order burst', help: 'How many orders may go out at once before the rate limit applies.',
  },
  duplicateWindowMs: {
    kind: 'int', min: atLeast(0), max: atMost(3_600_000), unit: 'ms', default: 1_000,
    label: 'Duplicate window', help: 'The same order again within this time is refused as a double click (0 turns the check off).',
  },
  maxDailyLossPct: {
    kind: 'number', min: above(0), max: atMost(100), unit: '% equity', default: 2,
    label: 'Max daily loss', help: 'A loss this large since the trading day began trips the breaker action.',
  },
  maxDrawdownPct: {
    kind: 'number', min: above(0), max: atMost(100), unit: '% equity', default: 10,
    label: 'Max drawdown', help: 'Equity this far below its peak trips the breaker action.',
  },
  breakerAction: {
    kind: 'enum', values: ['REDUCING', 'HALTED'] satisfies TradingState[], default: 'HALTED',
    label: 'Breaker action', help: 'What a tripped breaker does: REDUCING lets only orders that reduce a position through; HALTED lets no new order through.',
  },
  dayBoundaryUtcOffsetMinutes: {
    kind: 'int', min: atLeast(-720), max: atMost(840), unit: 'min', default: 0,
    label: 'Day boundary offset', help: 'The trading day is the date at UTC plus this many minutes: −300 starts it at midnight in New York (winter), +60 in Paris.',
  },
  watchdogSilenceMs: {
    kind: 'int', min: atLeast(100), max: atMost(DAY_MS), unit: 'ms', default: 15_000,
    label: 'Watchdog silence', help: 'The kill switch engages when the UI (or a playing replay) is silent this long while orders or positions are open.',
  },
} as const satisfies Record<string, LimitSpec>;

type Specs = typeof RISK_LIMIT_SPECS;
export type LimitKey = keyof Specs;
type ValueOf<S> = S extends { kind: 'enum'; values: readonly (infer V)[] } ? V : number;

/** The limits as the engine holds them and the wire carries them. */
export type RiskLimits = { -readonly [K in LimitKey]: ValueOf<Specs[K]> };

export type BreakerAction = RiskLimits['breakerAction'];

/** Every limit's key, in the form's order. */
export const LIMIT_KEYS = Object.keys(RISK_LIMIT_SPECS) as LimitKey[];

export function isLimitKey(key: string): key is LimitKey {
  return Object.prototype.hasOwnProperty.call(RISK_LIMIT_SPECS, key);
}

export const DEFAULT_LIMITS: Readonly<RiskLimits> = Object.freeze(
  Object.fromEntries(LIMIT_KEYS.map((k) => [k, RISK_LIMIT_SPECS[k].default])) as RiskLimits,
);

/** A bound as a trader reads it: 1e15 rather than fifteen zeros. */
function figure(v: number): string {
  return Math.abs(v) >= 1e7 ? v.toExponential().replace('e+', 'e') : String(v);
}

/** The legal values of a limit in words, e.g. "a whole number from -720 to 840 min". */
export function limitRangeText(spec: LimitSpec): string {
  if (spec.kind === 'enum') return `one of ${spec.values.join(', ')}`;
  const what = spec.kind === 'int' ? 'a whole number' : 'a number';
  const unit = spec.unit ? ` ${spec.unit}` : '';
  if (spec.min.inclusive && spec.max.inclusive) return `${what} from ${figure(spec.min.value)} to ${figure(spec.max.value)}${unit}`;
  const lo = `${spec.min.inclusive ? 'at least' : 'above'} ${figure(spec.min.value)}`;
  const hi = `${spec.max.inclusive ? 'at most' : 'below'} ${figure(spec.max.value)}`;
  return `${what} ${lo} and ${hi}${unit}`;
}

/** The one rule: undefined when `value` is a legal value of the limit, else what is wrong with it. */
export function limitProblem(spec: LimitSpec, value: unknown): string | undefined {
  const expected = `must be ${limitRangeText(spec)}`;
  if (spec.kind === 'enum') {
    return typeof value === 'string' && (spec.values as readonly string[]).includes(value) ? undefined : `${expected}, got ${describe(value)}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${expected}, got ${describe(value)}`;
  if (spec.kind === 'int' && !Number.isInteger(value)) return `${expected}, got ${value}`;
  const { min, max } = spec;
  const low = min.inclusive ? value < min.value : value <= min.value;
  const high = max.inclusive ? value > max.value : value >= max.value;
  return low || high ? `${expected}, got ${value}` : undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return v === null ? 'null' : typeof v;
}

export interface LimitProblem {
  field: LimitKey | string;
  message: string;
}

/**
 * Every problem of a whole or partial set of limits, each naming its field (unknown fields
 * included: a typo'd limit silently ignored is worse than a refusal).
 */
export function limitsProblems(values: Readonly<Record<string, unknown>>): LimitProblem[] {
  const out: LimitProblem[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (!isLimitKey(field)) {
      out.push({ field, message: `is not a risk limit (the limits are ${LIMIT_KEYS.join(', ')})` });
      continue;
    }
    const problem = limitProblem(RISK_LIMIT_SPECS[field], value);
    if (problem) out.push({ field, message: problem });
  }
  return out;
}

/**
 * The HTML attributes of a limit's input, from its range. An exclusive bound of a real
 * number has no HTML form (min and max are inclusive there), so it is left to the check.
 */
export function limitInputAttributes(spec: NumericLimitSpec): { type: 'number'; step: string; min?: number; max?: number } {
  const int = spec.kind === 'int';
  const attrs: { type: 'number'; step: string; min?: number; max?: number } = { type: 'number', step: int ? '1' : 'any' };
  if (spec.min.inclusive) attrs.min = spec.min.value;
  else if (int) attrs.min = Math.floor(spec.min.value) + 1;
  if (spec.max.inclusive) attrs.max = spec.max.value;
  else if (int) attrs.max = Math.ceil(spec.max.value) - 1;
  return attrs;
}
