import type { EngineConnection } from '../client/connection';
import { orderEventText } from '../lib/orderText';
import { loadAlerts, onAlertPushed } from './alerts';
import { useBacktest } from './backtest';
import { useConnection } from './connection';
import { useData } from './data';
import { reloadDrawings } from './drawings';
import { useDesk } from './desk';
import { useExchanges } from './exchanges';
import { liveAccounts, useLive } from './live';
import { useMarket } from './market';
import { notePrice } from './prices';
import { replayActive, useReplay } from './replay';
import { useResearch } from './research';
import { useRisk } from './risk';
import { useSystem } from './system';
import { useTrading } from './trading';
import { useUi } from './ui';
import { loadWorkspace } from './workspace';

let current: EngineConnection | undefined;

/** The one client of this page. Screens call through it; stores are fed by wire(). */
export function client(): EngineConnection {
  if (!current) throw new Error('the engine client is not set up yet');
  return current;
}

export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) {
    const where = (e as { where?: string }).where;
    const msg = String((e as { message: unknown }).message);
    return where && !msg.startsWith(where) ? `${where}: ${msg}` : msg;
  }
  return String(e);
}

/** Loads what every screen needs; re-run after each reconnect, since the engine may have restarted. */
async function loadAll(c: EngineConnection): Promise<void> {
  const t = useTrading.getState();
  const settle = async <T>(p: Promise<T>, use: (v: T) => void): Promise<void> => {
    try {
      use(await p);
    } catch (e) {
      useSystem.getState().addLogs([{ ts: Date.now(), level: 'warn', source: 'ui', message: `load failed: ${errorText(e)}` }]);
    }
  };
  await Promise.all([
    settle(c.call('data.datasets', {}), (d) => useMarket.getState().setDatasets(d)),
    settle(c.call('indicators.catalogue', {}), (d) => useMarket.getState().setCatalogue(d)),
    settle(c.call('strategies.list', {}), (d) => useBacktest.getState().setStrategies(d)),
    settle(c.call('backtest.list', {}), (d) => useBacktest.getState().setRuns(d)),
    settle(c.call('orders.list', { scope: 'all', limit: 500 }), (d) => t.applyOrders(d)),
    settle(c.call('fills.list', { limit: 500 }), (d) => t.applyFills(d)),
    settle(c.call('positions.list', {}), (d) => t.setPositions(d)),
    settle(c.call('account.get', {}), (d) => t.setAccount(d)),
    settle(c.call('risk.state', {}), (d) => useRisk.getState().setRisk(d)),
    settle(c.call('system.status', {}), (d) => useSystem.getState().setStatus(d)),
    settle(c.call('system.logs', { limit: 200 }), (d) => useSystem.getState().setLogs(d)),
    settle(c.call('replay.state', {}), (d) => useReplay.getState().apply(d)),
    settle(loadWorkspace(c), () => undefined),
    settle(loadAlerts(), () => undefined),
    settle(reloadDrawings(), () => undefined),
    settle(c.call('ledgers.list', {}), (d) => useDesk.getState().setLedgers(d)),
    settle(c.call('strategies.instances', {}), (d) => useDesk.getState().setInstances(d)),
    settle(c.call('download.list', {}), (d) => useExchanges.getState().onDownloads(d)),
    settle(c.call('stream.list', {}), (d) => useExchanges.getState().setStreams(d)),
    settle(c.call('accounts.list', {}), (d) => useLive.getState().setAccounts(d)),
    settle(c.call('live.status', {}), (d) => useLive.getState().setStatus(d)),
  ]);
}

/** Connects the stores to the engine: initial loads, pushed topics, periodic status. */
export function wire(c: EngineConnection): () => void {
  current = c;
  const offs: (() => void)[] = [];
  const conn = useConnection.getState();
  offs.push(c.onState((state) => conn.set({ state })));
  offs.push(
    c.onReady((info) => {
      const s = useConnection.getState();
      conn.set({ info, message: undefined, reconnects: s.info ? s.reconnects + 1 : s.reconnects });
      void loadAll(c);
    }),
  );
  offs.push(c.on('engine', (e) => conn.set({ message: e.message })));
  offs.push(
    c.on('order', (e) => {
      useTrading.getState().applyOrderEvents([e]);
      // A change confirmed (or refused) by the venue: the trader sees it wherever they changed it from.
      const text = orderEventText(e);
      if (text) useUi.getState().notify(e.kind === 'modified' ? 'ok' : 'error', text);
    }),
  );
  offs.push(c.on('bar', (b) => notePrice(b.symbol, b.close, b.ts)));
  offs.push(c.on('fill', (f) => useTrading.getState().applyFills([f])));
  offs.push(c.on('positions', (p) => useTrading.getState().setPositions(p)));
  offs.push(c.on('account', (a) => useTrading.getState().setAccount(a)));
  offs.push(c.on('denial', (d) => useTrading.getState().addDenials([d])));
  offs.push(c.on('risk', (r) => useRisk.getState().setRisk(r)));
  offs.push(
    c.on('alert', (a) => {
      useUi.getState().addAlert(a);
      onAlertPushed(a);
    }),
  );
  offs.push(c.on('ledgers', (l) => useDesk.getState().setLedgers(l)));
  offs.push(c.on('strategy', (i) => useDesk.getState().upsertInstance(i)));
  offs.push(c.on('strategyLog', (e) => useDesk.getState().addLog(e)));
  let replayPushedAt = 0;
  offs.push(
    c.on('replay', (r) => {
      replayPushedAt = Date.now();
      useReplay.getState().apply(r);
    }),
  );
  // While a replay runs and no 'replay' push has come for a while (an engine whose server
  // does not route that topic), ask for the state: the cursor and progress must move.
  const replayPoll = setInterval(() => {
    if (c.state !== 'ready' || !replayActive(useReplay.getState().state) || Date.now() - replayPushedAt < 1500) return;
    const epoch = useReplay.getState().epoch;
    c.call('replay.state', {})
      .then((r) => useReplay.getState().epoch === epoch && useReplay.getState().apply(r))
      .catch(() => undefined);
  }, 500);
  offs.push(() => clearInterval(replayPoll));
  offs.push(c.on('log', (l) => useSystem.getState().addLogs([l])));
  offs.push(c.on('download', (d) => useExchanges.getState().onDownloads([d])));
  offs.push(c.on('stream', (s) => useExchanges.getState().onStreams([s])));
  offs.push(c.on('book', (b) => useExchanges.getState().onBook(b)));
  offs.push(
    c.on('job', (j) => {
      useBacktest.getState().onJob([j]);
      useData.getState().onJob([j]);
      useResearch.getState().onJob([j]);
    }),
  );

  // The engine's watchdog wants to hear from a UI; status is cheap and feeds the header.
  const timer = setInterval(() => {
    if (c.state !== 'ready') return;
    c.call('ui.heartbeat', {}).catch(() => undefined);
    if (useUi.getState().screen === 'system') {
      c.call('system.status', {})
        .then((s) => useSystem.getState().setStatus(s))
        .catch(() => undefined);
    }
    // No topic carries the live desks' reconciliation: asked while any account is live, so
    // the Risk screen's diff and the held/ready state follow the exchange within seconds.
    if (liveAccounts(useLive.getState().accounts).length > 0) void refreshLiveStatus();
  }, 2000);
  return () => {
    clearInterval(timer);
    offs.forEach((off) => off());
  };
}

/**
 * The exchange capability table, asked for when a screen first needs it, not at load: the
 * engine loads ccxt (about a second of CPU) to answer, which a chart's first paint should not wait behind.
 */
export async function loadExchanges(): Promise<void> {
  if (useExchanges.getState().exchanges.length > 0) return;
  useExchanges.getState().setExchanges(await client().call('exchanges.list', {}, { timeoutMs: 60_000 }));
}

/** Re-reads the dataset list (after an import). */
export async function refreshDatasets(): Promise<void> {
  useMarket.getState().setDatasets(await client().call('data.datasets', {}));
}

export async function refreshRuns(): Promise<void> {
  useBacktest.getState().setRuns(await client().call('backtest.list', {}));
}

/** Re-reads the exchange accounts (after an add, remove or live switch) and the live desks. */
export async function refreshAccounts(): Promise<void> {
  useLive.getState().setAccounts(await client().call('accounts.list', {}));
  await refreshLiveStatus();
}

export async function refreshLiveStatus(): Promise<void> {
  useLive.getState().setStatus(await client().call('live.status', {}));
}
