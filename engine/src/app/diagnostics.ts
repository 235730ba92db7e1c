import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, homedir, platform, release, totalmem, availableParallelism } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import pkg from '../../../package.json';
import { PROTOCOL_VERSION } from '../../protocol/index';
import { KeelError } from '../core/errors';
import { LOGS_DIR, SERVE_TOKEN_FILE } from '../core/paths';
import { zip, type ZipEntry } from './zip';
import { redact } from './logs';

/**
 * Export diagnostics: one zip a trader can attach to a bug report. No telemetry: nothing is
 * sent anywhere; the trader decides what to do with the file.
 *
 * It holds versions.json (Keel, the protocol, Node/Electron/Chromium, the OS, SQLite, DuckDB
 * and the native modules), the engine's log files, the crash folder's JSON records (Node's
 * fatal-error reports without their environment variables, the process guard's notes) and a
 * list of its binary dumps by name and size (a minidump holds memory, which can hold a key:
 * it is never included), and README.txt. Every text goes through `redact` (logs.ts): secrets,
 * account and user ids, anything that looks like a key, the serve token, the home path.
 */
export interface DiagnosticsOutcome {
  path: string;
  entries: string[];
}

/** Crash records bigger than this are listed, not included. */
const MAX_CRASH_RECORD = 5 << 20;

function versionOf(require: NodeJS.Require, name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function versions(): Promise<Record<string, string | undefined>> {
  const require = createRequire(import.meta.url);
  let sqlite: string | undefined;
  try {
    const db = new Database(':memory:');
    sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
  } catch {
    sqlite = undefined;
  }
  let duckdb: string | undefined;
  try {
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    duckdb = String((await con.runAndReadAll('SELECT version()')).getColumnsJS()[0]![0]);
    con.closeSync();
    inst.closeSync();
  } catch {
    duckdb = undefined;
  }
  return {
    keel: pkg.version,
    protocol: String(PROTOCOL_VERSION),
    node: process.versions.node,
    v8: process.versions.v8,
    electron: process.versions.electron,
    chrome: process.versions.chrome,
    os: `${platform()} ${release()} ${arch()}`,
    cpus: String(availableParallelism()),
    memory: `${Math.round(totalmem() / 2 ** 20)} MiB`,
    sqlite,
    'better-sqlite3': versionOf(require, 'better-sqlite3'),
    duckdb,
    '@duckdb/node-api': versionOf(require, '@duckdb/node-api'),
    ccxt: versionOf(require, 'ccxt'),
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** A crash record as text to include, or undefined for one that is only listed (binary, or too big). */
function crashRecord(file: string): string | undefined {
  if (!file.endsWith('.json') || statSync(file).size > MAX_CRASH_RECORD) return undefined;
  const text = readFileSync(file, 'utf8');
  try {
    const report = JSON.parse(text) as Record<string, unknown>;
    // Node's diagnostic report copies the whole environment (where keys may sit) and the shell's limits.
    delete report.environmentVariables;
    delete report.userLimits;
    return JSON.stringify(report, null, 2);
  } catch {
    return text;
  }
}

/**
 * Writes the diagnostics zip of `home` (and its crash folder `crashes`) to `out`, which must
 * not exist. `extraVersions` adds what only the caller knows (Electron's main process).
 */
export async function writeDiagnostics(opts: { home: string; crashes: string; out: string; extraVersions?: Record<string, string | undefined> }): Promise<DiagnosticsOutcome> {
  const { home, crashes, out } = opts;
  if (existsSync(out)) throw new KeelError('CONFLICT', 'a file is already there; choose another name', { where: out });
  const known: string[] = [];
  try {
    known.push(readFileSync(join(home, SERVE_TOKEN_FILE), 'utf8').trim());
  } catch {
    // no token: nothing to look for
  }
  const user = homedir();
  const clean = (text: string): string => redact(text, known, user);
  const entries: ZipEntry[] = [];
  const text = (name: string, body: string, mtime?: Date): void => void entries.push({ name, data: Buffer.from(clean(body), 'utf8'), mtime });

  text('versions.json', JSON.stringify({ createdAt: new Date().toISOString(), ...(await versions()), ...opts.extraVersions }, null, 2) + '\n');
  const logs = join(home, LOGS_DIR);
  for (const f of filesUnder(logs)) text(`logs/${relative(logs, f).split(sep).join('/')}`, readFileSync(f, 'utf8'), statSync(f).mtime);
  const listed: string[] = [];
  for (const f of filesUnder(crashes)) {
    const rel = relative(crashes, f).split(sep).join('/');
    const record = crashRecord(f);
    const st = statSync(f);
    if (record !== undefined) text(`crashes/${rel}`, record, st.mtime);
    else listed.push(`${rel}\t${st.size} bytes\t${st.mtime.toISOString()}`);
  }
  text('crashes.txt', listed.length ? `Crash files not included (binary dumps hold memory, which can hold keys); ask for one if it is needed:\n${listed.join('\n')}\n` : 'No binary crash dumps.\n');
  text(
    'README.txt',
    [
      'Keel diagnostics, made on this machine by Export diagnostics (nothing was sent anywhere).',
      'versions.json: Keel, Node/Electron, the OS, SQLite and DuckDB; logs/: the engine log files;',
      'crashes/: crash records (Node fatal-error reports without environment variables, caught-error notes);',
      'crashes.txt: binary crash dumps, listed only.',
      'Removed from every file: secrets, tokens, passwords, API keys, account and user ids, signatures,',
      'anything that looks like a key (long runs of letters and digits), and your home folder path (shown as ~).',
      'Not included: market data, orders, fills, positions, settings, the keychain.',
      '',
    ].join('\n'),
  );
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, zip(entries), { mode: 0o600 });
  renameSync(tmp, out);
  return { path: out, entries: entries.map((e) => e.name) };
}
