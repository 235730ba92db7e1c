import { spawn } from 'node:child_process';
import { copyFileSync, appendFileSync, mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { DATA_FIXTURES } from '../backtest/helpers';

const ROOT = resolve(__dirname, '../../..');
const BTC = join(DATA_FIXTURES, 'btc-usdt-5m-2023-01.csv');
const COSTS = ['--fee', '0.001', '--slippage', '0.0005', '--capital', '10000'];

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'keel-research-home-'));
  const work = mkdtempSync(join(tmpdir(), 'keel-research-'));
  const keel = async (...args: string[]) => {
    const io = captureIO(work, { KEEL_HOME: home });
    const code = await main(args, io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };
  return { home, work, keel };
}

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

describe('keel optimize', () => {
  it('writes trials.csv, best/ equal to keel backtest with the best parameters, and summary.json; keel rerun reproduces it', async () => {
    const { home, work, keel } = setup();
    const r = await keel('optimize', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=4:12:4', '--param-range', 'slow=20:60:20', '--workers', '2', ...COSTS, '--out', 'opt');
    expect(r.code, r.err).toBe(0);
    const trials = read(work, 'opt', 'trials.csv').trim().split('\n');
    const header = trials[0]!.split(',');
    const metricsKeys = Object.keys(JSON.parse(read(work, 'opt', 'best', 'metrics.json')));
    expect(header).toEqual(['fast', 'slow', ...metricsKeys]);
    expect(trials).toHaveLength(1 + 9);
    const summary = JSON.parse(read(work, 'opt', 'summary.json'));
    expect(Object.keys(summary).slice(0, 5)).toEqual(['best', 'objective', 'trials', 'deflated_sharpe', 'pbo']);
    expect(summary.trials).toBe(9);
    expect(summary.deflated_sharpe).toBeGreaterThanOrEqual(0);
    expect(summary.pbo).toBeGreaterThanOrEqual(0);
    expect(summary.warmup.ok).toBe(true);
    expect(summary.lookahead.ok).toBe(true);
    // The row of the best trial carries the best trial's metrics.json numbers, full precision.
    const bestRow = trials[1 + summary.best_trial]!.split(',');
    expect(Number(bestRow[header.indexOf('sharpe')])).toBe(summary.best_objective);

    // `keel backtest` with the best parameters writes the same three files, byte for byte.
    const bt = await keel('backtest', '--data', BTC, '--strategy', 'sma-cross', '--param', `fast=${summary.best.fast}`, '--param', `slow=${summary.best.slow}`, ...COSTS, '--out', 'bt');
    expect(bt.code).toBe(0);
    for (const f of ['metrics.json', 'trades.csv', 'equity.csv']) expect(read(work, 'opt', 'best', f), f).toBe(read(work, 'bt', f));

    // Both runs are recorded; rerun by id and by folder gives identical files.
    const runs = readdirSync(join(home, 'runs'));
    expect(runs.some((d) => d.startsWith('optimize-')) && runs.some((d) => d.startsWith('backtest-'))).toBe(true);
    const again = await keel('rerun', 'opt');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/identical; 6 output files reproduced bit for bit/);
    const byId = await keel('rerun', runs.find((d) => d.startsWith('backtest-'))!);
    expect(byId.out).toMatch(/identical; 3 output files reproduced bit for bit/);
    const manifest = JSON.parse(read(work, 'opt', 'run.json'));
    expect(manifest.inputs).toMatchObject({ data: { path: BTC, bars: 10999 }, strategy: { ref: 'sma-cross' }, costs: { fee: 0.001, slippage: 0.0005, capital: 10000 }, seed: 1 });
    expect(manifest.inputs.data.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 90_000);

  it('rerun names the input that changed instead of claiming a reproduction', async () => {
    const { work, keel } = setup();
    const data = join(work, 'btc-usdt-5m-copy.csv');
    copyFileSync(BTC, data);
    expect((await keel('backtest', '--data', data, '--strategy', 'sma-cross', ...COSTS, '--out', 'bt')).code).toBe(0);
    expect((await keel('rerun', 'bt')).code).toBe(0);
    appendFileSync(data, '1675977600000,23000,23010,22990,23005,1\n');
    const r = await keel('rerun', 'bt');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`not re-run, because an input has changed:\\n  data ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: was sha256 [0-9a-f]{64}, now sha256 [0-9a-f]{64}`));
  }, 60_000);

  it('exports any run as one HTML file that fetches nothing', async () => {
    const { work, keel } = setup();
    await keel('optimize', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=4:8:4', '--param-range', 'slow=20:40:20', '--workers', '1', '--pbo-blocks', '4', ...COSTS, '--out', 'opt');
    const r = await keel('report', 'opt', '--out', 'r.html');
    expect(r.code).toBe(0);
    const html = read(work, 'r.html');
    expect(html).toContain('<svg');
    expect(html).toContain('Best sharpe by fast and slow');
    expect(html).not.toMatch(/\b(src|href)\s*=|https?:|@import|<script/i);
    expect(html).toContain("default-src 'none'");
  }, 60_000);

  it('cancels on Ctrl-C: exit 130, nothing written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'keel-cancel-'));
    const child = spawn(process.execPath, ['bin/keel.js', 'optimize', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=2:40:1', '--param-range', 'slow=50:90:1', '--workers', '1', ...COSTS, '--out', join(out, 'o')], {
      cwd: ROOT,
      env: { ...process.env, KEEL_HOME: out },
    });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /trials [1-9]\d*\//.test(err)) sent = child.kill('SIGINT'); // one Ctrl-C (a second one kills, as anywhere)
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/cancelled after \d+ of 1599 trials; nothing written/);
    expect(existsSync(join(out, 'o', 'trials.csv'))).toBe(false);
  }, 60_000);
});

describe('keel walkforward and keel montecarlo', () => {
  it('walkforward writes windows.csv, oos/equity.csv and summary.json; montecarlo of its oos/ reproduces under a seed', async () => {
    const { work, keel } = setup();
    const wf = await keel('walkforward', '--data', BTC, '--strategy', 'sma-cross', '--param-range', 'fast=4:12:8', '--param-range', 'slow=20:60:40', '--train', '2000', '--test', '1500', '--workers', '2', ...COSTS, '--out', 'wf');
    expect(wf.code, wf.err).toBe(0);
    const windows = read(work, 'wf', 'windows.csv').trim().split('\n');
    // Each window's metrics, buy and hold of the same window beside its return.
    expect(windows[0]).toMatch(/^train_from,train_to,test_from,test_to,fast,slow,total_return,benchmark_return,excess_return,benchmark_max_drawdown,final_equity,/);
    expect(windows).toHaveLength(1 + 4); // 10999 − 2199 reserved = 8800 bars: (8800 − 2000) / 1500 = 4 windows
    const [tf, tt, sf, st] = windows[1]!.split(',').map(Number);
    expect(tt).toBe(sf); // train [from, to) ends where test begins
    expect(st! - sf!).toBe(1500 * 300_000);
    expect(tt! - tf!).toBe(2000 * 300_000);
    const oos = read(work, 'wf', 'oos', 'equity.csv').trim().split('\n');
    expect(oos[0]).toBe('timestamp,equity');
    expect(oos).toHaveLength(1 + 4 * 1500);
    const summary = JSON.parse(read(work, 'wf', 'summary.json'));
    expect(summary).toMatchObject({ windows: 4, reserve: { bars: 2199 }, validation: null });
    expect(summary).toHaveProperty('walk_forward_efficiency');

    const mc = (out: string, seed: string) => keel('montecarlo', '--run', 'wf/oos', '--runs', '300', '--seed', seed, '--method', 'both', '--out', out);
    expect((await mc('mc1', '5')).code).toBe(0);
    expect((await mc('mc2', '5')).code).toBe(0);
    expect((await mc('mc3', '6')).code).toBe(0);
    const paths = read(work, 'mc1', 'paths.csv');
    expect(paths.split('\n')[0]).toBe('method,path,final_return,max_drawdown');
    expect(read(work, 'mc2', 'paths.csv')).toBe(paths);
    expect(read(work, 'mc3', 'paths.csv')).not.toBe(paths);
    const s = JSON.parse(read(work, 'mc1', 'summary.json'));
    expect(s.methods.map((m: { method: string }) => m.method)).toEqual(['shuffle', 'bootstrap']);
    expect(s.methods[0].final_return.lower).toBeCloseTo(s.original.final_return, 12);
    expect((await keel('rerun', 'wf')).out).toMatch(/identical; 6 output files reproduced bit for bit/);
  }, 90_000);
});
