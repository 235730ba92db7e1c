/**
 * An exchange account: a name the trader chose, the exchange it is at, and where its API key
 * lives (the OS keychain, under the name). The rules here are the one copy: the CLI, the
 * keychain, the wire's schemas and the Settings form all read them.
 */

/** Letters, digits, `_`, `.` and `-`, starting with a letter or digit; at most 40 (it is a keychain entry's name). */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const ACCOUNT_NAME_RULE = 'letters, digits, _ . - (starting with a letter or digit), at most 40';

/** A ccxt exchange id as Keel takes it (ccxt's ids are lower-case letters and digits). */
export const EXCHANGE_ID_PATTERN = /^[a-z0-9]{2,32}$/;

/** The longest key, secret or passphrase taken: real ones are far shorter, a longer value is a paste gone wrong. */
export const CREDENTIAL_MAX_LENGTH = 4096;

/** What the trader sees of an account. The key only masked; the secret never. */
export interface ExchangeAccount {
  name: string;
  exchange: string;
  /** ccxt's sandbox mode: the exchange's test network. */
  testnet: boolean;
  /** A simulator or a proxy in place of the exchange's hosts. */
  apiUrl?: string;
  keyMasked: string;
  /** Whether the key may withdraw, where the exchange says; undefined where it does not or was not asked. */
  canWithdraw?: boolean;
  /** When live trading was enabled on it (with its confirmation); undefined: paper only. */
  liveSince?: number;
  createdAt: number;
}

/** An account's credentials as the keychain holds them; only the keychain and the exchange client ever see them whole. */
export interface ApiCredentials {
  apiKey: string;
  secret: string;
  /** The passphrase some exchanges add to key and secret (Coinbase Exchange, OKX, KuCoin). */
  password?: string;
}

/** The paper account's name in the state database: a live account's rows must never mix with its. */
export const PAPER_ACCOUNT = 'default';

export function accountNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !ACCOUNT_NAME_PATTERN.test(name)) return `an account name is ${ACCOUNT_NAME_RULE}`;
  if (name.toLowerCase() === PAPER_ACCOUNT) return `"${name}" is the paper account's name; choose another`;
  return undefined;
}

/** The problem with one line of a credential, naming the field and never quoting the value. */
export function credentialProblem(field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === '') return required ? `${field} is missing` : undefined;
  if (typeof value !== 'string') return `${field} must be text`;
  if (value.trim() === '') return `${field} is blank`;
  if (value.length > CREDENTIAL_MAX_LENGTH) return `${field} is longer than ${CREDENTIAL_MAX_LENGTH} characters`;
  if (/[\r\n]/.test(value)) return `${field} must be one line`;
  return undefined;
}

/**
 * An API key as it may be shown: its first and last four characters (the part exchanges
 * show in their own key lists). A short key shows its last two only.
 */
export function maskKey(apiKey: string): string {
  if (apiKey.length <= 12) return `${'*'.repeat(Math.max(4, apiKey.length - 2))}${apiKey.slice(-2)}`;
  return `${apiKey.slice(0, 4)}…${apiKey.slice(-4)}`;
}

/**
 * What the trader types to put an account live: the words and the account's name, so that
 * live trading is never one click or one flag away, and never on the wrong account.
 */
export function liveConfirmation(name: string): string {
  return `LIVE ${name}`;
}
