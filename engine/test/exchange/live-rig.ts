// A live desk against the exchange simulator on 127.0.0.1: the real ccxt adapter, the real
// order manager and risk layer, the journal in a real SQLite file.
import ccxt from 'ccxt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WallClock } from '../../src/core/clock';
import { TradingDesk } from '../../src/desk/desk';
import { openLimits } from '../../src/desk/paper-run';
import { ExchangeClient } from '../../src/exchange/client';
import { LiveIds } from '../../src/exchange/live/live-ids';
import { LiveSession } from '../../src/exchange/live/live-session';
import { LiveVenue, type LiveVenueOptions } from '../../src/exchange/live/live-venue';
import { splitVenueSymbol } from '../../src/exchange/venue-symbol';
import { orderProfile, type OrderProfile } from '../../src/exchange/live/profiles';
import { ExchangeSimulator, type SimulatorOptions } from '../../src/exchange/simulator/server';
import type { Instrument } from '../../src/model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES, type OrderType } from '../../src/model/order';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';

export const KEY = 'live-test-key-0123456789';
export const SECRET = 'live-test-secret-0123456789';
export const SYM = 'binance:BTC/USDT';
/** A secret in base64, for tests that sign Kraken's way (Kraken's key is the base64-decoded secret). */
export const B64_SECRET = Buffer.from('a kraken-style secret for the simulator, 64 bytes long or so....').toString('base64');

/**
 * Lends a Binance client on the simulator ccxt's own Kraken cancelAllOrdersAfter: the simulator
 * speaks Binance for orders and serves Kraken's dead man's switch beside them (Binance spot has
 * none), so the request it checks is the one ccxt sends Kraken. The key's secret must be B64_SECRET.
 */
export function lendKrakenSwitch(client: ExchangeClient, apiUrl: string): void {
  // Unthrottled, as the rig's Binance client is against the simulator.
  const kraken = new ccxt.kraken({ apiKey: KEY, secret: B64_SECRET, enableRateLimit: false });
  (kraken.urls as { api: Record<string, string> }).api.private = apiUrl;
  // Its markets are Binance's here; Kraken's adapter only asks that some are loaded.
  kraken.markets = {} as typeof kraken.markets;
  const ex = client.ex as unknown as { has: Record<string, unknown>; cancelAllOrdersAfter: (ms: number, params?: object) => Promise<unknown> };
  ex.has.cancelAllOrdersAfter = true;
  ex.cancelAllOrdersAfter = (ms, params) => kraken.cancelAllOrdersAfter(ms, params);
}
const NATIVE = ORDER_TYPES.filter((t) => t === 'market' || t === 'limit');

export interface RigOptions {
  sim?: SimulatorOptions;
  /** An existing simulator (a restart against the same exchange). */
  simulator?: ExchangeSimulator;
  /** An existing home (a restart). */
  dir?: string;
  venue?: Partial<LiveVenueOptions>;
  profile?: Partial<OrderProfile>;
  /** Instruments the desk knows; default the exchange's own. */
  instruments?: (own: Instrument[]) => Instrument[];
  tag?: string;
  timeoutMs?: number;
  /** The key's secret (default SECRET); Kraken-signed requests need one in base64. */
  secret?: string;
}

export async function liveRig(o: RigOptions = {}) {
  const sim = o.simulator ?? (await ExchangeSimulator.start({ historyBars: 200, tradesPerSecond: 20, rateLimit: false, keys: { [KEY]: o.secret ?? SECRET }, seed: 7, ...o.sim }));
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'keel-live-'));
  const d = await openLiveDesk(sim.url, dir, o.dir !== undefined, o);
  return {
    ...d,
    sim,
    dir,
    account: () => sim.broker.account(KEY),
    /** The requests the simulator received for one path and method. */
    requests: (method: string, path: string) => sim.requests.filter((r) => r.method === method && r.path === path),
    async close(opts: { keepSim?: boolean; keepDir?: boolean } = {}) {
      await d.close();
      if (!opts.keepSim && !o.simulator) await sim.stop();
      if (!opts.keepDir && !o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The live desk on `dir` against the exchange at `apiUrl`; `restart`: the book is rebuilt from the journal. */
export async function openLiveDesk(apiUrl: string, dir: string, restart: boolean, o: RigOptions = {}) {
  const store = StateStore.open(join(dir, 'state.sqlite'));
  const client = await ExchangeClient.create({ exchange: 'binance', apiUrl, rateLimitMs: 0, timeoutMs: o.timeoutMs ?? 1_500, credentials: { apiKey: KEY, secret: o.secret ?? SECRET } });
  await client.markets();
  const own = await client.instruments();
  const profile = { ...orderProfile('binance'), ...o.profile };
  const clock = new WallClock();
  const ids = new LiveIds(o.tag ?? 'abc', profile);
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const venue = new LiveVenue({ client, name: 'sim (binance)', profile, prefix: ids.prefix, clock, log, ...o.venue });
  const risk = new RiskEngine({ clock, limits: openLimits() });
  const desk = new TradingDesk({
    clock,
    ids,
    venue,
    risk,
    journal: new SqliteOrderJournal(store),
    instruments: o.instruments ? o.instruments(own) : own,
    // What the live venue sends; the emulator holds the rest.
    nativeTypes: new Set<OrderType>(NATIVE),
    persistence: store,
    log,
    ownClientIds: true,
  });
  // A restart rebuilds the book from the journal; a new home starts with its cash.
  if (restart) desk.restore(1_000_000);
  else desk.deposit(MANUAL_LEDGER, 1_000_000);
  const instruments = new Map(own.map((i) => [i.symbol, i]));
  const session = new LiveSession({
    account: 'sim',
    desk,
    venue,
    store,
    fills: () => store.fills(),
    assetsOf: (symbol) => {
      const i = instruments.get(symbol) ?? instruments.get(`binance:${splitVenueSymbol(symbol)?.symbol ?? symbol}`);
      if (!i) throw new Error(`no instrument ${symbol}`);
      return { base: i.base, quote: i.quote };
    },
    clock,
    log,
    retryMs: 300,
    resweepMs: 500,
  });
  session.armKillSwitch(risk.killSwitch);
  const refresh = async () => {
    const t = await client.read('ticker', (ex) => ex.fetchTicker('BTC/USDT'));
    desk.onTrade(SYM, { ts: Date.now(), price: Number(t.last), amount: 1, side: undefined });
    return Number(t.last);
  };
  return {
    store,
    client,
    venue,
    session,
    desk,
    risk,
    ids,
    logs,
    refresh,
    async close() {
      await session.stop();
      await client.close();
      store.close();
    },
  };
}

export type LiveRig = Awaited<ReturnType<typeof liveRig>>;

export async function until<T>(what: () => T | undefined | false, ms = 10_000, label = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = what();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
