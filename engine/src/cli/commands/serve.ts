import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInput } from '../../core/errors';
import { SERVE_PORT_FILE, keelHome } from '../../core/paths';
import { startHeadless } from '../../host/headless';
import { armCrashReports, crashDir } from '../../host/crash-folder';
import { guardProcess } from '../../host/process-guard';
import { homeToken } from '../../host/token';
import type { CliCommand } from '../types';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const command: CliCommand = {
  name: 'serve',
  summary: 'run the engine headless: the UI and the protocol on 127.0.0.1',
  usage: [
    'keel serve [--port N] [--home DIR] [--ui DIR] [--new-token]',
    '',
    'Runs the engine without Electron. Serves the built UI (renderer/out; build it with',
    '`npm run build:ui`) and the protocol WebSocket on 127.0.0.1 only, guarded by a random',
    'token that is part of the printed URL. Open that URL in a browser. Ctrl-C stops.',
    'The token is kept in <home>/serve-token (mode 0600), so an open tab reconnects after',
    'a restart; --new-token replaces it, locking out every tab that has the old one.',
    '',
    '  --port N    port to listen on (default 7419; 0 = any free port). A port in use is',
    '              refused with its number; choose another, or 0.',
    '  --home DIR  data directory (default $KEEL_HOME or the per-user data dir)',
    '  --ui DIR    directory of the built UI (default renderer/out)',
    '  --new-token rotate the stored token',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string' }, home: { type: 'string' }, ui: { type: 'string' }, 'new-token': { type: 'boolean' } },
      strict: true,
    });
    const port = values.port === undefined ? 7419 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw badInput(`port must be 0-65535, got "${values.port}"`, '--port');
    const home = values.home ? resolve(io.cwd, values.home) : keelHome(io.env);
    const uiDir = values.ui ? resolve(io.cwd, values.ui) : join(repoRoot, 'renderer', 'out');
    const token = homeToken(home, values['new-token'] === true);
    const engine = await startHeadless({ port, home, uiDir, token });
    const hostLog = engine.app.logs.logger('host');
    const crashes = crashDir(home, io.env);
    armCrashReports(crashes);
    const unguard = guardProcess((m) => hostLog.error(m), crashes);
    // For `keel backup` while this runs (the market store is locked to this process); not a secret: the token guards the port.
    const portFile = join(home, SERVE_PORT_FILE);
    writeFileSync(portFile, `${engine.port}\n`, { mode: 0o600 });
    io.out(`keel: engine listening after ${engine.readyMs.toFixed(0)} ms (data in ${home})`);
    io.out(`keel: open ${engine.url}`);
    void engine.app.start().then(async () => {
      const status = await engine.app.handlers['system.status']({});
      if (status.state === 'ready') return;
      // Say it here too: whoever started the engine should not have to open the UI to learn it is crippled.
      for (const e of engine.app.logs.recent().filter((l) => l.level === 'error' || l.level === 'warn')) io.err(`keel: ${e.level}: ${e.message}`);
    });
    await new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        io.out('keel: stopping');
        // In the log file too: after a restart the System screen shows when and why the engine went.
        hostLog.info(`stopping on ${signal}`);
        void engine.close().then(() => {
          rmSync(portFile, { force: true });
          unguard();
          done();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
