import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { readRun } from '../../research/run-record';
import { rerun } from '../../research/rerun';
import type { CliCommand } from '../types';

const USAGE = `keel rerun RUN

Runs a recorded backtest, sweep, walk-forward or Monte Carlo run again and compares every output
file byte for byte. RUN is a run id (a folder under $KEEL_HOME/runs) or a folder holding the
run's run.json (its --out DIR). First checks the inputs (the data file's content hash, the
strategy's source hash, the input files, Keel's version) and names any that changed.
Exit code 0: identical; 1: an input changed or an output differs.`;

export const command: CliCommand = {
  name: 'rerun',
  summary: 'Run a recorded run again; identical bit for bit, or say which input changed',
  usage: USAGE,
  async run(args, io) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw badInput('give one run: its id (keel runs are under $KEEL_HOME/runs) or its folder', 'RUN');
    const { manifest } = readRun(positionals[0]!, io.cwd, io.env);
    const { main } = await import('../main');
    const r = await rerun(manifest, io, main);
    if (r.changed.length > 0) {
      io.out(`${manifest.run_id}: not re-run, because ${r.changed.length === 1 ? 'an input has' : `${r.changed.length} inputs have`} changed:`);
      for (const c of r.changed) io.out(`  ${c.input}: was ${c.was}, now ${c.now}`);
      return 1;
    }
    if (r.differs.length > 0) {
      io.out(`${manifest.run_id}: re-run differs in ${r.differs.length} of ${r.differs.length + r.same} files:`);
      for (const d of r.differs) io.out(`  ${d.file}: was sha256 ${d.was}, now ${d.now === 'missing' ? 'missing' : `sha256 ${d.now}`}`);
      return 1;
    }
    io.out(`${manifest.run_id}: identical; ${r.same} output files reproduced bit for bit (${manifest.command}, Keel ${manifest.keel})`);
    return 0;
  },
};
