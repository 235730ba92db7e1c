import { isKeelError } from '../core/errors';
import type { WireError } from '../../protocol/index';

/**
 * A thrown value as the wire carries it. KeelErrors keep code, message, where and
 * details; anything else is a bug, so the UI gets INTERNAL with no internals (the full
 * error goes to the engine log).
 */
export function toWireError(e: unknown): WireError {
  if (isKeelError(e)) {
    const w: WireError = { code: e.code, message: e.message };
    if (e.where !== undefined) w.where = e.where;
    if (e.details !== undefined) w.details = jsonSafe(e.details);
    return w;
  }
  return { code: 'INTERNAL', message: 'internal engine error (details are in the engine log)' };
}

function jsonSafe(v: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
