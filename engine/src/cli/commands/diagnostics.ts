import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { crashDir, keelHome } from '../../core/paths';
import { writeDiagnostics } from '../../app/diagnostics';
import type { CliCommand } from '../types';

const USAGE = `keel diagnostics --out FILE.zip [--home DIR]

Writes what the System screen's Export diagnostics writes: a zip of the engine's log files,
the crash folder's records and the versions of Keel, Node, the OS, SQLite and DuckDB, with
every secret, token, API key, account id and the home folder path removed. Nothing is sent
anywhere. Works with or without a running engine (it reads files only).

  --out FILE  the zip to write (must not exist)
  --home DIR  the home whose logs to take (default $KEEL_HOME or the per-user data dir);
              crash records from $KEEL_CRASH_DIR if set, else <home>/crashes`;

export const command: CliCommand = {
  name: 'diagnostics',
  summary: 'a zip of logs, crash records and versions, secrets removed',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, home: { type: 'string' } }, strict: true });
    if (!values.out) throw badInput('say where the zip goes', '--out');
    const home = values.home ? resolve(io.cwd, values.home) : keelHome(io.env);
    const d = await writeDiagnostics({ home, crashes: crashDir(home, io.env), out: resolve(io.cwd, values.out) });
    io.out(`keel diagnostics: ${d.entries.length} files in ${d.path}: ${d.entries.join(', ')}`);
    return 0;
  },
};
