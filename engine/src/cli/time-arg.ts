import { badInput } from '../core/errors';

/**
 * A time on the command line: ms since the epoch, or an ISO date or date-time (UTC unless it
 * says otherwise: `2024-01-01`, `2024-01-01T12:00`, `2024-01-01T12:00:00+02:00`).
 */
export function parseTimeArg(raw: string, flag: string): number {
  const s = raw.trim();
  if (/^\d{10,}$/.test(s)) return Number(s);
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s) ? `${s.length === 10 ? `${s}T00:00` : s}Z` : s;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw badInput(`"${raw}" is not a time (expected e.g. 2024-01-01, 2024-01-01T12:00 or ms since 1970)`, flag);
  return t;
}
