/** A `keel` sub-command. Each lives in engine/src/cli/commands/<name>.ts as `export const command`. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Throwing a KeelError prints its message and exits 2. */
  run(args: string[], io: CliIO): Promise<number>;
}

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  /**
   * Lines a command reads from standard input (secrets: never from argv, where `ps` shows
   * them). From a pipe, its lines; from a terminal, one prompt per line with echo off.
   */
  readLines?(prompts: readonly string[]): Promise<string[]>;
}

export function processIO(): CliIO {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    cwd: process.cwd(),
    env: process.env,
    readLines: (prompts) => (process.stdin.isTTY ? promptHidden(prompts) : readPipe(prompts.length)),
  };
}

async function readPipe(max: number): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/).slice(0, max);
}

/** Asks for each line on the terminal without echoing what is typed. */
async function promptHidden(prompts: readonly string[]): Promise<string[]> {
  const { createInterface } = await import('node:readline');
  const { Writable } = await import('node:stream');
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const lines: string[] = [];
  try {
    for (const p of prompts) {
      muted = false;
      const answer = new Promise<string>((resolve) => rl.question(p, resolve));
      muted = true;
      lines.push(await answer);
      process.stderr.write('\n');
    }
  } finally {
    rl.close();
  }
  return lines;
}

/** An IO that records what a command printed: for tests and for callers that want the text. */
export function captureIO(cwd = process.cwd(), env: Record<string, string | undefined> = {}, stdin = ''): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const readLines = async (prompts: readonly string[]) => stdin.split(/\r?\n/).slice(0, prompts.length);
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd, env, readLines };
}
