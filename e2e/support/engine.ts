import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningEngine {
  url: string;
  /** A graceful stop: SIGTERM, as a trader's Ctrl-C or a service manager would (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** A crash: SIGKILL, so the engine closes nothing; resolves with the signal it died of once it is gone. */
  kill(): Promise<NodeJS.Signals | null>;
  output(): string;
}

/**
 * Starts `keel serve` on a free port and resolves with the URL it prints (token included).
 * The engine owns its home; a restart on the same home (and port) is how specs test what
 * survives.
 */
export function startEngine(home: string, timeoutMs = 30_000, port = 0): Promise<RunningEngine> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin/keel.js'), 'serve', '--port', String(port), '--home', home], {
    cwd: repoRoot,
    env: { ...process.env, KEEL_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`keel serve printed no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        url: m[1]!,
        output: () => out,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`keel serve exited with ${code} before listening:\n${out}`)));
  });
}
