// Sweeps through a real Redis (Debian's redis-server on a free port) and real `keel worker`
// processes: equal to the local sweep trial for trial, deduplicated when resubmitted, and
// nothing lost when a worker is killed mid-sweep.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { TRIALS_QUEUE } from '../../src/research/queue';
import { DATA_FIXTURES } from '../backtest/helpers';

const ROOT = resolve(__dirname, '../../..');
const BTC = join(DATA_FIXTURES, 'btc-usdt-5m-2023-01.csv');
const COSTS = ['--fee', '0.001', '--slippage', '0.0005', '--capital', '10000'];

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string): Promise<void> {
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start: ${seen}`)), 30_000);
    child[stream]!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (c) => fail(new Error(`${what} exited (${c}): ${seen}`)));
  });
}

let redis: ChildProcess;
let url: string;
const workers: ChildProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'keel-queue-'));
const home = mkdtempSync(join(tmpdir(), 'keel-queue-home-'));

async function startWorker(): Promise<ChildProcess> {
  const w = spawn(process.execPath, ['bin/keel.js', 'worker', '--queue', url, '--threads', '1', '--stalled-ms', '1000', '--data', BTC], { cwd: ROOT, env: { ...process.env, KEEL_HOME: home } });
  workers.push(w);
  await waitFor(w, 'stdout', /taking trials from/, 'keel worker');
  return w;
}

beforeAll(async () => {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitFor(redis, 'stdout', /Ready to accept connections/, 'redis-server');
  await Promise.all([startWorker(), startWorker()]);
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  redis?.kill();
});

async function keel(...args: string[]) {
  const io = captureIO(work, { KEEL_HOME: home });
  const code = await main(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const read = (...p: string[]) => readFileSync(join(work, ...p), 'utf8');

describe('a sweep through BullMQ on Redis', () => {
  it('equals the local sweep trial for trial, and a resubmitted sweep is the same flow', async () => {
    const sweep = ['optimize', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=4:16:4', '--param-range', 'slow=20:80:20', '--trials-per-job', '3', ...COSTS];
    const q = await keel(...sweep, '--queue', url, '--out', 'queued');
    expect(q.code, q.err).toBe(0);
    const local = await keel(...sweep.filter((a) => a !== '--trials-per-job' && a !== '3'), '--workers', '2', '--out', 'local');
    expect(local.code).toBe(0);
    expect(read('queued', 'trials.csv')).toBe(read('local', 'trials.csv'));
    expect(read('queued', 'summary.json')).toBe(read('local', 'summary.json'));
    expect(read('queued', 'best', 'equity.csv')).toBe(read('local', 'best', 'equity.csv'));

    const conn = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(TRIALS_QUEUE, { connection: conn });
    const before = await queue.getJobCounts('completed', 'wait', 'active', 'failed');
    expect(before.completed).toBe(Math.ceil(16 / 3));
    const again = await keel(...sweep, '--queue', url, '--out', 'again');
    expect(again.code).toBe(0);
    expect(await queue.getJobCounts('completed', 'wait', 'active', 'failed')).toEqual(before); // no new job
    expect(read('again', 'trials.csv')).toBe(read('local', 'trials.csv'));
    await queue.close();
    conn.disconnect();
  }, 90_000);

  it('fans walk-forward folds out too, with the same windows and out-of-sample curve as a local run', async () => {
    const wf = ['walkforward', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=4:12:4', '--param-range', 'slow=20:60:20', '--train', '2000', '--test', '1500', ...COSTS];
    const q = await keel(...wf, '--queue', url, '--out', 'wf-queued');
    expect(q.code, q.err).toBe(0);
    expect((await keel(...wf, '--workers', '2', '--out', 'wf-local')).code).toBe(0);
    expect(read('wf-queued', 'windows.csv')).toBe(read('wf-local', 'windows.csv'));
    expect(read('wf-queued', 'oos', 'equity.csv')).toBe(read('wf-local', 'oos', 'equity.csv'));
  }, 90_000);

  it('loses nothing when a worker is killed part-way: BullMQ hands its jobs to the other', async () => {
    // A strategy slow enough (busy work per bar) that the sweep is still running when the worker dies.
    const slow = join(work, 'slow-cross.mts'); // .mts: a file outside the project is ES module only by its extension
    writeFileSync(
      slow,
      readFileSync(join(ROOT, 'strategies/sma-cross.ts'), 'utf8')
        .replace("from '../engine/sdk'", `from '${join(ROOT, 'engine/sdk')}'`)
        .replace("id: 'sma-cross'", "id: 'slow-cross'")
        .replace('onBar() {', 'onBar() {\n        let spin = 0;\n        for (let i = 0; i < 300; i++) spin += Math.sqrt(i);\n        if (spin < 0) return;'),
    );
    const sweep = ['optimize', '--data', BTC, '--strategy', slow, '--param-range', 'fast=2:20:2', '--param-range', 'slow=30:60:10', '--trials-per-job', '2', ...COSTS];
    const conn = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(TRIALS_QUEUE, { connection: conn });
    const queued = keel(...sweep, '--queue', url, '--out', 'killed');
    // Once three jobs are active, the first worker (at most two at a time each) holds one of them.
    for (let i = 0; i < 600 && (await queue.getActiveCount()) < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await queue.getActiveCount()).toBeGreaterThanOrEqual(3);
    workers[0]!.kill('SIGKILL');
    const q = await queued;
    expect(q.code, q.err).toBe(0);
    expect(q.out).toMatch(/[1-9]\d* queue jobs ran more than once \(a worker stopped or a job failed and was retried\); no trial was lost/);
    const local = await keel(...sweep.filter((a) => a !== '--trials-per-job' && a !== '2'), '--workers', '2', '--out', 'plain');
    expect(read('killed', 'trials.csv')).toBe(read('plain', 'trials.csv'));
    expect(read('killed', 'trials.csv').trim().split('\n')).toHaveLength(1 + 40);
    await queue.close();
    conn.disconnect();
  }, 120_000);

  it('has a worker refuse a job whose data differs from the file it has', async () => {
    const conn = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(TRIALS_QUEUE, { connection: conn });
    const job = await queue.add(
      'trials',
      {
        data: { sha256: 'f'.repeat(64), path: BTC, from: 0, to: 100, symbol: 'BTC-USDT', timeframe: '5m' },
        strategy: { ref: 'sma-cross', sha256: 'unchecked' },
        settings: { capital: 1000, fee: 0, slippage: 0, periodsPerYear: 1, pboBlocks: 0 },
        trials: [{ fast: 2, slow: 5 }],
      },
      { jobId: 'refused-data', attempts: 1 },
    );
    let state = '';
    for (let i = 0; i < 200 && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await job.getState();
    }
    expect(state).toBe('failed');
    const failed = await queue.getJob('refused-data');
    expect(failed!.failedReason).toMatch(/source here \(sha256 [0-9a-f]{64}\) differs|has other content than the sweep's data/);
    await queue.close();
    conn.disconnect();
  }, 30_000);
});
