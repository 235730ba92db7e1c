import { isKeelError } from '../core/errors';
import { redact } from '../secrets/redact';
import type { WireError } from '../../protocol/index';

/**
 * A thrown value as the wire carries it. KeelErrors keep code, message, where and
 * details; anything else is a bug, so the UI gets INTERNAL with no internals (the full
 * error goes to the engine log).
 */
export function toWireError(e: unknown): WireError {
  if (isKeelError(e)) {
    // An exchange's error text may quote what was sent: no credential leaves in an answer.
    const w: WireError = { code: e.code, message: redact(e.message) };
    if (e.where !== undefined) w.where = e.where;
    if (e.details !== undefined) w.details = jsonSafe(e.details);
    if (w.details !== undefined) w.details = JSON.parse(redact(JSON.stringify(w.details))) as Record<string, unknown>;
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

/**
 * What an untrusted value is, for a message about it. Never calls the value's own methods
 * (`String(x)` runs a hostile `toString`); strings are quoted with control and non-ASCII
 * bytes escaped, and cut at 60 characters.
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return escapeText(v.length > 60 ? `${v.slice(0, 60)}…` : v);
    case 'number':
    case 'boolean':
      return `${v}`;
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

/** A string as a quoted literal with everything outside printable ASCII escaped: safe for a terminal and a log. */
export function escapeText(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A thrown value as log text (stack when there is one) without trusting it to stringify itself. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    try {
      return e.stack ?? e.message;
    } catch {
      return e.name;
    }
  }
  return describeValue(e);
}
