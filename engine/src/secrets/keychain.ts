import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { KeelError } from '../core/errors';
import { accountNameProblem, credentialProblem, type ApiCredentials } from '../model/exchange-account';
import type { KeychainErrorWire } from '../../protocol/control';

export type { ApiCredentials };

const WHAT_TO_DO =
  'Keel keeps API keys only in the OS keychain, never in a file. On Linux, run a Secret Service (gnome-keyring or KeePassXC) in your session and unlock it; on macOS and Windows, sign in to your user session. Then try again.';

export class KeychainUnavailableError extends KeelError {
  constructor(reason: string) {
    super('UNAVAILABLE', `no OS keychain is available or it is locked (${reason}). ${WHAT_TO_DO}`, { where: 'keychain' });
    this.name = 'KeychainUnavailableError';
  }
}

/** Error text from the native layer, trimmed: it never contains the secret, but keep it short. */
function reasonOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

/** A keychain error as main sends it to the engine (control.ts): code, message and `where`, never a credential. */
export function keychainErrorToWire(e: unknown): KeychainErrorWire {
  if (e instanceof KeelError) return { code: e.code, message: e.message, where: e.where };
  return keychainErrorToWire(new KeychainUnavailableError(reasonOf(e)));
}

/** The same error again on the engine's side, as if the engine had asked the keychain itself. */
export function keychainErrorFromWire(w: KeychainErrorWire): KeelError {
  // KeelError puts `where: ` in front of its message; the message on the wire has it already.
  const bare = w.where !== undefined && w.message.startsWith(`${w.where}: `) ? w.message.slice(w.where.length + 2) : w.message;
  return new KeelError(w.code, bare, { where: w.where });
}

/** Checks credentials' shape (model/exchange-account.ts); the message names the field, never its value. */
export function checkCredentials(k: unknown, where = 'credentials'): ApiCredentials {
  const c = (k !== null && typeof k === 'object' ? k : {}) as Record<string, unknown>;
  for (const [field, required] of [['apiKey', true], ['secret', true], ['password', false]] as const) {
    const problem = credentialProblem(field, c[field], required);
    if (problem) throw new KeelError('BAD_INPUT', problem, { where: `${where}.${field}` });
  }
  const out: ApiCredentials = { apiKey: c.apiKey as string, secret: c.secret as string };
  if (typeof c.password === 'string' && c.password !== '') out.password = c.password;
  return out;
}

/** An account's keychain entry: `account:<name>` under the service. */
export function keychainEntryOf(account: string): string {
  const problem = accountNameProblem(account);
  if (problem) throw new KeelError('BAD_INPUT', problem, { where: 'account' });
  return `account:${account}`;
}

/**
 * Exchange API keys in the OS keychain (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux), and nowhere else: the one keychain access of Keel, used by the
 * headless engine and the CLI, and under Electron by main alone (the engine asks main for
 * what it needs over the control channel: host/main-keychain.ts). On Linux the Secret Service is insisted
 * on: the kernel keyring the library would otherwise fall back to forgets everything at
 * logout, which would look like keys vanishing. No keychain (or a locked one) is refused with
 * a message that says what to do; there is never a plain-text fallback.
 *
 * Nothing here logs a credential or puts one in an error message: errors name the account
 * and quote only the native layer's first line, which never carries the stored value.
 */
export class Keychain {
  private readonly options: EntryOptions | undefined;

  constructor(
    /** The keychain's service name; tests use their own so a developer's keys are never touched. */
    readonly service = 'Keel',
    platform: NodeJS.Platform = process.platform,
  ) {
    this.options = platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
  }

  private entry(name: string): AsyncEntry {
    return new AsyncEntry(this.service, name, this.options);
  }

  /** Probes the store with a read of an entry that need not exist. */
  async available(): Promise<{ ok: boolean; reason?: string }> {
    try {
      await this.entry('probe').getPassword();
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: reasonOf(e) };
    }
  }

  private async requireAvailable(): Promise<void> {
    const a = await this.available();
    if (!a.ok) throw new KeychainUnavailableError(a.reason ?? 'unknown reason');
  }

  async set(account: string, creds: ApiCredentials): Promise<void> {
    const name = keychainEntryOf(account);
    const value = checkCredentials(creds);
    await this.requireAvailable();
    try {
      await this.entry(name).setPassword(JSON.stringify(value));
    } catch (e) {
      throw new KeychainUnavailableError(`writing ${name}: ${reasonOf(e)}`);
    }
  }

  async get(account: string): Promise<ApiCredentials | undefined> {
    const name = keychainEntryOf(account);
    await this.requireAvailable();
    let raw: string | null | undefined;
    try {
      raw = await this.entry(name).getPassword();
    } catch (e) {
      throw new KeychainUnavailableError(`reading ${name}: ${reasonOf(e)}`);
    }
    if (raw === null || raw === undefined) return undefined;
    try {
      return checkCredentials(JSON.parse(raw));
    } catch {
      throw new KeelError('BAD_INPUT', `the keychain entry ${name} is not in Keel's format; remove the account and add it again`, { where: 'keychain' });
    }
  }

  async delete(account: string): Promise<boolean> {
    const name = keychainEntryOf(account);
    await this.requireAvailable();
    try {
      return await this.entry(name).deletePassword();
    } catch (e) {
      throw new KeychainUnavailableError(`deleting ${name}: ${reasonOf(e)}`);
    }
  }
}

/**
 * The keychain service Keel's entries live under: `Keel`, or KEEL_KEYCHAIN_SERVICE (tests
 * use their own, so that a developer's keys are never touched).
 */
export function keychainServiceOf(env: Record<string, string | undefined>): string {
  const s = env.KEEL_KEYCHAIN_SERVICE;
  return typeof s === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(s) ? s : 'Keel';
}
