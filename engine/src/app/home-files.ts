import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { KeelError } from '../core/errors';
import { EXPORTS_DIR, LOGS_DIR, MARKET_DB_FILE, SERVE_TOKEN_FILE, STATE_DB_FILE, ensurePrivateDir } from '../core/paths';

/** `child` is `dir` itself or inside it (both already resolved). */
function within(dir: string, child: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where a headless data.export may write: a file name, or a path inside <home>/exports
 * (created private); the default is `<symbol>-<timeframe>.<format>` there. Anything that
 * resolves elsewhere (an absolute path, `..`, a folder inside exports that links out of it)
 * is refused, so a client cannot use an export to write over a file it picks.
 */
export function exportPathInHome(home: string, p: { symbol: string; timeframe: string; format: string; path?: string }): string {
  const dir = join(home, EXPORTS_DIR);
  const name = p.path ?? `${p.symbol.replace(/[^A-Za-z0-9]+/g, '-')}-${p.timeframe}.${p.format}`;
  const target = resolve(dir, name);
  const refuse = () =>
    new KeelError('BAD_INPUT', `exports are written inside ${dir}: give a file name, or a path inside that folder (the Electron app asks where with a save dialog)`, { where: 'path' });
  if (!within(dir, target) || target === dir) throw refuse();
  ensurePrivateDir(dir);
  // The deepest folder that exists on the way must really be inside exports (not a link out of it) before anything is created.
  let existing = dirname(target);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!within(realpathSync(dir), realpathSync(existing))) throw refuse();
  mkdirSync(dirname(target), { recursive: true });
  return target;
}

/**
 * Refuses a path that is one of the engine's own files: the serve token, the databases and
 * their journals, the logs. They are not market data, and a client must not learn their
 * content through an import's error. Compared by device and inode, so a link or another
 * spelling of the path is caught too. A path that does not exist passes (the import then
 * says so).
 */
export function refuseEngineFiles(home: string, path: string): void {
  let target: { dev: number; ino: number };
  let real: string;
  try {
    target = statSync(path);
    real = realpathSync(path);
  } catch {
    return;
  }
  const refuse = (what: string) => new KeelError('BAD_INPUT', `refused: that is the engine's ${what}, not market data`, { where: 'path' });
  const logs = join(home, LOGS_DIR);
  if (existsSync(logs) && within(realpathSync(logs), real)) throw refuse('log');
  const own: [string, string][] = [
    [SERVE_TOKEN_FILE, 'serve token'],
    [MARKET_DB_FILE, 'market store'],
    [`${MARKET_DB_FILE}.wal`, 'market store journal'],
    [STATE_DB_FILE, 'state database'],
    [`${STATE_DB_FILE}-wal`, 'state database journal'],
    [`${STATE_DB_FILE}-shm`, 'state database journal'],
  ];
  if (existsSync(logs)) for (const f of readdirSync(logs)) own.push([join(LOGS_DIR, f), 'log']);
  for (const [file, what] of own) {
    let s: { dev: number; ino: number };
    try {
      s = statSync(join(home, file));
    } catch {
      continue;
    }
    if (s.dev === target.dev && s.ino === target.ino) throw refuse(what);
  }
}
