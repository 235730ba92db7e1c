import { badInput } from '../core/errors';

/** A numeric flag: its value parsed and checked, `fallback` when absent; a bad one names the flag and what it must be. */
export function number(name: string, text: string | undefined, fallback: number, ok: (x: number) => boolean, want: string): number {
  if (text === undefined) return fallback;
  const x = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(x) || !ok(x)) throw badInput(`must be ${want}, got "${text}"`, `--${name}`);
  return x;
}
