import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { keelHome } from '../../core/paths';
import { restoreBackup } from '../../app/backup';
import type { CliCommand } from '../types';

const USAGE = `keel restore --from DIR [--home DIR] [--force]

Restores a backup made by \`keel backup\` into a home folder. Every file's SHA-256 is checked
first, and the state database's integrity after copying; a failed restore leaves the home
as it was. A home that is empty or absent is filled. A home with anything in it is refused
unless --force is given; then its contents are moved aside to <home>.before-restore-<time>
(kept, not deleted) and never while an engine (the app or keel serve) runs on it.

  --from DIR  the backup folder (the one holding keel-backup.json)
  --home DIR  the home to restore into (default $KEEL_HOME or the per-user data dir)
  --force     replace a home that is not empty`;

export const command: CliCommand = {
  name: 'restore',
  summary: 'restore a backup into a home folder',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { from: { type: 'string' }, home: { type: 'string' }, force: { type: 'boolean' } }, strict: true });
    if (!values.from) throw badInput('say which backup to restore', '--from');
    const from = resolve(io.cwd, values.from);
    const home = values.home ? resolve(io.cwd, values.home) : keelHome(io.env);
    if (resolve(from) === resolve(home)) throw badInput('the backup and the home are the same folder', '--home');
    const r = await restoreBackup(from, home, { force: values.force === true });
    io.out(`keel restore: ${r.manifest.files.length} files from the backup of ${r.manifest.createdAt} (Keel ${r.manifest.version}) restored into ${r.home}`);
    if (r.previous) io.out(`keel restore: what the home held before is in ${r.previous}`);
    return 0;
  },
};
