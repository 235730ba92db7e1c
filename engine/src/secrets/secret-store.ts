import type { ApiCredentials } from '../model/exchange-account';
import { rememberSecrets } from './redact';

/**
 * Where an account's credentials are read and written: the credential source. Headless (and
 * the CLI) it is the OS keychain itself (keychain.ts); under Electron it is main, which alone
 * opens the keychain in that mode, asked over the control channel (host/main-keychain.ts).
 * The engine picks one at start (EngineAppOptions.secrets) and never both.
 */
export interface SecretStore {
  available(): Promise<{ ok: boolean; reason?: string }>;
  get(account: string): Promise<ApiCredentials | undefined>;
  set(account: string, creds: ApiCredentials): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/**
 * A credential source whose every credential, read or written, is remembered for redaction
 * (redact.ts) before anyone else sees it: logs, error answers and exchange errors mask it
 * wherever it appears, whichever source it came from.
 */
export class KeychainSecrets implements SecretStore {
  constructor(private readonly source: SecretStore) {}

  available(): Promise<{ ok: boolean; reason?: string }> {
    return this.source.available();
  }

  async get(account: string): Promise<ApiCredentials | undefined> {
    const c = await this.source.get(account);
    if (c) rememberSecrets(c.apiKey, c.secret, c.password);
    return c;
  }

  set(account: string, creds: ApiCredentials): Promise<void> {
    rememberSecrets(creds.apiKey, creds.secret, creds.password);
    return this.source.set(account, creds);
  }

  delete(account: string): Promise<boolean> {
    return this.source.delete(account);
  }
}
