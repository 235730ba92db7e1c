import type { Publish } from '../../protocol/index';
import { KeelError } from '../core/errors';
import { backtestService } from './backtest-adapter';
import { indicatorService } from './indicator-adapter';
import type { LogRing } from './logs';
import { MarketAdapter } from './market-adapter';
import { PaperDesk } from './paper-desk';
import { ResearchService } from '../research/service';
import type { Services } from './services';

export interface WiringContext {
  logs: LogRing;
  publish: Publish;
  /** Where the shipped sample data is (a packaged app's resources); the repo's data/samples by default. */
  samplesDir?: string;
}

/**
 * Opens the engine's pieces under `home`. A piece that fails to open is left out (the
 * facade answers UNAVAILABLE for it) and the reason goes to the log, so one broken piece
 * does not take the whole engine down.
 */
export async function openServices(home: string, ctx: WiringContext): Promise<Partial<Services>> {
  const log = ctx.logs.logger('wiring');
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
      const desk = await PaperDesk.open(home, market, ctx.publish, ctx.logs.logger('paper'));
      market.onImported(() => desk.refreshInstruments());
      services.trading = desk.trading;
      services.risk = desk.risk;
      services.desk = desk;
      services.runs = desk.runs;
    } catch (e) {
      log.error(`paper desk and risk engine not opened: ${e instanceof Error ? e.message : String(e)}`);
    }
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
