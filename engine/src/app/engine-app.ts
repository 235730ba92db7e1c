import { isAbsolute, join, resolve } from 'node:path';
import { KeelError } from '../core/errors';
import { BACKUPS_DIR, EXPORTS_DIR, LOGS_DIR, crashDir } from '../core/paths';
import { timeframeMs } from '../core/timeframe';
import { Emitter, type Disposable } from '../core/emitter';
import { PROTOCOL_VERSION, type Alert, type BarsPayload, type EngineInfo, type MethodHandlers, type Publish, type SystemStatus } from '../../protocol/index';
import type { BarSeries } from '../model/bar';
import { INDICATOR_WARMUP_BARS } from './indicator-adapter';
import { BarFeed } from '../data/bar-feed';
import { exposureOf, type Exposure } from '../model/exposure';
import { writeBackup } from './backup';
import { writeDiagnostics } from './diagnostics';
import { BacktestJobs } from './jobs';
import { DEFAULT_REPLAY_BARS, MarketReplay } from './replay';
import { backtestAnalytics, portfolioAnalytics } from './risk-analytics';
import { exportPathInHome } from './home-files';
import { LogFile, readLogTail } from './log-file';
import { LogRing, type Logger } from './logs';
import type { MarketService, Services } from './services';
import { SystemMonitor } from './system-monitor';
import { watchQuotes } from './watchlist';
import { openServices, type WiringContext } from './wiring';
import type { SecretStore } from '../secrets/secret-store';
import pkg from '../../../package.json';

export interface EngineAppOptions {
  home: string;
  mode: EngineInfo['mode'];
  /** Replaces the real pieces (tests that exercise the facade alone). */
  openServices?: (home: string, ctx: WiringContext) => Promise<Partial<Services>>;
  /** The shipped sample data (KEEL_SAMPLES_DIR in a packaged app). */
  samplesDir?: string;
  now?: () => number;
  /** Keep the log in rotating files under <home>/logs and start from their last lines (default true). */
  logFiles?: boolean;
  /**
   * The credential source: exchange keys from the OS keychain itself (the default, headless)
   * or from Electron main, which alone opens the keychain under Electron (host/main-keychain.ts).
   */
  secrets?: SecretStore;
}

const WHAT: Record<keyof Services, string> = {
  market: 'the market-data store',
  indicators: 'the indicator library',
  backtest: 'the backtest engine',
  trading: 'the paper trading session',
  risk: 'the risk engine',
  desk: 'the paper desk',
  runs: 'the backtest run archive',
  workspace: 'the workspace store (drawings, layouts, watchlist)',
  alerts: 'the alerts',
  strategies: 'the strategy host',
  ledgers: 'the ledgers',
  exchanges: 'the exchange connections (downloads, live streams)',
  research: 'the research lab',
  live: 'the live desks of the live exchange accounts',
};

function barsPayload(series: BarSeries, resampledFrom: string | undefined, limit: number | undefined): BarsPayload {
  const from = limit !== undefined ? Math.max(0, series.length - limit) : 0;
  const col = (a: Float64Array): number[] => Array.from(a.subarray(from, series.length));
  const p: BarsPayload = {
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: col(series.ts),
    open: col(series.open),
    high: col(series.high),
    low: col(series.low),
    close: col(series.close),
    volume: col(series.volume),
  };
  if (resampledFrom !== undefined) p.resampledFrom = resampledFrom;
  return p;
}

/**
 * Where to start reading for a replay of the dataset's tail: far enough back for the last
 * DEFAULT_REPLAY_BARS bars even across gaps, without loading a long history whole.
 */
async function replayTailFrom(market: MarketService, symbol: string, timeframe: string): Promise<number | undefined> {
  const mine = (await market.datasets()).filter((d) => d.symbol === symbol);
  if (mine.length === 0) return undefined;
  const to = Math.max(...mine.map((d) => d.to));
  return Math.max(0, to - 4 * DEFAULT_REPLAY_BARS * timeframeMs(timeframe));
}

/** NaN (warm-up, undefined) travels as null: JSON has no NaN. */
function nullable(a: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]!) ? a[i]! : null;
  return out;
}

/**
 * The engine as the UI sees it: one handler per protocol method, each a short route into
 * the piece that does the work. Pieces open in the background after construction, so a
 * server can listen at once; a request that needs a piece waits for start-up, and a piece
 * that is not there answers UNAVAILABLE with what is missing.
 */
export class EngineApp {
  readonly logs = new LogRing();
  /** Every closed bar the engine sees (replays, imports, live candles); strategies and alerts listen here. */
  readonly bars = new BarFeed();
  private readonly log: Logger = this.logs.logger('engine');
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly monitor: SystemMonitor;
  private services: Partial<Services> = {};
  private state: SystemStatus['state'] = 'starting';
  private publishTo: Publish = () => {};
  private readonly jobs: BacktestJobs;
  private startup: Promise<void> | undefined;
  private readonly alertsOut = new Emitter<Alert>();

  constructor(private readonly opts: EngineAppOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.monitor = new SystemMonitor(this.now);
    this.jobs = new BacktestJobs((req, o) => this.runBacktest(req, o), (t, i) => this.publishTo(t, i), this.logs.logger('backtest'), this.now, () => this.services.runs);
    this.logs.onEntry((e) => this.publishTo('log', e));
    if (opts.logFiles !== false) this.openLogFiles();
  }

  private logFile: LogFile | undefined;

  /**
   * The log outlives the process: lines go to <home>/logs/engine.log (rotated), and the ring
   * starts with the newest lines of the previous runs, so system.logs and the System screen
   * show what happened before a restart or a crash. Without a writable home the engine runs
   * on the ring alone and says so.
   */
  private openLogFiles(): void {
    const dir = join(this.opts.home, LOGS_DIR);
    try {
      this.logs.seed(readLogTail(dir, this.logs.capacity));
      const file = LogFile.open(dir, (m) => this.log.warn(m));
      this.logFile = file;
      this.logs.onEntry((e) => file.write(e));
    } catch (e) {
      this.log.warn(`log files not kept: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Paths main's save dialog granted for one export each, with when the grant lapses. */
  private readonly exportGrants = new Map<string, number>();

  /**
   * Main tells the engine (over its control channel, which no page can use) that the trader
   * chose `path` in a save dialog: one data.export may write there in the next five minutes.
   */
  grantExport(path: string): void {
    if (this.opts.mode !== 'electron' || !isAbsolute(path)) return;
    this.exportGrants.set(resolve(path), this.now() + 5 * 60_000);
  }

  /**
   * Whether `path` was granted (and takes the grant). The page asks for the export only after
   * main answered the dialog, but main's grant travels another pipe, so it is waited for a
   * moment before the path is treated as ungranted.
   */
  private async takeExportGrant(path: string): Promise<boolean> {
    if (this.opts.mode !== 'electron' || !isAbsolute(path)) return false;
    const key = resolve(path);
    for (let waited = 0; ; waited += 50) {
      const until = this.exportGrants.get(key);
      if (until !== undefined) {
        this.exportGrants.delete(key);
        return until >= this.now();
      }
      if (waited >= 1_000) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Where pushed topics go (the protocol server's publish). */
  setPublish(publish: Publish): void {
    this.publishTo = publish;
  }

  /**
   * What the engine's pieces publish with. Every push is shown to the alerts first (bars move
   * prices across levels, risk state and denials raise risk events), then sent; an alert goes
   * to the desktop notifier too.
   */
  get publish(): Publish {
    return (t, i) => {
      this.services.alerts?.observe(t, i);
      if (t === 'alert') this.tellAlert(i as Alert);
      this.publishTo(t, i);
    };
  }

  /** Every alert the engine raises (the Electron host shows each as a desktop notification). */
  onAlert(listener: (a: Alert) => void): Disposable {
    return this.alertsOut.on(listener);
  }

  private tellAlert(a: Alert): void {
    try {
      this.alertsOut.emit(a);
    } catch (e) {
      this.log.warn(`alert not passed on to the desktop: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Opens the pieces; resolves when the engine is ready (or degraded: some pieces missing). */
  start(): Promise<void> {
    this.startup ??= (async () => {
      const t0 = performance.now();
      const open = this.opts.openServices ?? openServices;
      try {
        this.services = await open(this.opts.home, { logs: this.logs, publish: this.publish, samplesDir: this.opts.samplesDir, bars: this.bars, secrets: this.opts.secrets });
      } catch (e) {
        this.log.error(`start-up failed: ${e instanceof Error ? e.message : String(e)}`);
        this.services = {};
      }
      const missing = (Object.keys(WHAT) as (keyof Services)[]).filter((k) => !this.services[k]);
      this.state = missing.length === 0 ? 'ready' : 'degraded';
      if (missing.length > 0) this.log.warn(`not available: ${missing.map((k) => WHAT[k]).join(', ')}`);
      this.log.info(`engine ${this.state} in ${Math.round(performance.now() - t0)} ms (home ${this.opts.home})`);
      this.publishTo('engine', { state: 'ready', message: missing.length ? `degraded: ${missing.join(', ')} unavailable` : undefined });
    })();
    return this.startup;
  }

  async close(): Promise<void> {
    this.jobs.cancelAll();
    this.services.research?.cancelAll();
    this.replayer?.close();
    await this.startup;
    const s = this.services;
    this.services = {};
    await s.alerts?.idle();
    // Exchanges first: their downloads and streams write into the market store.
    await s.live?.close().catch(() => undefined);
    await s.exchanges?.close().catch(() => undefined);
    await Promise.allSettled([s.trading?.close(), s.risk?.close(), s.market?.close()]);
    s.workspace?.close();
    this.monitor.close();
    this.logFile?.close();
  }

  info(): EngineInfo {
    return { version: pkg.version, protocol: PROTOCOL_VERSION, mode: this.opts.mode, tradingMode: 'paper', home: this.opts.home, startedAt: this.startedAt };
  }

  /**
   * What is open on every ledger. A missing trading piece or strategy host is an error, not
   * "nothing open": the caller (the updater) must not take an engine that cannot look for
   * "all clear".
   */
  async exposure(): Promise<Exposure> {
    const [trading, strategies] = await Promise.all([this.need('trading'), this.need('strategies')]);
    return exposureOf(trading.positions(), trading.orders('working', 10_000), strategies.instances());
  }

  /** The piece, once start-up is over; UNAVAILABLE when it is not part of this engine. */
  private async need<K extends keyof Services>(k: K): Promise<Services[K]> {
    await this.start();
    const s = this.services[k];
    if (!s) throw new KeelError('UNAVAILABLE', `${WHAT[k]} is not available in this engine build`, { where: k });
    return s;
  }

  private replayer: MarketReplay | undefined;

  private async replay(): Promise<MarketReplay> {
    const desk = await this.need('desk');
    this.replayer ??= new MarketReplay(desk, this.publish, this.logs.logger('replay'));
    return this.replayer;
  }

  private async runBacktest(req: Parameters<Services['backtest']['run']>[0], o: Parameters<Services['backtest']['run']>[2]) {
    const [market, backtest] = await Promise.all([this.need('market'), this.need('backtest')]);
    const { series } = await market.bars({ symbol: req.symbol, timeframe: req.timeframe, from: req.from, to: req.to });
    if (series.length === 0) throw new KeelError('NOT_FOUND', `no ${req.timeframe} bars for ${req.symbol} in the requested range`, { where: 'symbol' });
    // Every backtest is recorded as a run (keel rerun); a record that fails is logged, the run stands.
    const onRun = (run: Parameters<NonNullable<typeof o.onRun>>[0]) => {
      try {
        this.services.research?.recordBacktest(req, series, run);
      } catch (e) {
        this.log.warn(`backtest not recorded as a run: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    return backtest.run(req, series, { ...o, onRun });
  }

  readonly handlers: MethodHandlers = {
    'engine.info': () => this.info(),
    'system.status': () => this.monitor.status(this.state),
    'system.logs': ({ limit }) => this.logs.recent(limit ?? 200),
    'system.diagnostics': async () => {
      const crashes = crashDir(this.opts.home);
      const out = join(this.opts.home, EXPORTS_DIR, `keel-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`);
      const d = await writeDiagnostics({ home: this.opts.home, crashes, out });
      this.log.info(`diagnostics written to ${d.path}`);
      return { ...d, crashDir: crashes };
    },
    'system.backup': async () => {
      const market = await this.need('market');
      // Inside the home, like exports: a client chooses no path on this machine.
      const dir = join(this.opts.home, BACKUPS_DIR, new Date().toISOString().replace(/[:.]/g, '-'));
      const m = await writeBackup(this.opts.home, dir, (file) => market.backupTo(file));
      this.log.info(`backup written to ${dir} (${m.files.length} files)`);
      return { dir, createdAt: m.createdAt, files: m.files.map((f) => ({ path: f.path, bytes: f.bytes })) };
    },
    'ui.heartbeat': () => {
      const ts = this.now();
      this.services.risk?.heartbeat(ts);
      return { ts };
    },

    'data.datasets': async () => (await this.need('market')).datasets(),
    'data.bars': async (q) => {
      const { series, resampledFrom } = await (await this.need('market')).bars(q);
      return barsPayload(series, resampledFrom, q.limit);
    },
    'data.importFile': async (p) => (await this.need('market')).importFile(p),
    'data.importText': async (p) => (await this.need('market')).importText(p),
    'data.export': async (p) => {
      const market = await this.need('market');
      // Under Electron, a path the trader picked in main's save dialog, which asked before replacing a file.
      if (p.path !== undefined && (await this.takeExportGrant(p.path))) return market.exportData({ ...p, path: resolve(p.path), overwrite: true });
      return market.exportData({ ...p, path: exportPathInHome(this.opts.home, p), overwrite: p.overwrite === true });
    },

    'indicators.catalogue': async () => (await this.need('indicators')).catalogue(),
    'indicators.compute': async (q) => {
      const [market, indicators] = await Promise.all([this.need('market'), this.need('indicators')]);
      // A range that starts mid-history (a chart's loaded page) is computed from INDICATOR_WARMUP_BARS
      // earlier, so its first values are those of the whole history, not a fresh warm-up.
      const readFrom = q.from === undefined ? undefined : q.from - INDICATOR_WARMUP_BARS * timeframeMs(q.timeframe);
      const { series } = await market.bars({ symbol: q.symbol, timeframe: q.timeframe, from: readFrom, to: q.to });
      const out = indicators.compute(series, q.id, q.params, q.source);
      let first = 0;
      if (q.from !== undefined) while (first < series.length && series.ts[first]! < q.from) first++;
      const outputs: Record<string, (number | null)[]> = {};
      for (const [name, values] of Object.entries(out)) outputs[name] = nullable(Array.prototype.slice.call(values, first) as number[]);
      return { ts: Array.from(series.ts.subarray(first)), outputs };
    },

    'strategies.list': async () => (await this.need('backtest')).strategies(),
    'backtest.run': async (req) => {
      await Promise.all([this.need('market'), this.need('backtest')]);
      const strategies = (await this.need('backtest')).strategies();
      if (!strategies.some((s) => s.id === req.strategy)) {
        throw new KeelError('NOT_FOUND', `no strategy "${req.strategy}" (have: ${strategies.map((s) => s.id).join(', ')})`, { where: 'strategy' });
      }
      return { runId: this.jobs.start(req).runId };
    },
    'backtest.cancel': ({ runId }) => ({ cancelled: this.jobs.cancel(runId) }),
    'backtest.list': async () => {
      await this.start();
      return this.jobs.list();
    },
    'backtest.get': async ({ runId }) => {
      await this.start();
      return this.jobs.get(runId);
    },

    'research.optimize': async (req) => (await this.need('research')).optimize(req),
    'research.walkforward': async (req) => (await this.need('research')).walkforward(req),
    'research.montecarlo': async (req) => (await this.need('research')).montecarlo(req),
    'research.cancel': async ({ jobId }) => ({ cancelled: (await this.need('research')).cancel(jobId) }),
    'research.list': async () => (await this.need('research')).list(),
    'research.get': async ({ jobId }) => (await this.need('research')).get(jobId),
    'research.heatmap': async ({ jobId, x, y }) => (await this.need('research')).heatmap(jobId, x, y),
    'research.sources': async () => (await this.need('research')).sources(),

    'orders.preview': async (t) => (await this.need('trading')).preview(t),
    'orders.place': async (t) => (await this.need('trading')).place(t),
    'orders.cancel': async ({ orderId }) => ({ cancelled: await (await this.need('trading')).cancel(orderId) }),
    'orders.modify': async ({ orderId, ...changes }) => (await this.need('trading')).modify(orderId, changes),
    'orders.cancelAll': async ({ symbol }) => ({ cancelled: await (await this.need('trading')).cancelAll(symbol) }),
    'orders.list': async ({ scope, limit }) => (await this.need('trading')).orders(scope, limit ?? 500),
    'fills.list': async ({ limit }) => (await this.need('trading')).fills(limit ?? 500),
    'positions.list': async () => (await this.need('trading')).positions(),
    'positions.flatten': async ({ symbol, ledger }) => (await this.need('trading')).flatten(symbol, ledger),
    'ledgers.list': async () => (await this.need('ledgers')).ledgers(),
    'ledgers.equity': async ({ since }) => (await this.need('ledgers')).equity(since),
    'strategies.start': async (req) => {
      // Live: the account's live candles bring the symbol's recent history before the warm-up reads it.
      if (req.account !== undefined) {
        const { account, confirm, path, limits, ...rest } = req;
        return (await this.need('live')).startStrategy({ ...rest, account, ...(confirm !== undefined && { confirm }), ...(path !== undefined && { path }), limits: limits ?? {} });
      }
      const [market, strategies] = await Promise.all([this.need('market'), this.need('strategies')]);
      if (!(await market.datasets()).some((d) => d.symbol === req.symbol)) throw new KeelError('NOT_FOUND', `no data for ${req.symbol}: import or download it first`, { where: 'symbol' });
      return strategies.start(req);
    },
    // A strategy id is unique over every account: whichever desk holds it answers.
    'strategies.control': async ({ id, action }) => {
      const live = this.services.live;
      if (live?.ownsStrategy(id)) return live.controlStrategy(id, action);
      return (await this.need('strategies')).control(id, action);
    },
    'strategies.instances': async () => [...(await this.need('strategies')).instances(), ...(this.services.live?.strategyInstances() ?? [])],
    'strategies.logs': async ({ id, limit }) => {
      const live = this.services.live;
      if (live?.ownsStrategy(id)) return live.strategyLogs(id, limit);
      return (await this.need('strategies')).logs(id, limit);
    },
    'strategies.gap': async ({ id }) => {
      const live = this.services.live;
      if (live?.ownsStrategy(id)) return live.strategyGap(id);
      return (await this.need('strategies')).gap(id);
    },
    'account.get': async () => (await this.need('trading')).account(),

    'risk.state': async () => (await this.need('risk')).state(),
    'risk.setLimits': async (l) => (await this.need('risk')).setLimits(l),
    'risk.killSwitch': async ({ engage, flatten, reason }) => {
      const risk = await this.need('risk');
      this.log.warn(`kill switch ${engage ? 'ENGAGED' : 'released'}${reason ? `: ${reason}` : ''}`);
      const state = risk.killSwitch({ engage, flatten, reason });
      this.publishTo('risk', state);
      return state;
    },
    'risk.analytics': async (p) => {
      if (p.source === 'portfolio') {
        const [market, desk] = await Promise.all([this.need('market'), this.need('desk')]);
        return portfolioAnalytics(desk, market, this.now());
      }
      await this.start();
      return backtestAnalytics(this.jobs.get(p.runId), this.now());
    },
    'replay.start': async ({ symbol, timeframe, from, speed }) => {
      const [market, replay] = await Promise.all([this.need('market'), this.replay()]);
      const { series } = await market.bars({ symbol, timeframe, from: from ?? (await replayTailFrom(market, symbol, timeframe)) });
      return replay.begin(series, { from, speed });
    },
    'replay.control': async ({ action, speed }) => (await this.replay()).control(action, speed),
    'replay.state': async () => (await this.replay()).state(),

    'workspace.get': async () => (await this.need('workspace')).get(),
    'workspace.set': async (patch) => (await this.need('workspace')).set(patch),
    'layouts.save': async ({ name, layout }) => (await this.need('workspace')).saveLayout(name, layout),
    'layouts.delete': async ({ name }) => (await this.need('workspace')).deleteLayout(name),
    'watchlist.quotes': async ({ symbols }) => watchQuotes(await this.need('market'), symbols),

    'drawings.list': async ({ symbol }) => (await this.need('workspace')).drawings(symbol),
    'drawings.save': async (d) => (await this.need('workspace')).saveDrawing(d),
    'drawings.delete': async ({ id }) => ({ deleted: (await this.need('workspace')).deleteDrawing(id) }),

    'alerts.list': async () => (await this.need('alerts')).list(),
    'alerts.create': async (p) => (await this.need('alerts')).create(p),
    'alerts.update': async ({ id, ...patch }) => (await this.need('alerts')).update(id, patch),
    'alerts.delete': async ({ id }) => ({ deleted: (await this.need('alerts')).remove(id) }),
    'alerts.log': async ({ limit }) => (await this.need('alerts')).log(limit ?? 200),

    'exchanges.list': async ({ ids }) => (await this.need('exchanges')).list(ids),
    'exchanges.setApiUrl': async ({ exchange, apiUrl }) => (await this.need('exchanges')).setApiUrl(exchange, apiUrl),
    'accounts.list': async () => (await this.need('exchanges')).accounts.list(),
    'accounts.add': async ({ check, apiKey, secret, password, ...rest }) => {
      const accounts = (await this.need('exchanges')).accounts;
      const account = await accounts.add({ ...rest, credentials: password === undefined ? { apiKey, secret } : { apiKey, secret, password } });
      this.log.info(`exchange account ${account.name} (${account.exchange}) added, key ${account.keyMasked} in the OS keychain`);
      if (check === false) return { account };
      const c = await accounts.checkKey(account.name);
      if (c.canWithdraw) this.log.warn(`the key of account ${account.name} may withdraw funds; Keel never withdraws: restrict it at ${account.exchange}`);
      return { account: accounts.get(account.name), ...(c.canWithdraw !== undefined && { canWithdraw: c.canWithdraw }), ...(c.problem !== undefined && { checkProblem: c.problem }) };
    },
    'accounts.remove': async ({ name }) => {
      const r = await (await this.need('exchanges')).accounts.remove(name);
      this.log.info(`exchange account ${name} removed`);
      return { removed: r.removed };
    },
    'accounts.setLive': async ({ name, live, confirm }) => {
      const a = (await this.need('exchanges')).accounts.setLive(name, live, confirm, 'ui');
      this.log.warn(`exchange account ${name} is ${a.liveSince !== undefined ? 'LIVE: its orders go to the exchange' : 'back on paper'}`);
      const desks = await this.need('live');
      if (a.liveSince !== undefined) void desks.start(name);
      else await desks.stop(name);
      return a;
    },
    'live.status': async () => (await this.need('live')).status(),
    'live.place': async ({ account, order }) => {
      const r = await (await this.need('live')).place(account, order);
      this.log.info(r.ok ? `${account}: LIVE order ${r.orderId} ${order.side} ${order.size} ${order.symbol} sent` : `${account}: LIVE order refused (${r.check}: ${r.reason})`);
      return r;
    },
    'live.cancel': async ({ account, orderId }) => ({ cancelled: (await this.need('live')).cancel(account, orderId) }),
    'live.orders': async ({ account, limit }) => (await this.need('live')).orders(account, limit ?? 200),
    'live.resolve': async ({ account, clientOrderId, action }) => {
      const r = await (await this.need('live')).resolve(account, clientOrderId, action);
      this.log.info(`${account}: external order ${clientOrderId} ${action === 'adopt' ? 'adopted' : action === 'cancel' ? 'cancelled at the exchange' : 'ignored'}`);
      return r;
    },
    'download.start': async (req) => (await this.need('exchanges')).startDownload(req),
    'download.cancel': async ({ downloadId }) => ({ cancelled: (await this.need('exchanges')).cancelDownload(downloadId) }),
    'download.list': async () => (await this.need('exchanges')).listDownloads(),
    'data.quality': async (q) => (await this.need('market')).quality(q),
    'stream.start': async (p) => (await this.need('exchanges')).startStream(p),
    'stream.stop': async ({ id }) => ({ stopped: await (await this.need('exchanges')).stopStream(id) }),
    'stream.list': async () => (await this.need('exchanges')).listStreams(),
    'spread.analyze': async (q) => (await this.need('market')).spread(q),
  };
}
