/**
 * The engine process entry. Under Electron it runs as a utilityProcess: main sends
 * MessagePorts (one per window) over process.parentPort and each becomes a protocol
 * connection, and exchange keys come from main, which reads the keychain. Under plain node
 * (`node out/main/engine.js`, or with tsx) there is no parent port, so it serves headless
 * instead (KEEL_PORT, KEEL_HOME, KEEL_UI, KEEL_SAMPLES_DIR) and reads the keychain itself.
 */
import { join } from 'node:path';
import { keelHome } from '../core/paths';
import type { EngineToMain } from '../../protocol/control';
import { EngineApp } from '../app/engine-app';
import type { ParentPortLike } from './port-transport';
import { KeychainViaMain } from './main-keychain';
import { serveParentPort } from './parent-port';
import { startHeadless } from './headless';
import { armCrashReports, crashDir } from './crash-folder';
import { guardProcess } from './process-guard';

async function runHeadless(): Promise<void> {
  const port = Number(process.env.KEEL_PORT ?? 7419);
  const home = keelHome(process.env);
  const uiDir = process.env.KEEL_UI ?? join(process.cwd(), 'renderer', 'out');
  const engine = await startHeadless({ port, home, uiDir, samplesDir: process.env.KEEL_SAMPLES_DIR });
  const log = engine.app.logs.logger('host');
  armCrashReports(crashDir(home));
  guardProcess((m) => log.error(m), crashDir(home));
  process.stdout.write(`keel: engine listening after ${engine.readyMs.toFixed(0)} ms\nkeel: open ${engine.url}\n`);
  const stop = (): void => void engine.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function runUnderElectron(parentPort: ParentPortLike): Promise<void> {
  // Main alone opens the keychain under Electron: the engine's credential source is main.
  const keychain = new KeychainViaMain((m) => parentPort.postMessage(m));
  const app = new EngineApp({ home: keelHome(process.env), mode: 'electron', samplesDir: process.env.KEEL_SAMPLES_DIR, secrets: keychain });
  await serveParentPort(parentPort, app, (code) => process.exit(code), keychain);
  const log = app.logs.logger('host');
  const crashes = crashDir(keelHome(process.env));
  armCrashReports(crashes);
  guardProcess((m) => log.error(m), crashes);
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const started = parentPort ? runUnderElectron(parentPort) : runHeadless();
started.catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`keel engine: ${message}\n`);
  parentPort?.postMessage({ type: 'fatal', message } satisfies EngineToMain);
  process.exit(1);
});
