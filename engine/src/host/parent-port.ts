import type { EngineToMain, MainToEngine } from '../../protocol/control';
import type { EngineApp } from '../app/engine-app';
import type { KeychainViaMain } from './main-keychain';
import { portConnection, type ParentPortLike } from './port-transport';
import { ProtocolServer } from './server';

/**
 * The engine under Electron: every port main sends becomes a protocol connection; main may
 * also engage the kill switch (the global shortcut, which must work when the page is hung),
 * ask what is open (the updater, before it installs), answer the engine's keychain requests
 * and ask for a clean shutdown. Resolves once the engine has started and told main.
 */
export async function serveParentPort(
  parentPort: ParentPortLike,
  app: EngineApp,
  exit: (code: number) => void,
  /** The engine's keychain requests to main (its credential source under Electron): main's answers go to it. */
  keychain?: KeychainViaMain,
): Promise<ProtocolServer> {
  const t0 = performance.now();
  const log = app.logs.logger('host');
  const protocol = new ProtocolServer(app.handlers, () => app.info(), (level, m) => log[level](m));
  app.setPublish(protocol.publish);
  const tell = (m: EngineToMain): void => parentPort.postMessage(m);
  // Alerts reach the desktop through main, which owns notifications; they fire with no window open.
  app.onAlert((a) => tell({ type: 'notify', title: a.title, body: a.message, level: a.level }));

  parentPort.on('message', (e) => {
    const msg = e.data as MainToEngine | undefined;
    switch (msg?.type) {
      case 'connect': {
        const port = e.ports[0];
        if (port) protocol.connect(portConnection(port, `window#${msg.windowId}`));
        else log.warn('connect from main without a port; ignored');
        return;
      }
      case 'killSwitch':
        void Promise.resolve(app.handlers['risk.killSwitch']({ engage: true, reason: msg.reason })).catch((err: unknown) =>
          log.error(`kill switch from main failed: ${err instanceof Error ? err.message : String(err)}`),
        );
        return;
      case 'exposure': {
        const id = msg.id;
        app.exposure().then(
          (exposure) => tell({ type: 'exposure', id, exposure }),
          (err: unknown) => tell({ type: 'exposure', id, error: err instanceof Error ? err.message : String(err) }),
        );
        return;
      }
      case 'keychain':
        if (keychain && typeof msg.id === 'number') keychain.settle(msg.id, msg.answer);
        else log.warn('a keychain answer from main nobody asked for; ignored');
        return;
      case 'grantExport':
        if (typeof msg.path === 'string') app.grantExport(msg.path);
        return;
      case 'shutdown':
        keychain?.failAll('the engine is shutting down');
        protocol.flush();
        protocol.close();
        void app.close().finally(() => {
          tell({ type: 'stopped' });
          exit(0);
        });
        return;
      default:
        log.warn('unknown control message from main; ignored');
    }
  });
  await app.start();
  tell({ type: 'ready', info: app.info(), startMs: performance.now() - t0 });
  return protocol;
}
