import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVE_TOKEN_FILE, ensurePrivateDir } from '../core/paths';

export { SERVE_TOKEN_FILE };
const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/** A fresh session token: 256 random bits as hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The home's serve token: the one stored in <home>/serve-token, or a new one written there
 * (mode 0600: it is a password to the engine) when there is none, it is malformed, or
 * `rotate` asks for a new one. A file readable by others is narrowed back to 0600.
 */
export function homeToken(home: string, rotate = false): string {
  const file = join(home, SERVE_TOKEN_FILE);
  if (!rotate) {
    let stored: string | undefined;
    try {
      stored = readFileSync(file, 'utf8').trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (stored !== undefined && TOKEN_SHAPE.test(stored)) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return stored;
    }
  }
  const token = newToken();
  ensurePrivateDir(home);
  // Written whole under another name, then renamed: a reader never sees half a token.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file's mode would stay
  renameSync(tmp, file);
  return token;
}

/** Constant-time comparison; hashing first makes unequal lengths take the same path. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
