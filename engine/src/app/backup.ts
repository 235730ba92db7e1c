import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import pkg from '../../../package.json';
import { KeelError } from '../core/errors';
import { EXPORTS_DIR, MARKET_DB_FILE, STATE_DB_FILE, ensurePrivateDir } from '../core/paths';

/**
 * Backup and restore of a Keel home (`keel backup`, `keel restore`, `system.backup`).
 *
 * A backup is a folder: the state database copied through SQLite's online backup API, the
 * market store copied by the store itself (MarketStore.backupTo: one DuckDB snapshot), the
 * other files a trader made (below), and keel-backup.json, written last, listing every file
 * with its size and SHA-256. A folder without that manifest is not a backup (it was cut
 * short); restore checks every hash before it touches the target.
 */
export const BACKUP_MANIFEST = 'keel-backup.json';
const FORMAT = 1;

/**
 * What a backup holds besides the databases. Left out on purpose: serve-token (a password to
 * the engine; a backup on a stick must not unlock it, and a restored home makes a new one),
 * logs (diagnostics, not data: Export diagnostics takes them), uploads (transient copies),
 * backups/ itself, and the databases' -wal/-shm/.wal files (folded into the copies).
 */
export const BACKUP_EXTRAS = ['settings.json', 'runs', EXPORTS_DIR] as const;

export interface BackupFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: number;
  app: 'keel';
  version: string;
  createdAt: string;
  files: BackupFile[];
}

/** How the market store is copied: by the running engine's own store, or by one opened for the purpose. */
export type MarketCopier = (file: string) => Promise<void>;

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
  }
  return out.sort();
}

function emptyOrAbsent(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/**
 * Writes a backup of `home` into `dir` (absent or empty). Safe while an engine runs on the
 * home: SQLite's backup API copies a consistent state database beside the engine's writes,
 * and `copyMarket` must take its snapshot through whoever holds the market store.
 */
export async function writeBackup(home: string, dir: string, copyMarket: MarketCopier): Promise<BackupManifest> {
  const state = join(home, STATE_DB_FILE);
  const market = join(home, MARKET_DB_FILE);
  if (!existsSync(state) && !existsSync(market)) throw new KeelError('NOT_FOUND', 'no Keel data here (neither state.sqlite nor market.duckdb)', { where: home });
  if (!emptyOrAbsent(dir)) throw new KeelError('CONFLICT', 'the backup folder exists and is not empty; choose a new one', { where: dir });
  ensurePrivateDir(dir);
  try {
    if (existsSync(state)) {
      const db = new Database(state, { readonly: true, fileMustExist: true });
      try {
        await db.backup(join(dir, STATE_DB_FILE));
      } finally {
        db.close();
      }
    }
    if (existsSync(market)) await copyMarket(join(dir, MARKET_DB_FILE));
    for (const extra of BACKUP_EXTRAS) {
      const from = join(home, extra);
      if (existsSync(from)) cpSync(from, join(dir, extra), { recursive: true, dereference: false, verbatimSymlinks: true });
    }
    const files: BackupFile[] = [];
    for (const path of walk(dir)) {
      const full = join(dir, path);
      chmodSync(full, 0o600);
      files.push({ path, bytes: statSync(full).size, sha256: await sha256(full) });
    }
    const manifest: BackupManifest = { format: FORMAT, app: 'keel', version: pkg.version, createdAt: new Date().toISOString(), files };
    // Last, and whole: its presence says the backup is complete.
    const tmp = join(dir, `${BACKUP_MANIFEST}.tmp`);
    writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, join(dir, BACKUP_MANIFEST));
    return manifest;
  } catch (e) {
    // Half a backup is worse than none: it looks like one.
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A manifest path is a plain relative path inside the backup (a crafted one must not write outside the home). */
function safeRelative(path: unknown): path is string {
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.includes('\\') || path.includes('\0')) return false;
  const n = normalize(path);
  return n === path.split('/').join(sep) && !n.split(sep).includes('..') && !n.startsWith(sep);
}

/** Reads a backup's manifest and checks every listed file's size and hash; says which file is wrong. */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const file = join(dir, BACKUP_MANIFEST);
  if (!existsSync(file)) throw new KeelError('BAD_FILE', `not a Keel backup: no ${BACKUP_MANIFEST} (a backup that was cut short has none)`, { where: dir });
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (e) {
    throw new KeelError('BAD_FILE', `${BACKUP_MANIFEST} is not JSON: ${(e as Error).message}`, { where: dir });
  }
  if (m?.app !== 'keel' || !Array.isArray(m.files)) throw new KeelError('BAD_FILE', `${BACKUP_MANIFEST} is not a Keel backup manifest`, { where: dir });
  if (m.format !== FORMAT) throw new KeelError('BAD_FILE', `backup format ${String(m.format)} is not one this Keel reads (${FORMAT}); restore it with the Keel that made it (${String(m.version)})`, { where: dir });
  for (const f of m.files) {
    if (!safeRelative(f?.path)) throw new KeelError('BAD_FILE', `${BACKUP_MANIFEST} lists a path outside the backup: ${JSON.stringify(f?.path)}`, { where: dir });
    const full = join(dir, f.path);
    if (!existsSync(full)) throw new KeelError('BAD_FILE', `${f.path} is missing`, { where: dir });
    if (statSync(full).size !== f.bytes || (await sha256(full)) !== f.sha256) throw new KeelError('BAD_FILE', `${f.path} is not the file that was backed up (size or SHA-256 differs)`, { where: dir });
  }
  return m;
}

/**
 * Whether an engine holds the home's market store. DuckDB locks the file for its one
 * writer, so a read-only open fails exactly while a Keel (app or `keel serve`) runs there.
 */
export async function homeInUse(home: string): Promise<boolean> {
  const market = join(home, MARKET_DB_FILE);
  if (!existsSync(market)) return false;
  try {
    const db = await DuckDBInstance.create(market, { access_mode: 'READ_ONLY' });
    db.closeSync();
    return false;
  } catch (e) {
    if (/lock/i.test((e as Error).message)) return true;
    throw new KeelError('BAD_FILE', `cannot open the market store: ${(e as Error).message}`, { where: market });
  }
}

export interface RestoreOutcome {
  home: string;
  /** Where the home's previous contents went (restore --force), if it had any. */
  previous?: string;
  manifest: BackupManifest;
}

/**
 * Restores the backup in `from` into `home`. An empty or absent home is filled; a home with
 * anything in it is replaced only with `force`, and never while an engine runs on it. The
 * files are copied and checked beside the home first and swapped in by renames, so a failed
 * restore leaves the home as it was; the replaced contents are kept next to it, not deleted.
 */
export async function restoreBackup(from: string, home: string, opts: { force?: boolean } = {}): Promise<RestoreOutcome> {
  const manifest = await verifyBackup(from);
  const occupied = !emptyOrAbsent(home);
  if (occupied && !opts.force) throw new KeelError('CONFLICT', 'this home is not empty; restore into a new folder (--home DIR), or add --force to replace it (its contents are kept beside it)', { where: home });
  if (occupied && (await homeInUse(home))) throw new KeelError('UNAVAILABLE', 'a Keel engine is running on this home (the app or keel serve); stop it, then restore', { where: home });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = `${home}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  ensurePrivateDir(staging);
  try {
    for (const f of manifest.files) {
      const to = join(staging, f.path);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      copyFileSync(join(from, f.path), to);
      chmodSync(to, 0o600);
      if ((await sha256(to)) !== f.sha256) throw new KeelError('BAD_FILE', `${f.path} changed while it was copied`, { where: to });
    }
    const state = join(staging, STATE_DB_FILE);
    if (existsSync(state)) {
      const db = new Database(state, { fileMustExist: true });
      try {
        const check = db.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new KeelError('BAD_FILE', `the restored state database fails its integrity check: ${String(check)}`, { where: state });
      } finally {
        db.close();
      }
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  let previous: string | undefined;
  if (existsSync(home)) {
    if (occupied) {
      previous = `${home}.before-restore-${stamp}`;
      renameSync(home, previous);
    } else {
      rmSync(home, { recursive: true });
    }
  } else {
    mkdirSync(dirname(home), { recursive: true });
  }
  renameSync(staging, home);
  return { home, previous, manifest };
}
