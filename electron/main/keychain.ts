import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';

/**
 * Exchange API keys in the OS keychain (macOS Keychain, Windows Credential Manager,
 * Secret Service on Linux). Main process only: the page may store or delete a key but
 * never read one back. On Linux we insist on the Secret Service: the kernel keyring the
 * library would otherwise fall back to forgets everything at logout, which would look
 * like keys vanishing. No keychain means we refuse to store keys, and say why.
 * Nothing here logs a key or puts one in an error message.
 */
export interface ApiKey {
  apiKey: string;
  secret: string;
  password?: string;
}

export class KeychainUnavailableError extends Error {
  constructor(reason: string) {
    super(`no OS keychain is available, so API keys cannot be stored safely: ${reason}`);
    this.name = 'KeychainUnavailableError';
  }
}

const EXCHANGE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function accountFor(exchange: string): string {
  if (!EXCHANGE_ID.test(exchange)) throw new Error(`"${exchange.slice(0, 50)}" is not an exchange id (lower-case letters, digits, - and _)`);
  return `api-key:${exchange}`;
}

function checkKey(k: ApiKey): void {
  for (const field of ['apiKey', 'secret'] as const) {
    const v = k[field];
    if (typeof v !== 'string' || v.trim() === '' || v.length > 4096) throw new Error(`${field} must be a non-empty string of at most 4096 characters`);
  }
  if (k.password !== undefined && (typeof k.password !== 'string' || k.password.length > 4096)) throw new Error('password must be a string of at most 4096 characters');
}

/** Error text from the native layer, trimmed: it never contains the secret, but keep it short. */
function reasonOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

export class Keychain {
  private readonly options: EntryOptions | undefined;

  constructor(
    private readonly service = 'Keel',
    platform: NodeJS.Platform = process.platform,
  ) {
    this.options = platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
  }

  private entry(account: string): AsyncEntry {
    return new AsyncEntry(this.service, account, this.options);
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

  async setApiKey(exchange: string, key: ApiKey): Promise<void> {
    const account = accountFor(exchange);
    checkKey(key);
    await this.requireAvailable();
    const value: ApiKey = { apiKey: key.apiKey, secret: key.secret };
    if (key.password !== undefined) value.password = key.password;
    await this.entry(account).setPassword(JSON.stringify(value));
  }

  /** For main's own use (handing keys to the engine for live trading); never exposed to the page. */
  async getApiKey(exchange: string): Promise<ApiKey | undefined> {
    const account = accountFor(exchange);
    await this.requireAvailable();
    const raw = await this.entry(account).getPassword();
    if (raw === null) return undefined;
    try {
      const v = JSON.parse(raw) as ApiKey;
      checkKey(v);
      return v;
    } catch {
      throw new Error(`the stored API key for ${exchange} is not in Keel's format; store it again`);
    }
  }

  async hasApiKey(exchange: string): Promise<boolean> {
    return (await this.getApiKey(exchange)) !== undefined;
  }

  async deleteApiKey(exchange: string): Promise<boolean> {
    const account = accountFor(exchange);
    await this.requireAvailable();
    return this.entry(account).deletePassword();
  }
}
