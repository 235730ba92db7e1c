import { parseArgs } from 'node:util';
import { listStrategies } from '../../strategy/loader';
import { describeParam } from '../../strategy/params';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'strategies',
  summary: 'List the strategies and their parameters with ranges',
  usage: `keel strategies [--json]

Lists each shipped strategy, what it does, and its parameters: kind, range and default.
Give parameters to \`keel backtest\` as --param name=value.`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const all = listStrategies();
    if (values.json) {
      const info = all.map((s) => ({ id: s.id, name: s.name, description: s.description, params: Object.entries(s.params).map(([name, spec]) => ({ name, ...spec })) }));
      io.out(JSON.stringify(info, null, 2));
      return 0;
    }
    for (const s of all) {
      io.out(`${s.id} — ${s.name}`);
      io.out(`  ${s.description}`);
      const entries = Object.entries(s.params);
      const w = Math.max(0, ...entries.map(([n]) => n.length));
      for (const [name, spec] of entries) {
        io.out(`    ${name.padEnd(w)}  ${describeParam(spec)}${spec.description ? `  ${spec.description}` : ''}`);
      }
      io.out('');
    }
    return 0;
  },
};
