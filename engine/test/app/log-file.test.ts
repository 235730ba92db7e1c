import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import { LogFile, readLogTail } from '../../src/app/log-file';
import { RepeatLimiter } from '../../src/app/logs';
import type { LogEntry } from '../../protocol/index';

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'keel-logs-'));
}

const entry = (i: number): LogEntry => ({ ts: 1_700_000_000_000 + i, level: 'info', source: 'test', message: `line ${i}` });

describe('log files', () => {
  it('rotate by size into three generations and read back newest last, across files', () => {
    const dir = temp();
    try {
      const failures: string[] = [];
      const file = LogFile.open(dir, (m) => failures.push(m), { maxBytes: 2_000, generations: 3 });
      for (let i = 0; i < 200; i++) file.write(entry(i));
      file.close();
      expect(readdirSync(dir).sort()).toEqual(['engine.log', 'engine.log.1', 'engine.log.2', 'engine.log.3']);
      for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2_000);
      const tail = readLogTail(dir, 50);
      expect(tail.map((e) => e.message)).toEqual(Array.from({ length: 50 }, (_, k) => `line ${150 + k}`));
      // Everything still on disk, oldest first; what rotated out of generation 3 is gone.
      const all = readLogTail(dir, 10_000);
      expect(all.at(-1)!.message).toBe('line 199');
      expect(all.length).toBeLessThan(200);
      expect(all.map((e) => Number(e.message.slice(5)))).toEqual([...all.map((e) => Number(e.message.slice(5)))].sort((a, b) => a - b));
      expect(failures).toEqual([]);
      expect(statSync(join(dir, 'engine.log')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skip a torn last line and anything that is not a log entry', () => {
    const dir = temp();
    try {
      const file = LogFile.open(dir, () => {});
      file.write(entry(1));
      file.close();
      appendFileSync(join(dir, 'engine.log'), '{"ts":5,"level":"shout","source":"x","message":"bad level"}\nnot json\n{"ts":6,"level":"info","sou');
      expect(readLogTail(dir, 10)).toEqual([entry(1)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outlive the engine: a restarted engine starts with the lines of the previous run, scrubbed of secrets', async () => {
    const home = temp();
    try {
      const first = new EngineApp({ home, mode: 'headless', openServices: async () => ({}) });
      first.logs.logger('desk').warn('kill switch engaged before the restart');
      first.logs.logger('host').info('a client sent token=0123456789abcdef0123456789abcdef');
      await first.close();
      const second = new EngineApp({ home, mode: 'headless', openServices: async () => ({}) });
      try {
        const lines = (await second.handlers['system.logs']({ limit: 50 })).map((l) => `${l.source} ${l.message}`);
        expect(lines).toContain('desk kill switch engaged before the restart');
        expect(lines).toContain('host a client sent token=***');
        const onDisk = readFileSync(join(home, 'logs', 'engine.log'), 'utf8');
        expect(onDisk).not.toContain('0123456789abcdef');
        expect(existsSync(join(home, 'logs', 'engine.log'))).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('repeated warnings', () => {
  afterEach(() => void vi.useRealTimers());

  it('are one line, then a summary a window while they go on, and a line again after a quiet window', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const limiter = new RepeatLimiter((m) => out.push(m), 60_000);
    const note = () => limiter.note('x', 'refused one', (n, w) => `${n} refused in the last ${w}`);
    for (let i = 0; i < 500; i++) note();
    expect(out).toEqual(['refused one']);
    vi.advanceTimersByTime(60_000);
    expect(out).toEqual(['refused one', '500 refused in the last minute']);
    // Still going: counted, not logged, and summed up at the end of this window.
    for (let i = 0; i < 7; i++) note();
    vi.advanceTimersByTime(60_000);
    expect(out.slice(2)).toEqual(['7 refused in the last minute']);
    // A window with none ends the run; the next one is a line of its own again.
    vi.advanceTimersByTime(60_000);
    note();
    expect(out.slice(3)).toEqual(['refused one']);
    // A key ends early (its connection closed): a single occurrence needs no summary.
    limiter.end('x');
    expect(out).toHaveLength(4);
    limiter.close();
  });

  it('count distinct keys under one once there are a hundred, so a stream of new keys cannot grow without bound', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const limiter = new RepeatLimiter((m) => out.push(m), 1_000);
    for (let i = 0; i < 1_000; i++) limiter.note(`k${i}`, `first ${i}`, (n) => `${n} more`);
    expect(out).toHaveLength(101);
    limiter.close();
    expect(out.at(-1)).toBe('900 more');
  });
});
