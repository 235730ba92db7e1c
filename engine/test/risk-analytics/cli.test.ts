import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/risk';
import { captureIO } from '../../src/cli/types';
import { isKeelError } from '../../src/core/errors';
import { loadBarFile } from '../../src/data/load-bar-file';
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
    const bars = [(await loadBarFile(ORCL)).series, (await loadBarFile(NVDA)).series];
    expect(bars.map((b) => b.symbol)).toEqual(['ORCL', 'NVDA']);
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
        positions: [{ symbol: 'ORCL', value: 50_000 }, { symbol: 'NVDA', value: 50_000 }],
        series: [(await loadBarFile(ORCL)).series, (await loadBarFile(NVDA)).series].map((b) => returnsFromPrices(b)),
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
    await rejects(['--data', ORCL, '--data', ORCL], /both read as symbol "ORCL"/);
    await rejects(['--equity', ORCL, '--strict'], /apply to --data portfolios/);
    await rejects(['--data', ORCL, '--data', join(FIXTURES, 'xrp-usdt-perp-1h-2021-11.csv')], /different bar lengths/);
    await rejects(['--data', join(tmp, 'missing.csv')], /missing\.csv: cannot read/);
    await rejects(['--equity', join(tmp, 'missing.csv')], /missing\.csv: cannot read file/);
    await rejects(['--nope'], /Unknown option '--nope'/);
  });
});

describe('keel risk with imperfect bar files', () => {
  // Minute bars on the minute (a bar off its timeframe's grid is a rejected row of its own).
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 40; i++) lines.push(`${1_699_999_980_000 + i * 60_000},${100 + i},${104 + i},${99 + i},${101 + i + (i % 3)},5`);
  lines[10] = `${1_699_999_980_000 + 9 * 60_000},1,2,1,x,1`;

  it('leaves bad rows out and says so, or refuses the file under --strict', async () => {
    const file = join(tmp, 'abc-1m.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const { code, out } = await run(['--data', file, '--simulations', '100']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/warning: abc-1m\.csv: 1 bad row\(s\) left out \(first: line 11/);
    await rejects(['--data', file, '--strict'], /abc-1m\.csv:11/);
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
    writeFileSync(bad, 'timestamp,equity\n1700000000000,100\n1700000060000,x\n');
    const fail = spawnSync(process.execPath, ['bin/keel.js', 'risk', '--equity', bad], { cwd: ROOT, encoding: 'utf8' });
    expect(fail.status).toBe(2);
    expect(fail.stderr).toContain(`keel risk: ${bad}:3: equity "x" is not a number`);
  });
});
