import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './engine';

export interface RunningSimulator {
  url: string;
  /** POSTs to one of the simulator's control endpoints (/_sim/drop-ws, /_sim/pause?ms=). */
  control(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** `keel simulate-exchange --port 0 ...` as a child process; resolves with its URL. */
export function startSimulator(args: string[] = [], timeoutMs = 60_000): Promise<RunningSimulator> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin/keel.js'), 'simulate-exchange', '--port', '0', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator printed no URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      resolve({
        url,
        control: async (path) => (await fetch(`${url}${path}`, { method: 'POST' })).json(),
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with ${code}:\n${out}`));
    });
  });
}
