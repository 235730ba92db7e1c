import { Keychain, type ApiCredentials } from './keychain';
import { rememberSecrets } from './redact';

/**
 * Where an account's credentials are read and written. Headless (and the CLI) the engine
 * talks to the OS keychain itself; under Electron main does, and the engine asks it over the
 * control channel (host/parent-port.ts). Either way every credential read is remembered for
 * redaction before anyone else sees it.
 */
export interface SecretStore {
  available(): Promise<{ ok: boolean; reason?: string }>;
  get(account: string): Promise<ApiCredentials | undefined>;
  set(account: string, creds: ApiCredentials): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export class KeychainSecrets implements SecretStore {
  constructor(private readonly keychain = new Keychain()) {}

  available(): Promise<{ ok: boolean; reason?: string }> {
    return this.keychain.available();
  }

  async get(account: string): Promise<ApiCredentials | undefined> {
    const c = await this.keychain.get(account);
    if (c) rememberSecrets(c.apiKey, c.secret, c.password);
    return c;
  }

  set(account: string, creds: ApiCredentials): Promise<void> {
    rememberSecrets(creds.apiKey, creds.secret, creds.password);
    return this.keychain.set(account, creds);
  }

  delete(account: string): Promise<boolean> {
    return this.keychain.delete(account);
  }
}
