// The README's trader's guide promises that its commands work as written on a fresh clone.
// This runs them, in the order a trader would, on a fresh home: every `sh` block of the guide,
// and the simulator it tells you to start in another terminal. Left out, by the README's own
// words: the download that needs a connection to the exchange, `keel serve` (it runs until
// Ctrl-C; serve-command.test.ts starts it) and the UI build (`npm test` builds the UI).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const guideStart = readme.indexOf("## A trader's guide");
// The guide runs to the next section of the same level (its ### parts are inside it).
const guide = readme.slice(guideStart, readme.indexOf('\n## ', guideStart + 1));
const work = mkdtempSync(join(tmpdir(), 'keel-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The guide's shell lines, comments off, `npx keel` as bin/keel.js (npx would look the package up). */
function commands(): string[] {
  const lines: string[] = [];
  for (const block of guide.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (line) lines.push(line);
    }
  }
  return lines;
}

const needsConnection = (c: string): boolean => c.includes('keel download') && !c.includes('--api-url');
const runsUntilStopped = (c: string): boolean => /keel serve\b/.test(c);
const buildsTheUi = (c: string): boolean => c === 'npm run build:ui';

describe("the README's trader's guide", () => {
  it('runs as written on a fresh home', async () => {
    const all = commands();
    expect(all.length).toBeGreaterThan(8);
    const home = join(work, 'home'); // ~ for the backup and restore lines
    const cwd = join(work, 'clone');
    spawnSync('mkdir', ['-p', home, cwd]);
    symlinkSync(join(repo, 'data'), join(cwd, 'data'));
    const env = { ...process.env, HOME: home, KEEL_HOME: join(work, 'keel-home'), PATH: process.env.PATH ?? '' };
    const shell = (cmd: string) => spawnSync('bash', ['-c', cmd.replaceAll('npx keel', `node ${join(repo, 'bin', 'keel.js')}`)], { cwd, env, encoding: 'utf8', timeout: 120_000 });

    // "in one terminal": the simulator the offline download talks to.
    const sim = /in one terminal\s+`(npx keel simulate-exchange [^`]+)`/.exec(guide)?.[1];
    expect(sim, 'the guide names the simulator command').toBeDefined();
    const child = spawn('bash', ['-c', `exec ${sim!.replace('npx keel', `node ${join(repo, 'bin', 'keel.js')}`)}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the simulator did not start')), 30_000);
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && (clearTimeout(timer), resolve()));
      });
      const ran: string[] = [];
      for (const cmd of all) {
        if (needsConnection(cmd) || runsUntilStopped(cmd) || buildsTheUi(cmd)) continue;
        const r = shell(cmd);
        expect({ cmd, status: r.status, stderr: r.stderr.slice(-2000) }).toEqual({ cmd, status: 0, stderr: expect.any(String) });
        ran.push(cmd);
      }
      // The guide's outcomes: a backtest's files, a restored home with the downloaded dataset.
      expect(ran.some((c) => c.includes('keel backtest'))).toBe(true);
      expect(shell('ls results/sma').stdout.split('\n')).toEqual(expect.arrayContaining(['metrics.json', 'trades.csv', 'equity.csv']));
      const restored = shell('KEEL_HOME=~/keel-restored npx keel datasets');
      expect(restored.stdout).toContain('binance:BTC/USDT');
      expect(restored.stdout).toContain('BTC/USDT');
    } finally {
      child.kill('SIGINT');
    }
  }, 300_000);
});
