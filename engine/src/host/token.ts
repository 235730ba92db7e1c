import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh session token: 256 random bits as hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time comparison; hashing first makes unequal lengths take the same path. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
