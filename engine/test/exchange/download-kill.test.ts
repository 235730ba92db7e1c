import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/market-store';
import { readCoverage } from '../../src/data/download-store';
import { barSeriesOf } from '../../src/data/market-store';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { tempDir } from '../data/helpers';

const MIN = 60_000;
const BARS = 1_050_000;
const root = join(__dirname, '..', '..', '..');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `keel download` as a trader runs it; `killAt` SIGKILLs it once its progress passes that share. */
function keelDownload(home: string, args: string[], killAt?: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/keel.js'), 'download', ...args], { env: { ...process.env, KEEL_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const pct = [...stderr.matchAll(/\(([\d.]+)%\)/g)].map((m) => Number(m[1]));
      if (killAt !== undefined && pct.length > 0 && pct[pct.length - 1]! >= killAt && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('a 1M-bar download with faults, killed with SIGKILL and run again', () => {
  const start = Date.UTC(2024, 6, 1);
  const holes = [
    { from: start - 900_000 * MIN, to: start - 899_000 * MIN },
    { from: start - 400_123 * MIN, to: start - 400_000 * MIN },
    { from: start - 77 * MIN, to: start - 7 * MIN },
  ];
  let sim: ExchangeSimulator;
  beforeAll(async () => {
    // The exchange's rate limit off (the download is about faults and resumption, not pacing); faults sparse but present.
    sim = await ExchangeSimulator.start({ start, historyBars: BARS, holes, tradesPerSecond: 0, rateLimit: false, faults: { rate429: 0.01, retryAfterSec: 0, rate5xx: 0.005, slow: 0.005, slowMs: 300 } });
  });
  afterAll(async () => sim?.stop());

  it('holds exactly the exchange bars afterwards, reports its holes as gaps, and the second run resumed', async () => {
    const home = tempDir();
    const btc = sim.symbol('BTC/USDT');
    const want = btc.closedBars();
    const from = want.ts[0]!;
    const args = ['--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1m', '--from', String(from), '--to', String(start), '--api-url', sim.url, '--rate-limit', '0', '--json'];

    const killed = await keelDownload(home, args, 35);
    expect(killed.signal, killed.stderr.slice(-2000)).toBe('SIGKILL');
    const firstRunRequests = sim.requests.length;

    // What the killed run left: a prefix of whole pages, each committed with the range it settled.
    let heldAfterKill: number;
    {
      const store = await MarketStore.open(join(home, 'market.duckdb'));
      try {
        const series = (await barSeriesOf(store.reader, 'binance:BTC/USDT')).find((s) => s.timeframe === '1m')!.id;
        const covered = await readCoverage(store.reader, series);
        expect(covered.length).toBe(1);
        expect(covered[0]!.from).toBe(from);
        heldAfterKill = (covered[0]!.to - from) / MIN;
        expect(heldAfterKill).toBeGreaterThanOrEqual(0.3 * BARS);
        expect(heldAfterKill % 1000).toBe(0);
        const stored = await store.bars('binance:BTC/USDT', '1m', { to: covered[0]!.to });
        const n = stored.length;
        expect(Array.from(stored.ts)).toEqual(Array.from(want.ts.subarray(0, n)));
      } finally {
        store.close();
      }
    }

    const resumed = await keelDownload(home, args);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(resumed.stdout) as { stored: number; alreadyHeld: number; gaps: { from: number; to: number; missing: number }[]; retries: number };
    // The second run did not start over: it asked only for bars after the ones the first run stored.
    expect(report.alreadyHeld).toBe(heldAfterKill);
    const secondRunStarts = sim.requests.slice(firstRunRequests).filter((r) => r.path === '/api/v3/klines').map((r) => Number(r.params.startTime));
    expect(Math.min(...secondRunStarts)).toBe(from + heldAfterKill * MIN);

    // Exactly the exchange's bars: none missing, none doubled, none invented across a hole.
    const store = await MarketStore.open(join(home, 'market.duckdb'));
    try {
      const got = await store.bars('binance:BTC/USDT', '1m');
      expect(got.length).toBe(want.ts.length);
      expect(got.ts.every((t, i) => t === want.ts[i])).toBe(true);
      expect(got.open.every((v, i) => v === want.open[i])).toBe(true);
      expect(got.high.every((v, i) => v === want.high[i])).toBe(true);
      expect(got.low.every((v, i) => v === want.low[i])).toBe(true);
      expect(got.close.every((v, i) => v === want.close[i])).toBe(true);
      expect(got.volume.every((v, i) => v === want.volume[i])).toBe(true);
    } finally {
      store.close();
    }
    expect(report.gaps).toEqual(holes.map((h) => ({ from: h.from, to: h.to, missing: (h.to - h.from) / MIN })));
    // Faults were met and ridden out.
    const refused = sim.requests.filter((r) => r.path === '/api/v3/klines' && (r.status === 429 || r.status === 503)).length;
    expect(refused).toBeGreaterThan(0);
  }, 300_000);
});
