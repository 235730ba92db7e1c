import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { writeFileAtomically } from '../../research/files';
import { runReport } from '../../research/html-report';
import { readRun } from '../../research/run-record';
import type { CliCommand } from '../types';

const USAGE = `keel report RUN [--out FILE.html]

Exports a recorded run (a backtest, sweep, walk-forward or Monte Carlo run; RUN is its id under
$KEEL_HOME/runs or its folder) as one self-contained HTML file: charts as inline SVG, no script,
nothing fetched, so it opens offline anywhere. Default FILE: report.html in the run's folder.`;

export const command: CliCommand = {
  name: 'report',
  summary: 'Export a recorded run as one self-contained HTML report (opens offline)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw badInput('give one run: its id or its folder', 'RUN');
    const { manifest, dir } = readRun(positionals[0]!, io.cwd, io.env);
    const file = values.out ? resolve(io.cwd, values.out) : resolve(dir, 'report.html');
    writeFileAtomically(file, runReport(dir, manifest));
    io.out(`wrote ${file}`);
    return 0;
  },
};
