import type { Exchange } from 'ccxt';

/**
 * What differs between exchanges (and between ccxt's adapters of them) on the order path,
 * read from each adapter's source in node_modules/ccxt/js/src:
 *
 * - binance: createOrder reads `newClientOrderId` (or `clientOrderId`) into the request's
 *   newClientOrderId; ids of at most 36 of `[.A-Z:/a-z0-9_-]`. One order is fetched or
 *   cancelled by client id with `origClientOrderId`. A create's signed request is refused
 *   after recvWindow (ccxt's default for binance: 10 s): an order not found well after that never
 *   reached the exchange.
 * - kraken: createOrder maps `clientOrderId` to `cl_ord_id` (a UUID or up to 18 characters);
 *   fetchOrder takes only the txid (or the integer userref), so an order is found by client
 *   id by filtering the open and the closed orders; cancelOrder takes `cl_ord_id`.
 * - coinbase (Advanced Trade): createOrder always writes its own `client_order_id`
 *   (`ccxt-<uuid>`) and omits `clientOrderId` from the params; only the raw
 *   `client_order_id` overrides it. No fetch by client id: open and closed orders are filtered.
 * - any other ccxt exchange: the unified `clientOrderId`, looked up by filtering.
 *
 * Cancel-on-disconnect (a dead man's switch): where ccxt's adapter has `cancelAllOrdersAfter`
 * (Kraken: `POST /0/private/CancelAllOrdersAfter` with `timeout` in seconds), the live venue
 * arms it and refreshes it every third of its timeout; if Keel stops refreshing (killed, cut
 * off), the exchange cancels every open order of the key when the timeout runs out. Binance
 * spot and Coinbase Advanced Trade offer none: there, orders stay working when Keel is gone.
 */
export interface OrderProfile {
  exchange: string;
  /** The longest client order id the exchange takes. */
  clientIdMax: number;
  /** The characters it takes. */
  clientIdChars: RegExp;
  /** createOrder params that carry Keel's client order id. */
  createParams(clientOrderId: string): Record<string, unknown>;
  /** 'fetchOrder': one request by client id (`fetchOrderParams`); 'scan': the open and the closed orders, filtered. */
  lookup: 'fetchOrder' | 'scan';
  fetchOrderParams?(clientOrderId: string): Record<string, unknown>;
  /** cancelOrder by client id when the venue's own id is not known yet; undefined where the exchange cannot. */
  cancelByClientIdParams?(clientOrderId: string): Record<string, unknown>;
  /** After this long, an order not found at the exchange never reached it. */
  notFoundFinalAfterMs: number;
  /** Whether the API key may withdraw, where the exchange tells (undefined: it does not). */
  canWithdraw?(ex: Exchange): Promise<boolean | undefined>;
  /** The dead man's switch's timeout where the exchange has one (see cancelOnDisconnect); default DEAD_MAN_MS. */
  cancelOnDisconnectMs?: number;
}

/** A dead man's switch's timeout unless the profile says otherwise. */
const DEAD_MAN_MS = 60_000;

type Implicit = Record<string, ((params?: object) => Promise<unknown>) | undefined>;

const binance: OrderProfile = {
  exchange: 'binance',
  clientIdMax: 36,
  clientIdChars: /^[.A-Z:/a-z0-9_-]+$/,
  createParams: (id) => ({ newClientOrderId: id }),
  lookup: 'fetchOrder',
  fetchOrderParams: (id) => ({ origClientOrderId: id }),
  cancelByClientIdParams: (id) => ({ origClientOrderId: id }),
  // ccxt's recvWindow (10 s) plus the clock difference Binance allows (1 s) and a margin.
  notFoundFinalAfterMs: 15_000,
  async canWithdraw(ex) {
    // The key's own restrictions where the host serves them; else the account's flag (which the simulator serves).
    const api = ex as unknown as Implicit;
    try {
      const r = (await api.sapiGetAccountApiRestrictions?.()) as { enableWithdrawals?: boolean } | undefined;
      if (typeof r?.enableWithdrawals === 'boolean') return r.enableWithdrawals;
    } catch {
      // not served here (a simulator, a testnet): the account flag below
    }
    const b = (await ex.fetchBalance()) as { info?: { canWithdraw?: unknown } };
    return typeof b.info?.canWithdraw === 'boolean' ? b.info.canWithdraw : undefined;
  },
};

const kraken: OrderProfile = {
  exchange: 'kraken',
  clientIdMax: 18,
  clientIdChars: /^[A-Za-z0-9-]+$/,
  createParams: (id) => ({ clientOrderId: id }),
  lookup: 'scan',
  cancelByClientIdParams: (id) => ({ cl_ord_id: id }),
  notFoundFinalAfterMs: 30_000,
  // Kraken's advice: a 60 s timeout, refreshed every 15 to 30 s.
  cancelOnDisconnectMs: 60_000,
};

const coinbase: OrderProfile = {
  exchange: 'coinbase',
  clientIdMax: 36,
  clientIdChars: /^[A-Za-z0-9-]+$/,
  createParams: (id) => ({ client_order_id: id }),
  lookup: 'scan',
  notFoundFinalAfterMs: 30_000,
  async canWithdraw(ex) {
    const r = (await (ex as unknown as Implicit).v3PrivateGetBrokerageKeyPermissions?.()) as { can_transfer?: boolean } | undefined;
    return typeof r?.can_transfer === 'boolean' ? r.can_transfer : undefined;
  },
};

const generic = (exchange: string): OrderProfile => ({
  exchange,
  clientIdMax: 32,
  clientIdChars: /^[A-Za-z0-9-]+$/,
  createParams: (id) => ({ clientOrderId: id }),
  lookup: 'scan',
  notFoundFinalAfterMs: 60_000,
});

const PROFILES: Record<string, OrderProfile> = { binance, binanceus: { ...binance, exchange: 'binanceus' }, kraken, coinbase };

export function orderProfile(exchange: string): OrderProfile {
  return PROFILES[exchange] ?? generic(exchange);
}

/** Whether a client order id fits the exchange: Keel's ids are made to (prefix + a short sequence), this checks they did. */
export function fitsProfile(profile: OrderProfile, clientOrderId: string): boolean {
  return clientOrderId.length <= profile.clientIdMax && profile.clientIdChars.test(clientOrderId);
}

/**
 * Whether Keel can leave a dead man's switch at this exchange, and for how long: where ccxt's
 * adapter has cancelAllOrdersAfter, the profile's timeout; else why not, in the words the
 * Risk screen and the docs use.
 */
export function cancelOnDisconnect(profile: OrderProfile, ex: Pick<Exchange, 'has'>, timeoutMs = profile.cancelOnDisconnectMs ?? DEAD_MAN_MS): { timeoutMs: number } | { missing: string } {
  if (ex.has.cancelAllOrdersAfter !== true) return { missing: `${profile.exchange} offers no cancel-on-disconnect: if Keel stops (killed, cut off), its orders stay working at the exchange` };
  if (!(timeoutMs > 0)) return { missing: 'cancel-on-disconnect is turned off for this account' };
  return { timeoutMs };
}
