import { badInput } from '../core/errors';

/**
 * `--api-url URL` (and the UI's advanced setting): the scheme, host and port of every
 * endpoint an exchange adapter knows are replaced, its own paths kept. Binance's
 * `https://api.binance.com/api/v3/klines` becomes `http://127.0.0.1:9000/api/v3/klines`
 * under `http://127.0.0.1:9000`, and its websocket `wss://stream.binance.com:9443/ws`
 * becomes `ws://127.0.0.1:9000/ws`: websocket hosts follow with the matching scheme
 * (http -> ws, https -> wss). This is how tests reach the simulator, and how a trader
 * reaches a testnet or a proxy.
 */
export interface ApiOrigin {
  /** 'http:' or 'https:' */
  protocol: string;
  /** host[:port] */
  host: string;
  /** The normalised form, e.g. `http://127.0.0.1:9000`. */
  href: string;
}

/** Parses and checks an API URL: http(s), a host, no path, query or credentials. */
export function parseApiUrl(raw: string, where = '--api-url'): ApiOrigin {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw badInput(`"${raw}" is not a URL (expected e.g. http://127.0.0.1:9000)`, where);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badInput(`the API URL must be http or https, not ${u.protocol.replace(':', '')}`, where);
  if (u.username || u.password) throw badInput('the API URL must not carry credentials', where);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw badInput(`the API URL replaces scheme, host and port only; drop the path "${u.pathname}${u.search}${u.hash}" (the exchange's own paths are kept)`, where);
  }
  return { protocol: u.protocol, host: u.host, href: `${u.protocol}//${u.host}` };
}

const ENDPOINT = /^(https?|wss?):\/\/[^/?#]+(.*)$/i;

/** One endpoint moved to `origin`, its path kept. Strings that are not endpoints come back as they were. */
export function rewriteEndpoint(url: string, origin: ApiOrigin): string {
  const m = ENDPOINT.exec(url);
  if (!m) return url;
  const scheme = m[1]!.toLowerCase();
  const secure = origin.protocol === 'https:';
  const to = scheme.startsWith('ws') ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  return `${to}://${origin.host}${m[2]}`;
}

/**
 * A copy of an adapter's `urls.api` (a string, or nested records of them) with every
 * endpoint moved to `origin`. Anything else (numbers, flags) is copied as is.
 */
export function rewriteApiUrls<T>(api: T, origin: ApiOrigin): T {
  if (typeof api === 'string') return rewriteEndpoint(api, origin) as T;
  if (Array.isArray(api)) return api.map((v) => rewriteApiUrls(v, origin)) as T;
  if (api !== null && typeof api === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(api)) out[k] = rewriteApiUrls(v, origin);
    return out as T;
  }
  return api;
}
