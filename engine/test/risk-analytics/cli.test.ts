import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/risk';
import { captureIO } from '../../src/cli/types';
import { isKeelError } from '../../src/core/errors';
import { parseBarCsv } from '../../src/risk/analytics/io';
import { riskReport, type RiskReport } from '../../src/risk/analytics/report';
import { returnsFromPrices } from '../../src/risk/analytics/returns';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const ORCL = join(FIXTURES, 'orcl-1d-2010-2014.csv');
const NVDA = join(FIXTURES, 'nvda-1d-2010-2014.csv');
const tmp = mkdtempSync(join(tmpdir(), 'keel-risk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = captureIO(ROOT);
  const code = await command.run(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

async function rejects(args: string[], pattern: RegExp): Promise<void> {
  try {
    await run(args);
  } catch (e) {
    expect(isKeelError(e)).toBe(true);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  expect.unreachable(`keel risk ${args.join(' ')} should fail`);
}

describe('keel risk (in process)', () => {
  it('--json prints exactly what riskReport computes for the same portfolio', async () => {
    const { code, out } = await run(['--data', ORCL, '--data', NVDA, '--weights', '0.7,-0.2', '--simulations', '20000', '--seed', '5', '--json']);
    expect(code).toBe(0);
    const got = JSON.parse(out.join('\n')) as RiskReport;
    const bars = [parseBarCsv(readFileSync(ORCL, 'utf8'), 'orcl-1d-2010-2014'), parseBarCsv(readFileSync(NVDA, 'utf8'), 'nvda-1d-2010-2014')];
    const want = riskReport(
      { kind: 'portfolio', positions: [{ symbol: bars[0]!.symbol, value: 0.7 }, { symbol: bars[1]!.symbol, value: -0.2 }], series: bars.map((b) => returnsFromPrices(b)), capital: 1 },
      { simulations: 20000, seed: 5 },
    );
    expect(got).toEqual(JSON.parse(JSON.stringify(want)));
    expect(got.weights).toEqual([0.7, -0.2]);
  });

  it('prints a readable table with every method at 95% and 99%, stress days and correlation', async () => {
    const { code, out } = await run(['--data', ORCL, '--data', NVDA, '--capital', '100000', '--simulations', '5000']);
    expect(code).toBe(0);
    const text = out.join('\n');
    const report = riskReport(
      {
        kind: 'portfolio',
        positions: [{ symbol: 'orcl-1d-2010-2014', value: 50_000 }, { symbol: 'nvda-1d-2010-2014', value: 50_000 }],
        series: [ORCL, NVDA].map((f, i) => returnsFromPrices(parseBarCsv(readFileSync(f, 'utf8'), ['orcl-1d-2010-2014', 'nvda-1d-2010-2014'][i]!))),
        capital: 100_000,
      },
      { simulations: 5000 },
    );
    const f = (x: number): string => `${(x * 100).toFixed(2)}%`;
    const l95 = report.levels[0]!;
    const l99 = report.levels[1]!;
    expect(text).toMatch(/method\s+VaR 95%\s+ES 95%\s+VaR 99%\s+ES 99%/);
    expect(text).toContain(`historical`);
    for (const [name, m] of [['historical', 'historical'], ['gaussian', 'gaussian'], ['cornish-fisher', 'cornishFisher'], ['monte carlo', 'monteCarlo']] as const) {
      const line = out.find((l) => l.startsWith(name))!;
      expect(line.trim().split(/\s+/).slice(-4)).toEqual([f(l95[m].var), f(l95[m].es), f(l99[m].var), f(l99[m].es)]);
    }
    expect(text).toContain('2011-08-08');
    expect(text).toMatch(/Correlation of returns/);
    expect(text).toContain(report.correlation.correlation[0]![1]!.toFixed(3));
    // Money column appears because --capital was given.
    expect(text).toContain((report.stress.worstDays[0]!.pnl).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  });

  it('reads an equity curve', async () => {
    const file = join(tmp, 'equity.csv');
    const rows = ['timestamp,equity'];
    let e = 10_000;
    for (let i = 0; i < 500; i++) {
      rows.push(`${Date.UTC(2024, 0, 1) + i * 3_600_000},${e.toFixed(2)}`);
      e *= 1 + 0.002 * Math.sin(i * 1.7) + 0.0001;
    }
    writeFileSync(file, rows.join('\n') + '\n');
    const { code, out } = await run(['--equity', file, '--confidence', '0.9', '--simulations', '1000']);
    expect(code).toBe(0);
    expect(out[0]).toBe('Risk of backtest equity curve');
    expect(out[1]).toMatch(/^499 returns over 1 bar of 1h/);
    expect(out.join('\n')).toMatch(/VaR 90%\s+ES 90%/);
  });

  it('refuses bad arguments with a clear message', async () => {
    await rejects([], /either --data FILE .* or --equity FILE/);
    await rejects(['--data', ORCL, '--equity', ORCL], /not both/);
    await rejects(['--data', ORCL, '--weights', '0.5,0.5'], /2 weight\(s\) for 1 --data file/);
    await rejects(['--data', ORCL, '--weights', 'abc'], /--weights: "abc" is not a number/);
    await rejects(['--data', ORCL, '--confidence', '95'], /confidence must be strictly between 0 and 1, got 95/);
    await rejects(['--data', ORCL, '--horizon', '0'], /--horizon: must be a whole number >= 1/);
    await rejects(['--data', ORCL, '--simulations', '1e5'], /--simulations: must be a whole number/);
    await rejects(['--data', ORCL, '--mc', 'garch'], /--mc must be normal or bootstrap/);
    await rejects(['--data', ORCL, '--data', ORCL], /both named "orcl-1d-2010-2014"/);
    await rejects(['--data', ORCL, '--data', join(FIXTURES, 'xrp-usdt-perp-1h-2021-11.csv')], /different bar lengths/);
    await rejects(['--data', join(tmp, 'missing.csv')], /cannot read file/);
    await rejects(['--nope'], /Unknown option '--nope'/);
  });
});

describe('keel risk through bin/keel.js', () => {
  it('runs, prints JSON and exits 0; a bad file exits 2 with the line at fault', () => {
    const ok = spawnSync(process.execPath, ['bin/keel.js', 'risk', '--data', ORCL, '--simulations', '2000', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const report = JSON.parse(ok.stdout) as RiskReport;
    expect(report.levels.map((l) => l.confidence)).toEqual([0.95, 0.99]);
    expect(report.sample.n).toBe(1257);

    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'timestamp,open,high,low,close,volume\n1700000000000,1,2,1,1,1\n1700000060000,1,2,1,x,1\n');
    const fail = spawnSync(process.execPath, ['bin/keel.js', 'risk', '--data', bad], { cwd: ROOT, encoding: 'utf8' });
    expect(fail.status).toBe(2);
    expect(fail.stderr).toContain(`keel risk: ${bad}:3: close "x" is not a number`);
  });
});
