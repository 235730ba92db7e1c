import { loadStrategy, strategySourceHash } from '../strategy/loader';
import type { StrategyHost, StrategyLoader } from '../desk/strategy-host';
import type { StrategyAction, StrategyInstanceView } from '../model/ledger';

/** Shipped strategies by id; a trader's own by file, its code identified by the file's hash. The paper and live desks load alike. */
export const strategyLoader: StrategyLoader = {
  async load(strategy, path) {
    const module = await loadStrategy(path ?? strategy, process.cwd());
    return { module, sourceHash: strategySourceHash(module, path), ...(path !== undefined && { sourcePath: path }) };
  },
};

/**
 * A trader's button on a running strategy, on whichever desk runs it (paper or a live
 * account's). `flatten` closes the strategy's ledger the way that desk prices its orders.
 */
export async function controlStrategy(host: StrategyHost, id: string, action: StrategyAction, flatten: (ledger: string, actor: string) => Promise<unknown>): Promise<StrategyInstanceView> {
  switch (action) {
    case 'pause':
      return host.pause(id);
    case 'resume':
      return host.resume(id);
    case 'stop':
      return host.stop(id);
    case 'stop_flatten':
      await flatten(id, `stop of ${id}`);
      return host.stop(id, { reason: 'stopped by the trader, flattened' });
    case 'flatten':
      await flatten(id, 'ui');
      return host.all().find((i) => i.id === id)!;
    case 'takeover':
      return host.takeOver(id);
    case 'release':
      return host.release(id);
  }
}
