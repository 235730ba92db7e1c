import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const guard = join(import.meta.dirname, '..', '..', 'src', 'host', 'process-guard.ts');

/** Runs `body` in a fresh Node process with tsx, the way the engine runs. */
function run(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `import { guardProcess } from ${JSON.stringify(guard)};\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the process guard of a serving engine', () => {
  it('logs an exception or a rejection nothing caught and keeps the process running', () => {
    const r = run(`
      guardProcess((m) => console.log('LOG ' + m));
      setTimeout(() => { throw new TypeError('a bug in a timer'); }, 10);
      void Promise.reject(new Error('a forgotten promise'));
      setTimeout(() => { console.log('still serving'); process.exit(0); }, 200);
    `);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('LOG an exception was thrown and nothing caught it; the engine keeps serving: TypeError: a bug in a timer');
    expect(r.stdout).toContain('LOG a promise was rejected and nothing handled it; the engine keeps serving: Error: a forgotten promise');
    expect(r.stdout).toContain('still serving');
    expect(r.stderr).toContain('keel engine: an exception was thrown and nothing caught it');
  });

  it('is gone once uninstalled: before the engine listens, a failure still ends the process', () => {
    const r = run(`
      const off = guardProcess(() => {});
      off();
      setTimeout(() => { throw new Error('start-up failed'); }, 10);
      setTimeout(() => { console.log('should not print'); }, 200);
    `);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('start-up failed');
    expect(r.stdout).not.toContain('should not print');
  });

  it('leaves a note of each in the crash folder, scrubbed of secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-crashes-'));
    try {
      const r = run(`
        guardProcess(() => {}, ${JSON.stringify(dir)});
        setTimeout(() => { throw new Error('auth failed, secret=hunter2hunter2'); }, 10);
        setTimeout(() => process.exit(0), 200);
      `);
      expect(r.status).toBe(0);
      const notes = readdirSync(dir);
      expect(notes).toHaveLength(1);
      const note = JSON.parse(readFileSync(join(dir, notes[0]!), 'utf8')) as { what: string; error: { message: string; stack: string } };
      expect(note.what).toBe('an exception was thrown and nothing caught it');
      expect(note.error.message).toBe('auth failed, secret=***');
      expect(note.error.stack).not.toContain('hunter2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
