import { parseApiUrl } from './api-url';

/** Where settings live: the state database's settings table (StateStore implements it). */
export interface SettingsStore {
  setting(key: string): unknown;
  setSetting(key: string, value: unknown, ts: number): void;
}

const key = (exchange: string) => `exchange.${exchange.toLowerCase()}.apiUrl`;

/**
 * The per-exchange API URL override (`--api-url`'s setting), kept in the state database so
 * the UI's "Advanced: API URL" and `keel download` without the flag use the same one.
 */
export class ExchangeSettings {
  constructor(private readonly store: SettingsStore) {}

  apiUrl(exchange: string): string | undefined {
    const v = this.store.setting(key(exchange));
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  /** Sets (checked, normalised) or clears (undefined or '') the override; returns what is stored. */
  setApiUrl(exchange: string, url: string | undefined, now = Date.now()): string | undefined {
    const value = url === undefined || url.trim() === '' ? undefined : parseApiUrl(url, 'apiUrl').href;
    this.store.setSetting(key(exchange), value ?? '', now);
    return value;
  }
}
