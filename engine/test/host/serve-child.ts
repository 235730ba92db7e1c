import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface ServeChild {
  child: ChildProcess;
  url: URL;
  port: number;
  token: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once it has exited (SIGINT first, SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/** A directory with a stand-in UI, for a `keel serve` whose page is not under test. */
export function stubUi(dir: string): string {
  const ui = join(dir, 'ui');
  mkdirSync(ui, { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Keel UI</title>');
  return ui;
}

/**
 * Starts `keel serve` as a real child process (bin/keel.js, as a trader runs it) on `home`
 * and resolves once it printed its URL.
 */
export function startServe(home: string, ui: string, extra: string[] = ['--port', '0'], timeoutMs = 30_000): Promise<ServeChild> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'keel.js'), 'serve', '--home', home, '--ui', ui, ...extra], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keel serve printed no URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`keel serve exited with ${code} before listening:\n${out}`));
    });
    child.stdout!.on('data', (c: string) => {
      out += c;
      const m = /open (http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64}))/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: new URL(m[1]!),
        port: Number(m[2]),
        token: m[3]!,
        output: () => out,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGINT');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}
