import { KeelError } from '../core/errors';
import { accountNameProblem, liveConfirmation, maskKey, type ExchangeAccount } from '../model/exchange-account';
import { checkCredentials, type ApiCredentials } from '../secrets/keychain';
import type { SecretStore } from '../secrets/secret-store';
import { redact } from '../secrets/redact';
import { parseApiUrl } from './api-url';
import { ExchangeClient } from './client';
import { orderProfile } from './live/profiles';

/** Where account metadata lives (StateStore implements it): never a key or a secret. */
export interface AccountRows {
  exchangeAccounts(): ExchangeAccount[];
  exchangeAccount(name: string): ExchangeAccount | undefined;
  addExchangeAccount(a: ExchangeAccount): void;
  updateExchangeAccount(name: string, change: { canWithdraw?: boolean | null; liveSince?: number | null }): void;
  removeExchangeAccount(name: string): boolean;
  appendAudit(e: { ts: number; actor: string; action: string; before: unknown; after: unknown }): void;
}

export interface NewAccount {
  exchange: string;
  name: string;
  testnet?: boolean;
  apiUrl?: string;
  credentials: ApiCredentials;
}

/** What asking the exchange about a key found: whether it may withdraw, or why it could not be asked. */
export interface KeyCheck {
  canWithdraw?: boolean;
  problem?: string;
}

/**
 * Exchange accounts: the metadata in the state database, the key, secret and passphrase in the
 * OS keychain under the account's name (SecretStore), and nowhere else. Adding writes the
 * keychain first and takes the entry back out if the row cannot be written, so there is
 * never a row without its key or a key nobody lists. Removing deletes the keychain entry
 * before the row: without a keychain the account stays listed, to be removed once it is back.
 */
export class ExchangeAccounts {
  constructor(
    private readonly rows: AccountRows,
    private readonly secrets: SecretStore,
    private readonly now: () => number = Date.now,
  ) {}

  list(): ExchangeAccount[] {
    return this.rows.exchangeAccounts();
  }

  get(name: string): ExchangeAccount {
    const a = this.rows.exchangeAccount(name);
    if (!a) throw new KeelError('NOT_FOUND', `no exchange account named "${name.slice(0, 40)}" (keel account list shows them)`, { where: 'name' });
    return a;
  }

  async add(req: NewAccount): Promise<ExchangeAccount> {
    const nameProblem = accountNameProblem(req.name);
    if (nameProblem) throw new KeelError('BAD_INPUT', nameProblem, { where: 'name' });
    const credentials = checkCredentials(req.credentials);
    if (this.rows.exchangeAccount(req.name)) throw new KeelError('CONFLICT', `an account named "${req.name}" exists already; remove it first or choose another name`, { where: 'name' });
    const apiUrl = req.apiUrl === undefined || req.apiUrl === '' ? undefined : parseApiUrl(req.apiUrl, 'apiUrl').href;
    // ccxt is asked what the exchange is and what it needs (no request leaves): an unknown id,
    // a testnet it does not have or a missing passphrase is refused before anything is stored.
    const client = await ExchangeClient.create({ exchange: req.exchange, apiUrl, sandbox: req.testnet === true });
    try {
      const needs = client.ex.requiredCredentials as { password?: boolean } | undefined;
      if (needs?.password && credentials.password === undefined) {
        throw new KeelError('BAD_INPUT', `${client.id} needs a passphrase with its key: give it as the third line (or KEEL_API_PASSWORD)`, { where: 'password' });
      }
    } finally {
      await client.close();
    }
    const account: ExchangeAccount = { name: req.name, exchange: client.id, testnet: req.testnet === true, keyMasked: maskKey(credentials.apiKey), createdAt: this.now() };
    if (apiUrl !== undefined) account.apiUrl = apiUrl;
    await this.secrets.set(req.name, credentials);
    try {
      this.rows.addExchangeAccount(account);
    } catch (e) {
      await this.secrets.delete(req.name).catch(() => false);
      throw e;
    }
    return account;
  }

  async remove(name: string): Promise<{ removed: boolean; keychain: boolean }> {
    this.get(name);
    const keychain = await this.secrets.delete(name);
    return { removed: this.rows.removeExchangeAccount(name), keychain };
  }

  /**
   * Puts an account live (orders on it go to the exchange) or back to paper. Live needs the
   * trader's typed confirmation, `LIVE <name>` (liveConfirmation); going back needs none.
   * Audited either way.
   */
  setLive(name: string, live: boolean, confirm: string | undefined, actor: string): ExchangeAccount {
    const a = this.get(name);
    if (live && confirm !== liveConfirmation(name)) {
      throw new KeelError('BAD_INPUT', `to trade live on ${name}, confirm by typing exactly "${liveConfirmation(name)}"`, { where: 'confirm' });
    }
    if (live === (a.liveSince !== undefined)) return a;
    const ts = this.now();
    this.rows.updateExchangeAccount(name, { liveSince: live ? ts : null });
    this.rows.appendAudit({ ts, actor, action: live ? 'account.live' : 'account.paper', before: { name, live: !live }, after: { name, live } });
    return this.get(name);
  }

  /** The account's credentials from the keychain; an account whose entry is gone is said so. */
  async credentials(name: string): Promise<ApiCredentials> {
    this.get(name);
    const c = await this.secrets.get(name);
    if (!c) throw new KeelError('NOT_FOUND', `the keychain holds no key for account "${name}"; remove the account and add it again`, { where: 'keychain' });
    return c;
  }

  /**
   * Asks the exchange, with the account's key, whether the key may withdraw (where the exchange
   * tells), and keeps the answer. A failure is an answer too: it says why (a refused key, no
   * connection), never with the key in it.
   */
  async checkKey(name: string, timeoutMs = 10_000): Promise<KeyCheck> {
    const a = this.get(name);
    const credentials = await this.credentials(name);
    const profile = orderProfile(a.exchange);
    if (!profile.canWithdraw) return { problem: `${a.exchange} does not say what a key may do` };
    const client = await ExchangeClient.create({ exchange: a.exchange, apiUrl: a.apiUrl, sandbox: a.testnet, credentials, timeoutMs });
    try {
      const canWithdraw = await profile.canWithdraw(client.ex);
      this.rows.updateExchangeAccount(name, { canWithdraw: canWithdraw ?? null });
      return canWithdraw === undefined ? { problem: `${a.exchange} did not say whether the key may withdraw` } : { canWithdraw };
    } catch (e) {
      return { problem: redact(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300) };
    } finally {
      await client.close();
    }
  }
}
