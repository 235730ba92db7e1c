import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { KeelError, badInput } from '../../core/errors';
import { MARKET_DB_FILE, SERVE_PORT_FILE, SERVE_TOKEN_FILE, keelHome } from '../../core/paths';
import { MarketStore } from '../../data/market-store';
import { homeInUse, writeBackup, type BackupManifest } from '../../app/backup';
import { RpcClient, webSocketTransport } from '../../../protocol/client';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../../../protocol/index';
import type { CliCommand } from '../types';

const USAGE = `keel backup --out DIR [--home DIR]

Backs up a Keel home (the market store, orders, fills, positions, the journal, settings,
run records and exports) into DIR, which must not exist or be empty. Works while the
engine runs: with \`keel serve\` running on the home, the engine itself takes the copy
(SQLite's backup API and one DuckDB snapshot); with no engine running, this command does.
While the desktop app has the home open, use its System › Back up now (or quit it first).
DIR/keel-backup.json lists every file with its SHA-256; \`keel restore --from DIR\` checks them.

  --out DIR   where to write the backup
  --home DIR  the home to back up (default $KEEL_HOME or the per-user data dir)`;

/** Asks the `keel serve` running on `home` for a backup; undefined when none is running there. */
async function backupThroughServe(home: string): Promise<{ dir: string } | undefined> {
  let port: number;
  let token: string;
  try {
    port = Number(readFileSync(join(home, SERVE_PORT_FILE), 'utf8').trim());
    token = readFileSync(join(home, SERVE_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + token]);
  const opened = await new Promise<boolean>((r) => {
    ws.once('open', () => r(true));
    ws.once('error', () => r(false));
  });
  if (!opened) return undefined;
  const client = new RpcClient(webSocketTransport(ws as unknown as Parameters<typeof webSocketTransport>[0]));
  try {
    const done = await client.request('system.backup', {}, { timeoutMs: 0 });
    return { dir: done.dir };
  } catch (e) {
    throw new KeelError('UNAVAILABLE', `the running engine could not back up: ${(e as Error).message}`, { where: home });
  } finally {
    ws.close();
  }
}

/** Moves a finished backup folder to `out`: a rename, or a copy where `out` is on another disk. */
function moveTo(dir: string, out: string): void {
  rmSync(out, { recursive: true, force: true }); // checked empty or absent before the backup started
  try {
    renameSync(dir, out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    cpSync(dir, out, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

export const command: CliCommand = {
  name: 'backup',
  summary: 'back up the home folder (works while the engine runs)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, home: { type: 'string' } }, strict: true });
    if (!values.out) throw badInput('say where the backup goes', '--out');
    const out = resolve(io.cwd, values.out);
    const home = values.home ? resolve(io.cwd, values.home) : keelHome(io.env);
    if (!existsSync(home)) throw new KeelError('NOT_FOUND', 'no such home folder', { where: home });
    const inside = relative(home, out);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) throw badInput('the backup must go outside the home it backs up', '--out');
    if (existsSync(out) && readdirSync(out).length > 0) throw new KeelError('CONFLICT', 'exists and is not empty; choose a new folder', { where: out });

    let manifest: BackupManifest;
    const served = await backupThroughServe(home);
    if (served) {
      moveTo(served.dir, out);
      manifest = JSON.parse(readFileSync(join(out, 'keel-backup.json'), 'utf8')) as BackupManifest;
      io.out(`keel backup: the running engine took the copy`);
    } else {
      if (await homeInUse(home)) throw new KeelError('UNAVAILABLE', 'the Keel app has this home open (its market store is locked to it) and no keel serve answers here; use System › Back up now in the app, or quit it and run keel backup again', { where: home });
      const market = existsSync(join(home, MARKET_DB_FILE)) ? await MarketStore.open(join(home, MARKET_DB_FILE)) : undefined;
      try {
        manifest = await writeBackup(home, out, (file) => market!.backupTo(file));
      } finally {
        market?.close();
      }
    }
    const bytes = manifest.files.reduce((s, f) => s + f.bytes, 0);
    io.out(`keel backup: ${manifest.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${out} (listed with their SHA-256 in keel-backup.json)`);
    return 0;
  },
};
