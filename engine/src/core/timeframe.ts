import { badInput } from './errors';

/** A bar timeframe such as `1m`, `5m`, `1h`, `4h`, `1d`, `1w`. Stored and shown in this form. */
export type Timeframe = string;

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds in one bar of `tf`. Throws BAD_INPUT on anything that is not `<n><s|m|h|d|w>`. */
export function timeframeMs(tf: Timeframe): number {
  const m = /^(\d+)([smhdw])$/.exec(tf);
  if (!m) throw badInput(`unknown timeframe "${tf}" (expected e.g. 1m, 5m, 1h, 1d, 1w)`, 'timeframe');
  const n = Number(m[1]);
  if (n <= 0) throw badInput(`timeframe "${tf}" must be positive`, 'timeframe');
  return n * UNIT_MS[m[2]!]!;
}

/** The canonical name of a bar length in ms, choosing the largest unit that divides it. */
export function timeframeFromMs(ms: number): Timeframe {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const u = UNIT_MS[unit]!;
    if (ms >= u && ms % u === 0) return `${ms / u}${unit}`;
  }
  throw badInput(`bar spacing of ${ms} ms is not a whole number of seconds`, 'timeframe');
}

/**
 * Where the grid of bars `ms` long is anchored: the epoch, except weeks, which start on Monday
 * 00:00 UTC (the epoch, 1970-01-01, was a Thursday). A time is on the grid when
 * (t - gridOffset(ms)) is a multiple of ms.
 */
export function gridOffset(ms: number): number {
  return ms === UNIT_MS.w ? 4 * UNIT_MS.d! : 0;
}

/** Start of the bucket of length `ms` that contains `t` (UTC, epoch-aligned; weeks align to Monday). */
export function bucketStart(t: number, ms: number): number {
  const shift = gridOffset(ms);
  return Math.floor((t - shift) / ms) * ms + shift;
}
