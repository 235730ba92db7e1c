import type { LogRing } from './logs';
import type { Services } from './services';

/**
 * Opens the engine's pieces under `home`. Each adapter is added here as its module lands;
 * a piece that fails to open is left out (the facade answers UNAVAILABLE for it) and the
 * reason goes to the log, so one broken piece does not take the whole engine down.
 */
export async function openServices(home: string, logs: LogRing): Promise<Partial<Services>> {
  const log = logs.logger('wiring');
  const services: Partial<Services> = {};
  log.debug(`opening services in ${home}`);
  return services;
}
