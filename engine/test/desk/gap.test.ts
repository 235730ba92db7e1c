import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RoundTrip } from '../../src/backtest/round-trips';
import { gapReport } from '../../src/desk/gap';
import type { GapCauses, RunGap } from '../../src/model/gap';

const dir = mkdtempSync(join(tmpdir(), 'keel-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;
const sumCauses = (c: GapCauses) => Object.values(c).reduce((a, b) => a + b, 0);

function trade(entryTime: number, entryPrice: number, exitPrice: number, qty: number, fees: number, side: 'buy' | 'sell' = 'buy'): RoundTrip {
  const d = side === 'buy' ? 1 : -1;
  const pnl = d * qty * (exitPrice - entryPrice) - fees;
  return { symbol: 'X', side, entryTime, entryPrice, exitTime: entryTime + 10 * MIN, exitPrice, qty, fees, pnl, returnPct: pnl / (qty * entryPrice), exitReason: 'market' };
}

describe('the gap report', () => {
  it('splits the PnL difference into causes that add up to it, trade by trade', () => {
    const bt = [trade(0, 100, 110, 2, 1), trade(60 * MIN, 120, 115, 1, 0.5, 'sell'), trade(200 * MIN, 130, 140, 1, 0.5)];
    // Forward: the first entered a bar late, dearer and smaller; the short was never taken; one trade the backtest did not make.
    const fwd = [trade(MIN, 100.5, 109.8, 1.5, 1.2), trade(400 * MIN, 150, 151, 1, 0.3)];
    const g = gapReport({
      forward: { trades: fwd, signals: [{ ts: MIN, side: 'buy', type: 'market' }], openPnl: 3, fees: 1.5 },
      backtest: { trades: bt, signals: [{ ts: 0, side: 'buy', type: 'market' }, { ts: 60 * MIN, side: 'sell', type: 'market' }], openPnl: -2, fees: 2 },
      barMs: MIN,
    });
    expect(g.counts).toEqual({ matched: 1, missed: 2, extra: 1 });
    expect(g.difference).toBeCloseTo(sumCauses(g.causes), 9);
    const m = g.trades.find((t) => t.kind === 'matched')!;
    expect(m).toMatchObject({ entryDelayMs: MIN, entrySlippage: 0.5 });
    expect(m.causes.entryPrice).toBeCloseTo(-1.5 * 0.5, 12);
    expect(m.causes.exitPrice).toBeCloseTo(1.5 * -0.2, 12);
    expect(m.causes.size).toBeCloseTo(-0.5 * 10, 12);
    expect(m.causes.fees).toBeCloseTo(-0.2, 12);
    expect(m.pnlDiff).toBeCloseTo(sumCauses(m.causes), 12);
    expect(g.causes.open).toBe(5);
    const short = g.trades.find((t) => t.kind === 'missed' && t.side === 'sell')!;
    expect(short.note).toMatch(/placed no order/);
    expect(g.signals.differing).toEqual([{ ts: 60 * MIN, side: 'sell', type: 'market', only: 'backtest' }]);
  });

  it('keel gap on a keel paper run: all zero at zero latency; with latency past a bar, every difference explained', () => {
    const keel = join(import.meta.dirname, '../../../bin/keel.js');
    const data = join(import.meta.dirname, '../fixtures/data/btc-usdt-5m-2023-01.csv');
    const args = ['--strategy', 'trend', '--data', data, '--fee', '0.001', '--slippage', '0.0005', '--capital', '10000', '--param', 'fast=10', '--param', 'slow=40'];
    const gap = (latency: number): RunGap => {
      const out = join(dir, `l${latency}`);
      execFileSync(process.execPath, [keel, 'paper', ...args, '--latency-ms', String(latency), '--out', out], { env: { ...process.env, KEEL_HOME: join(dir, 'home') } });
      return JSON.parse(execFileSync(process.execPath, [keel, 'gap', out, '--json'], { env: { ...process.env, KEEL_HOME: join(dir, 'home') }, encoding: 'utf8' })) as RunGap;
    };
    const same = gap(0);
    expect(same.difference).toBe(0);
    expect(same.counts.missed + same.counts.extra).toBe(0);
    expect(same.signals.differing).toEqual([]);
    expect(same.counts.matched).toBeGreaterThan(10);

    const late = gap(400_000); // more than one 5-minute bar each way
    expect(late.difference).not.toBe(0);
    expect(late.difference).toBeCloseTo(sumCauses(late.causes), 6);
    const matched = late.trades.filter((t) => t.kind === 'matched');
    expect(matched.length).toBeGreaterThan(10);
    // Every matched entry came at least a bar later: the latency, not chance.
    for (const t of matched) expect(t.entryDelayMs).toBeGreaterThanOrEqual(300_000);
  });
});
