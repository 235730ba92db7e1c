/**
 * One error type for the whole engine. `code` is stable and machine-readable (the protocol
 * carries it across process boundaries); `where` says which input, file, line or field
 * was at fault, so a trader can fix the cause instead of guessing.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_FILE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'RISK_DENIED'
  | 'KILL_SWITCH'
  | 'UNAVAILABLE'
  | 'CANCELLED'
  | 'INTERNAL';

export class KeelError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { where?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(opts.where ? `${opts.where}: ${message}` : message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KeelError';
    this.code = code;
    this.where = opts.where;
    this.details = opts.details;
  }
}

export function badInput(message: string, where?: string, details?: Record<string, unknown>): KeelError {
  return new KeelError('BAD_INPUT', message, { where, details });
}

export function isKeelError(e: unknown): e is KeelError {
  return e instanceof KeelError;
}
