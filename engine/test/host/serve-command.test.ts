import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { command } from '../../src/cli/commands/serve';
import { captureIO } from '../../src/cli/types';

const root = join(import.meta.dirname, '..', '..', '..');

describe('keel serve', () => {
  it('refuses a bad port before starting anything', async () => {
    await expect(command.run(['--port', 'eighty'], captureIO())).rejects.toMatchObject({ code: 'BAD_INPUT', where: '--port' });
    await expect(command.run(['--port', '70000'], captureIO())).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('through bin/keel.js: prints the URL with the token, serves the UI and the socket, stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-serve-'));
    mkdirSync(join(dir, 'ui'));
    writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>Keel UI</title>');
    const child = spawn(process.execPath, [join(root, 'bin', 'keel.js'), 'serve', '--port', '0', '--home', join(dir, 'home'), '--ui', join(dir, 'ui')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => (out += c));
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
      });
      expect(out).toMatch(/engine listening after \d+ ms/);
      const page = await fetch(new URL('/', url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Keel UI');
      const token = url.hash.slice('#token='.length);
      const ws = new WebSocket(`ws://${url.host}/ws?token=${token}`);
      const hello = await new Promise<{ t: string; info: { mode: string } }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      expect(hello).toMatchObject({ t: 'hello', info: { mode: 'headless' } });
      ws.close();
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGINT');
      });
      expect(code).toBe(0);
      expect(out).toContain('keel: stopping');

      // The token lives in the home, private to its owner, and outlives the engine; --new-token replaces it.
      const file = join(dir, 'home', 'serve-token');
      expect(readFileSync(file, 'utf8').trim()).toBe(token);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = await serveOnce(dir, []);
      expect(again).toBe(token);
      const rotated = await serveOnce(dir, ['--new-token']);
      expect(rotated).toMatch(/^[0-9a-f]{64}$/);
      expect(rotated).not.toBe(token);
      expect(readFileSync(file, 'utf8').trim()).toBe(rotated);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45_000);
});

/** Starts `keel serve` on dir/home, returns the token in the URL it prints, and stops it. */
async function serveOnce(dir: string, extra: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(root, 'bin', 'keel.js'), 'serve', '--port', '0', '--home', join(dir, 'home'), '--ui', join(dir, 'ui'), ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      child.stdout.on('data', (c: string) => {
        out += c;
        const m = /#token=([0-9a-f]{64})/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  }
}
