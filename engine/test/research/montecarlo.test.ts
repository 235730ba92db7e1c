import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMonteCarloFiles } from '../../src/research/files';
import { monteCarlo, quantileSorted, readRunTrades } from '../../src/research/montecarlo';

/** A run folder: equity at each bar's close and the closed trades, as `keel backtest --out` writes them. */
function runFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-mc-'));
  const t = (i: number) => 1_700_000_000_000 + i * 60_000;
  writeFileSync(join(dir, 'equity.csv'), ['timestamp,equity', ...[1000, 1000, 1100, 1100, 1100, 990, 990, 1188, 1188, 1128.6].map((e, i) => `${t(i)},${e}`)].join('\n') + '\n');
  // Trade 1 enters at bar 1 (equity before: 1000), +100 → +10%; trade 2 at bar 4 (before: 1100), −110 → −10%;
  // trade 3 at bar 6 (before: 990), +198 → +20%; trade 4 at bar 8 (before: 1188), −59.4 → −5%.
  writeFileSync(
    join(dir, 'trades.csv'),
    [
      'entry_time,entry_price,exit_time,exit_price,qty,side,pnl,return,fees,exit_reason',
      `${t(1)},10,${t(2)},11,100,long,100,0.1,0,market`,
      `${t(4)},10,${t(5)},9,110,long,-110,-0.1,0,market`,
      `${t(6)},10,${t(7)},12,99,long,198,0.2,0,market`,
      `${t(8)},10,${t(9)},9.5,118.8,long,-59.4,-0.05,0,market`,
    ].join('\n') + '\n',
  );
  return dir;
}

describe('Monte Carlo of a run\'s trades', () => {
  it('takes each trade\'s return as its pnl over the equity before its entry bar', () => {
    const t = readRunTrades(runFolder());
    [0.1, -0.1, 0.2, -0.05].forEach((r, i) => expect(t.returns[i]).toBeCloseTo(r, 15));
    expect(t.final).toBeCloseTo(1.1 * 0.9 * 1.2 * 0.95 - 1, 15);
    expect(t.maxDrawdown).toBeCloseTo(0.1, 15);
  });

  it('reproduces under a seed, bit for bit, and another seed gives other paths', () => {
    const dir = runFolder();
    const t = readRunTrades(dir);
    const outs = [1, 1, 2].map((seed) => {
      const out = mkdtempSync(join(tmpdir(), 'keel-mc-out-'));
      writeMonteCarloFiles(out, t, monteCarlo(t, { runs: 500, seed, methods: ['shuffle', 'bootstrap'] }), { runs: 500, seed, confidence: 0.9, drawdown: 0.1 });
      return ['paths.csv', 'fan.csv', 'summary.json'].map((f) => readFileSync(join(out, f), 'utf8'));
    });
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]![0]).not.toEqual(outs[0]![0]);
    expect(outs[0]![0]!.split('\n')[0]).toBe('method,path,final_return,max_drawdown');
    expect(outs[0]![0]!.trim().split('\n')).toHaveLength(1 + 2 * 500);
  });

  it('keeps the final return on every shuffle, while its drawdowns vary; bootstraps vary both', () => {
    const t = readRunTrades(runFolder());
    const [shuffle, boot] = monteCarlo(t, { runs: 400, seed: 7, methods: ['shuffle', 'bootstrap'] });
    for (const f of shuffle!.final) expect(f).toBeCloseTo(t.final, 14);
    expect(new Set(Array.from(shuffle!.maxDrawdown, (d) => d.toFixed(10))).size).toBeGreaterThan(1);
    expect(new Set(Array.from(boot!.final, (f) => f.toFixed(10))).size).toBeGreaterThan(3);
    // Bootstrap draws 4 of {+10%, −10%, +20%, −5%}; the best path is +20% four times.
    expect(Math.max(...boot!.final)).toBeCloseTo(1.2 ** 4 - 1, 12);
    expect(shuffle!.fan[2]![0]).toBe(1); // every path starts at 1
  });

  it('uses R\'s type-7 quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
  });

  it('names the file and line of a trade whose entry is not a bar', () => {
    const dir = runFolder();
    writeFileSync(join(dir, 'trades.csv'), 'entry_time,pnl\n123,5\n');
    expect(() => readRunTrades(dir)).toThrow(/trades\.csv:2: entry_time 123 is not a bar of equity\.csv/);
  });
});
