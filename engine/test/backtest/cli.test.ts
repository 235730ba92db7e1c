import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { EQUITY_CSV_HEADER, TRADES_CSV_HEADER } from '../../src/backtest/report';
import { command as backtest } from '../../src/cli/commands/backtest';
import { command as strategies } from '../../src/cli/commands/strategies';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { loadBarFile } from '../../src/data/load-bar-file';
import smaCross from '../../../strategies/sma-cross';
import { DATA_FIXTURES } from './helpers';

const ROOT = resolve(__dirname, '../../..');
// Every backtest is recorded under $KEEL_HOME/runs: keep the tests' runs out of the real home.
const HOME = mkdtempSync(join(tmpdir(), 'keel-bt-home-'));
const cli = () => captureIO(ROOT, { KEEL_HOME: HOME });
const XRP = join(DATA_FIXTURES, 'xrp-usdt-perp-1h-2021-11.csv');
const BTC = join(DATA_FIXTURES, 'btc-usdt-5m-2023-01.csv');

describe('keel backtest', () => {
  it('runs end to end through bin/keel.js and writes metrics.json, trades.csv, equity.csv', async () => {
    const out = mkdtempSync(join(tmpdir(), 'keel-bt-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/keel.js', 'backtest', '--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=12', '--param', 'slow=48', '--fee', '0.001', '--slippage', '0.0005', '--capital', '5000', '--out', out],
      { cwd: ROOT, env: { ...process.env, KEEL_HOME: HOME } },
    );
    expect(stdout).toMatch(/Total return\s+-?\d+\.\d\d%/);
    expect(stdout).toMatch(/Sharpe\s+-?\d+\.\d{3}/);

    // The same run in-process, on the same loader's bars: the files must hold exactly its numbers.
    const { series } = await loadBarFile(BTC);
    const want = await runBacktest({ series, strategy: smaCross, params: { fast: 12, slow: 48 }, capital: 5000, fee: 0.001, slippage: 0.0005 });
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, number | null>;
    expect(metrics).toEqual(want.metrics);
    for (const k of ['total_return', 'final_equity', 'max_drawdown', 'sharpe', 'sortino', 'trades', 'win_rate', 'profit_factor']) expect(metrics).toHaveProperty(k);

    const trades = readFileSync(join(out, 'trades.csv'), 'utf8').trim().split('\n');
    expect(trades[0]).toBe(TRADES_CSV_HEADER);
    expect(trades.length - 1).toBe(metrics.trades);
    const first = trades[1]!.split(',');
    expect(Number(first[0])).toBe(want.trades[0]!.entryTime);
    expect(Number(first[6])).toBe(want.trades[0]!.pnl); // full precision survives the round trip

    const equity = readFileSync(join(out, 'equity.csv'), 'utf8').trim().split('\n');
    expect(equity[0]).toBe(EQUITY_CSV_HEADER);
    expect(equity.length - 1).toBe(series.length);
    expect(equity[1]).toBe(`${series.ts[0]},5000`);
    expect(Number(equity.at(-1)!.split(',')[1])).toBe(metrics.final_equity);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ strategy: 'sma-cross', params: { fast: 12, slow: 48 }, fee: 0.001, slippage: 0.0005, capital: 5000 });
  }, 30_000);

  it('prints an aligned summary and notes, without --out', async () => {
    const io = cli();
    expect(await backtest.run(['--data', XRP, '--strategy', 'sma-cross', '--param', 'fast=3', '--param', 'slow=9'], io)).toBe(0);
    const table = io.stdout.filter((l) => l.startsWith('  ') && !l.includes('note:'));
    expect(table.length).toBeGreaterThan(10);
    expect(new Set(table.map((l) => l.length)).size).toBe(1); // one width: the columns line up
    expect(io.stdout[0]).toMatch(/^sma-cross \(fast=3 slow=9\) on .* 1h, 100 bars/);
  });

  it('--periods-per-year overrides the default P, and Sharpe scales with √P', async () => {
    const dirs = [252, 365 * 24].map(() => mkdtempSync(join(tmpdir(), 'keel-bt-')));
    await backtest.run(['--data', XRP, '--strategy', 'sma-cross', '--param', 'fast=3', '--param', 'slow=9', '--periods-per-year', '252', '--out', dirs[0]!], cli());
    await backtest.run(['--data', XRP, '--strategy', 'sma-cross', '--param', 'fast=3', '--param', 'slow=9', '--out', dirs[1]!], cli());
    const [a, b] = dirs.map((d) => JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')) as Record<string, number>);
    expect(a!.periods_per_year).toBe(252);
    expect(b!.periods_per_year).toBe(365 * 24); // hourly bars on a 24/7 calendar
    expect(a!.sharpe! / b!.sharpe!).toBeCloseTo(Math.sqrt(252 / (365 * 24)), 12);
  });

  it('refuses bad input with a message that names it', async () => {
    const run = async (...args: string[]) => {
      const io = cli();
      const code = await main(['backtest', ...args], io);
      return { code, err: io.stderr.join('\n') };
    };
    expect(await run('--data', XRP, '--strategy', 'nope')).toEqual({ code: 2, err: expect.stringMatching(/no strategy "nope" \(known: sma-cross, trend, mean-reversion, breakout\)/) });
    expect((await run('--data', XRP, '--strategy', 'sma-cross', '--param', 'fast=0')).err).toMatch(/strategy sma-cross param fast: must be between 1 and 500, got 0/);
    expect((await run('--data', XRP, '--strategy', 'sma-cross', '--param', 'fast=40', '--param', 'slow=20')).err).toMatch(/fast \(40\) must be below slow \(20\)/);
    expect((await run('--data', XRP, '--strategy', 'sma-cross', '--fee', '5%')).err).toMatch(/--fee: must be a fraction in \[0, 1\), got "5%"/);
    expect((await run('--strategy', 'sma-cross')).err).toMatch(/--data: is required/);
    const bad = join(mkdtempSync(join(tmpdir(), 'keel-bt-')), 'bad.csv');
    // Four minute bars on the minute, the second bad: the other three keep the 1m grid.
    writeFileSync(bad, 'timestamp,open,high,low,close,volume\n60000,10,11,9,10,1\n120000,10,9,11,10,1\n180000,10,11,9,10,1\n240000,10,11,9,10,1\n');
    expect((await run('--data', bad, '--strategy', 'sma-cross')).err).toMatch(/1 row\(s\) could not be used as bars/);
  });
});

describe('keel strategies', () => {
  it('lists every strategy with its parameters and ranges', async () => {
    const io = cli();
    expect(await strategies.run([], io)).toBe(0);
    const text = io.stdout.join('\n');
    for (const id of ['sma-cross', 'trend', 'mean-reversion', 'breakout']) expect(text).toContain(id);
    expect(text).toMatch(/fast\s+int 1\.\.500 step 1 \(default 10\)/);
    const json = cli();
    await strategies.run(['--json'], json);
    const parsed = JSON.parse(json.stdout.join('\n'));
    expect(parsed[0]).toMatchObject({ id: 'sma-cross', params: [{ name: 'fast', kind: 'int', min: 1, max: 500, default: 10 }, { name: 'slow' }] });
  });
});
