import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { analyzeSpread } from '../../src/data/spread';
import { seriesFromBars, type Bar } from '../../src/model/bar';
import { tempDir, writeFile } from './helpers';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** 100 bars at a constant 100 on venue A; venue B the same but for known offsets at known bars. */
function venues(): { a: Bar[]; b: Bar[] } {
  const a: Bar[] = [];
  const b: Bar[] = [];
  for (let i = 0; i < 100; i++) {
    const pb = i >= 20 && i < 25 ? 101 : i >= 60 && i < 63 ? 99.5 : i === 80 ? 100.15 : 100;
    a.push({ ts: T0 + i * MIN, open: 100, high: 100, low: 100, close: 100, volume: 10 });
    b.push({ ts: T0 + i * MIN, open: pb, high: pb, low: pb, close: pb, volume: i === 61 ? 4 : 12 });
  }
  return { a, b };
}

// Fees 10 bps a leg and 5 bps of slippage a leg: a round trip costs 30 bps.
const COSTS = { feeA: 0.001, feeB: 0.001, slippage: 0.0005 };

describe('the cross-exchange spread', () => {
  it('finds exactly the opportunities built into two venues, with their net PnL', () => {
    const { a, b } = venues();
    const r = analyzeSpread(seriesFromBars('binance:BTC/USDT', '1m', a), seriesFromBars('kraken:BTC/USD', '1m', b), { ...COSTS, threshold: 0.001 });
    expect(r.cost).toBeCloseTo(0.003, 12);
    expect(r.aligned).toBe(100);
    // +1 % for 5 bars (buy A, sell B: 70 bps net), -0.5 % for 3 bars (20 bps net); +0.15 % nets -15 bps: none.
    expect(r.opportunities.map((o) => [o.start, o.end, o.bars, o.direction])).toEqual([
      [T0 + 20 * MIN, T0 + 25 * MIN, 5, 'buy-a-sell-b'],
      [T0 + 60 * MIN, T0 + 63 * MIN, 3, 'buy-b-sell-a'],
    ]);
    const [up, down] = r.opportunities as [(typeof r.opportunities)[0], (typeof r.opportunities)[0]];
    expect(up.peakNet).toBeCloseTo(0.007, 12);
    expect(up.durationMs).toBe(5 * MIN);
    // 10 % of the smaller volume (10) a bar: 1 a bar; at 100 a unit that nets 0.70 a bar.
    expect(up.size).toBeCloseTo(5, 12);
    expect(up.pnl).toBeCloseTo(5 * 1 * 100 * 0.007, 9);
    // Bar 61 has only 4 on B: 0.4 tradable there.
    expect(down.size).toBeCloseTo(1 + 0.4 + 1, 12);
    expect(down.pnl).toBeCloseTo(2.4 * 100 * 0.002, 9);
    expect(r.totalPnl).toBeCloseTo(3.5 + 0.48, 9);
    expect(r.net[80]).toBeCloseTo(0.0015 - 0.003, 12);
  });

  it('ends a run where a bar is missing on either venue, and counts bars only one venue has', () => {
    const { a, b } = venues();
    const r = analyzeSpread(seriesFromBars('A', '1m', a), seriesFromBars('B', '1m', b.filter((_, i) => i !== 22)), { ...COSTS, threshold: 0.001 });
    expect(r.onlyA).toBe(1);
    expect(r.opportunities.slice(0, 2).map((o) => [o.start, o.bars])).toEqual([
      [T0 + 20 * MIN, 2],
      [T0 + 23 * MIN, 2],
    ]);
  });

  it('keel spread writes spread.csv, opportunities.csv and summary.json from two files', async () => {
    const dir = tempDir();
    const { a, b } = venues();
    const csv = (bars: Bar[]) => ['timestamp,open,high,low,close,volume', ...bars.map((x) => `${x.ts},${x.open},${x.high},${x.low},${x.close},${x.volume}`)];
    const fa = writeFile(dir, 'binance-btc-usdt-1m.csv', csv(a));
    const fb = writeFile(dir, 'kraken-btc-usd-1m.csv', csv(b));
    const io = captureIO(dir, { KEEL_HOME: join(dir, 'home') });
    const code = await main(['spread', '--data', fa, '--data', fb, '--fee-a', '0.001', '--fee-b', '0.001', '--slippage', '0.0005', '--threshold', '0.001', '--out', 'out'], io);
    expect(code, io.stderr.join('\n')).toBe(0);
    const opp = readFileSync(join(dir, 'out', 'opportunities.csv'), 'utf8').trim().split('\n');
    expect(opp).toHaveLength(3);
    expect(opp[1]!.split(',').slice(0, 5)).toEqual([String(T0 + 20 * MIN), String(T0 + 25 * MIN), String(5 * MIN), '5', 'buy-a-sell-b']);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as { opportunities: number; totalPnl: number };
    expect(summary.opportunities).toBe(2);
    expect(summary.totalPnl).toBeCloseTo(3.98, 9);
    expect(readFileSync(join(dir, 'out', 'spread.csv'), 'utf8').trim().split('\n')).toHaveLength(101);
    expect(io.stdout.join('\n')).toMatch(/2 opportunities above 10\.0 bps net/);
  });

  it('refuses two datasets of different timeframes, and a missing --threshold, saying which', async () => {
    const { a, b } = venues();
    expect(() => analyzeSpread(seriesFromBars('A', '1m', a), seriesFromBars('B', '5m', b), { ...COSTS, threshold: 0 })).toThrow(/share a timeframe/);
    const io = captureIO(tempDir());
    expect(await main(['spread', '--data', 'x.csv', '--data', 'y.csv', '--out', 'o'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--threshold is required/);
  });
});
