import type { Publish } from '../../protocol/index';
import { BarFeed } from '../data/bar-feed';
import { backtestService } from './backtest-adapter';
import { ExchangesAdapter } from './exchanges-adapter';
import { LiveDesks } from './live-desks';
import { indicatorService } from './indicator-adapter';
import type { LogRing } from './logs';
import { MarketAdapter } from './market-adapter';
import { PaperDesk } from './paper-desk';
import type { Services } from './services';
import { Keychain, keychainServiceOf } from '../secrets/keychain';
import { KeychainSecrets, type SecretStore } from '../secrets/secret-store';

export interface WiringContext {
  logs: LogRing;
  publish: Publish;
  /** Where the shipped sample data is (a packaged app's resources); the repo's data/samples by default. */
  samplesDir?: string;
  /** The engine's one stream of closed bars (replays, imports, live candles). */
  bars?: BarFeed;
  /** Where exchange keys are read and written; default the OS keychain (KEEL_KEYCHAIN_SERVICE or Keel). */
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
      const exchanges = ExchangesAdapter.open(home, m.store, bars, ctx.publish, ctx.logs.logger('exchanges'), () => m.storedElsewhere(), ctx.secrets ?? new KeychainSecrets(new Keychain(keychainServiceOf(process.env))));
      services.exchanges = exchanges;
      services.live = new LiveDesks(home, exchanges.accounts, ctx.logs.logger('live'));
      services.live.startAll();
    } catch (e) {
      log.error(`exchanges not opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return services;
}
