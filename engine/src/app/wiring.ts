import { join } from 'node:path';
import { STATE_DB_FILE } from '../core/paths';
import { timeframeMs } from '../core/timeframe';
import { AlertStore } from '../state/alert-store';
import { openStateDb } from '../state/db';
import { WorkspaceStore } from '../state/workspace-store';
import type { Publish } from '../../protocol/index';
import { BarFeed } from '../data/bar-feed';
import { AlertService } from './alerts';
import { KeelError } from '../core/errors';
import { backtestService } from './backtest-adapter';
import { ExchangesAdapter } from './exchanges-adapter';
import { LiveDesks } from './live-desks';
import { checkIndicatorReading, INDICATOR_WARMUP_BARS, indicatorService } from './indicator-adapter';
import type { LogRing } from './logs';
import { MarketAdapter } from './market-adapter';
import { PaperDesk } from './paper-desk';
import { ResearchService } from '../research/service';
import type { Services } from './services';
import { Keychain, keychainServiceOf } from '../secrets/keychain';
import { KeychainSecrets, type SecretStore } from '../secrets/secret-store';
import { WorkspaceService } from './workspace';

export interface WiringContext {
  logs: LogRing;
  publish: Publish;
  /** Where the shipped sample data is (a packaged app's resources); the repo's data/samples by default. */
  samplesDir?: string;
  /** The engine's one stream of closed bars (replays, imports, live candles). */
  bars?: BarFeed;
  /** The credential source: where exchange keys are read and written; default the OS keychain (KEEL_KEYCHAIN_SERVICE or Keel). Whatever it is, what it hands out is remembered for redaction. */
  secrets?: SecretStore;
}

/**
 * Opens the engine's pieces under `home`. A piece that fails to open is left out (the
 * facade answers UNAVAILABLE for it) and the reason goes to the log, so one broken piece
 * does not take the whole engine down.
 */
export async function openServices(home: string, ctx: WiringContext): Promise<Partial<Services>> {
  const log = ctx.logs.logger('wiring');
  // One closed-bar stream for the engine: replays and live candles publish here; the strategy host subscribes.
  const bars = ctx.bars ?? new BarFeed();
  const services: Partial<Services> = { indicators: indicatorService, backtest: backtestService };
  let market: MarketAdapter | undefined;
  try {
    market = await MarketAdapter.open(home, ctx.publish, ctx.logs.logger('data'), ctx.samplesDir);
    services.market = market;
  } catch (e) {
    log.error(`market store not opened: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Paper trading prices from the store; without it there is no price to trade at, so no desk (fail closed).
  if (market) {
    try {
      const desk = await PaperDesk.open(home, market, ctx.publish, ctx.logs.logger('paper'), { history: market, bars });
      market.onImported(() => desk.onImported());
      services.trading = desk.trading;
      services.risk = desk.risk;
      services.desk = desk;
      services.runs = desk.runs;
      services.strategies = desk.strategies;
      services.ledgers = desk.deskView;
    } catch (e) {
      log.error(`paper desk and risk engine not opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (market) {
    try {
      const m = market;
      const exchanges = ExchangesAdapter.open(home, m.store, bars, ctx.publish, ctx.logs.logger('exchanges'), () => m.storedElsewhere(), new KeychainSecrets(ctx.secrets ?? new Keychain(keychainServiceOf(process.env))));
      services.exchanges = exchanges;
      const live = new LiveDesks(home, exchanges.accounts, ctx.logs.logger('live'), { history: m, bars, stream: (p) => exchanges.startStream(p), publish: ctx.publish });
      exchanges.streams.guardWith((symbol, timeframe) => live.strategiesOn(symbol, timeframe));
      services.live = live;
      live.startAll();
    } catch (e) {
      log.error(`exchanges not opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    Object.assign(services, openWorkspace(home, ctx, market));
  } catch (e) {
    log.error(`workspace and alerts not opened: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Research jobs read stored bars; without the store they fail with what is missing.
  const store = market;
  services.research = new ResearchService(
    home,
    async () => {
      if (!store) throw new KeelError('UNAVAILABLE', 'the market-data store is not available in this engine', { where: 'market' });
      return store;
    },
    ctx.publish,
    ctx.logs.logger('research'),
  );
  return services;
}

/** The workspace and the alerts on their own connection to the state database. */
function openWorkspace(home: string, ctx: WiringContext, market: MarketAdapter | undefined): Pick<Services, 'workspace' | 'alerts'> {
  const db = openStateDb(join(home, STATE_DB_FILE));
  const workspace = new WorkspaceService(new WorkspaceStore(db), Date.now, () => db.close());
  const alerts = new AlertService({
    store: new AlertStore(db),
    drawing: (id) => workspace.drawing(id),
    checkIndicator: (c) => checkIndicatorReading(c, 'condition'),
    indicatorValues: async (c, to, last) => {
      if (!market) throw new Error('the market-data store is not available');
      const { series } = await market.bars({ symbol: c.symbol, timeframe: c.timeframe, from: to - (INDICATOR_WARMUP_BARS + last) * timeframeMs(c.timeframe), to });
      const out = indicatorService.compute(series, c.indicator, c.params, c.source)[c.output] ?? [];
      const k = Math.max(0, series.length - last);
      const values: (number | null)[] = [];
      for (let i = k; i < series.length; i++) values.push(Number.isFinite(out[i]!) ? out[i]! : null);
      return { ts: Array.from(series.ts.subarray(k)), values };
    },
    publish: ctx.publish,
    log: ctx.logs.logger('alerts'),
    now: Date.now,
  });
  workspace.onDrawingChange(({ id }) => alerts.drawingChanged(id));
  return { workspace, alerts };
}
