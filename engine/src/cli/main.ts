import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { isKeelError } from '../core/errors';
import { processIO, type CliCommand, type CliIO } from './types';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/** Command names are the file names in commands/: adding a command is adding a file. */
export function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  const mod = (await import(join(commandsDir, `${name}.ts`))) as { command: CliCommand };
  return mod.command;
}

async function printHelp(io: CliIO): Promise<void> {
  io.out('keel: a trading workstation engine. Usage: keel <command> [options]');
  io.out('');
  for (const name of commandNames()) {
    const c = await loadCommand(name);
    if (c) io.out(`  ${c.name.padEnd(12)} ${c.summary}`);
  }
  io.out('');
  io.out('`keel <command> --help` shows a command\'s options. Data lives in $KEEL_HOME (see README).');
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp(io);
    return name ? 0 : 1;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.err(`keel: unknown command "${name}". Run \`keel --help\` for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (isKeelError(e)) {
      io.err(`keel ${name}: ${e.message}`);
      return 2;
    }
    // node:util parseArgs (strict) refusing a flag: a mistyped option, not a crash.
    if (String((e as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS_')) {
      io.err(`keel ${name}: ${(e as Error).message}. Run \`keel ${name} --help\` for its options.`);
      return 2;
    }
    throw e;
  }
}
