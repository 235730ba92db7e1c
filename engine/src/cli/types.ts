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
}

export function processIO(): CliIO {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An IO that records what a command printed: for tests and for callers that want the text. */
export function captureIO(cwd = process.cwd(), env: Record<string, string | undefined> = {}): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd, env };
}
