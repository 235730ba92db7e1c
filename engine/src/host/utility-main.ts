/**
 * The engine process entry. Under Electron it runs as a utilityProcess: main sends
 * MessagePorts (one per window) over process.parentPort and each becomes a protocol
 * connection. Under plain node (`node --import tsx engine/src/host/utility-main.ts`)
 * there is no parent port, so it serves headless instead (KEEL_PORT, KEEL_HOME, KEEL_UI).
 */
import { join } from 'node:path';
import { keelHome } from '../core/paths';
import type { EngineToMain, MainToEngine } from '../../protocol/control';
import { EngineApp } from '../app/engine-app';
import { portConnection, type ParentPortLike } from './port-transport';
import { ProtocolServer } from './server';
import { startHeadless } from './headless';

async function runUnderElectron(parentPort: ParentPortLike): Promise<void> {
  const t0 = performance.now();
  const app = new EngineApp({ home: keelHome(process.env), mode: 'electron', samplesDir: process.env.KEEL_SAMPLES_DIR });
  const log = app.logs.logger('host');
  const protocol = new ProtocolServer(app.handlers, () => app.info(), (level, m) => log[level](m));
  app.setPublish(protocol.publish);
  const tell = (m: EngineToMain): void => parentPort.postMessage(m);

  parentPort.on('message', (e) => {
    const msg = e.data as MainToEngine;
    switch (msg?.type) {
      case 'connect': {
        const port = e.ports[0];
        if (port) protocol.connect(portConnection(port, `window#${msg.windowId}`));
        return;
      }
      case 'killSwitch':
        void Promise.resolve(app.handlers['risk.killSwitch']({ engage: true, reason: msg.reason })).catch((err: unknown) =>
          log.error(`kill switch from main failed: ${err instanceof Error ? err.message : String(err)}`),
        );
        return;
      case 'shutdown':
        protocol.flush();
        protocol.close();
        void app.close().finally(() => {
          tell({ type: 'stopped' });
          process.exit(0);
        });
        return;
      default:
        log.warn('unknown control message from main; ignored');
    }
  });
  await app.start();
  tell({ type: 'ready', info: app.info(), startMs: performance.now() - t0 });
}

async function runHeadless(): Promise<void> {
  const port = Number(process.env.KEEL_PORT ?? 7419);
  const home = keelHome(process.env);
  const uiDir = process.env.KEEL_UI ?? join(process.cwd(), 'renderer', 'out');
  const engine = await startHeadless({ port, home, uiDir, samplesDir: process.env.KEEL_SAMPLES_DIR });
  process.stdout.write(`keel: engine listening after ${engine.readyMs.toFixed(0)} ms\nkeel: open ${engine.url}\n`);
  const stop = (): void => void engine.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
(parentPort ? runUnderElectron(parentPort) : runHeadless()).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`keel engine: ${message}\n`);
  parentPort?.postMessage({ type: 'fatal', message } satisfies EngineToMain);
  process.exit(1);
});
