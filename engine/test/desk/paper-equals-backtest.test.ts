// `keel paper` runs a bar file through the whole desk path (strategy host, risk, order
// manager, paper venue, ledgers, the SQLite journal); at zero latency it must equal `keel
// backtest` exactly, for every shipped strategy on every reference bar file: the proof that
// backtest and forward trading run the same code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { runPaper } from '../../src/desk/paper-run';
import { StateStore } from '../../src/state/store';
import { listStrategies } from '../../src/strategy/loader';
import { readBarsCsv, referenceBarFiles } from '../backtest/helpers';

const dir = mkdtempSync(join(tmpdir(), 'keel-paper-eq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const COSTS = { capital: 10_000, fee: 0.001, slippage: 0.0005 };
let run = 0;

describe('keel paper equals keel backtest at zero latency', () => {
  for (const file of referenceBarFiles()) {
    it(`every shipped strategy on ${basename(file)}: metric for metric, trade for trade, bar for bar`, async () => {
      const series = readBarsCsv(file);
      let traded = 0;
      for (const strategy of listStrategies()) {
        const bt = await runBacktest({ series, strategy, ...COSTS });
        const journalFile = join(dir, `run-${++run}.sqlite`);
        const pp = await runPaper({ series, strategy, sourceHash: `shipped:${strategy.id}`, ...COSTS, latencyMs: 0, seed: 7, journalFile });
        expect(pp.metrics, strategy.id).toEqual(bt.metrics);
        expect(pp.trades, strategy.id).toEqual(bt.trades);
        expect(pp.equity, strategy.id).toEqual(bt.equity);
        expect(pp.fills, strategy.id).toBe(bt.fills);
        traded += bt.trades.length;
        // The journal on disk holds the run: every fill, and the ledger's position equal to them.
        const store = StateStore.open(journalFile);
        expect(store.fills().length, strategy.id).toBe(bt.fills);
        const pos = store.positions(pp.instanceId).find((p) => p.symbol === series.symbol)?.qty ?? 0;
        expect(pos, strategy.id).toBeCloseTo(store.netFilledQty().get(`${pp.instanceId}|${series.symbol}`) ?? 0, 9);
        store.close();
      }
      // Not vacuous: the strategies traded on this file (the 100-bar file is too short for some).
      if (series.length > 1_000) expect(traded).toBeGreaterThan(10);
    });
  }

  it('through the CLI: keel paper writes the same metrics.json, trades.csv and equity.csv as keel backtest, byte for byte', () => {
    const data = referenceBarFiles().find((f) => f.includes('btc-usdt-5m'))!;
    const keel = join(import.meta.dirname, '../../../bin/keel.js');
    const args = ['--strategy', 'trend', '--data', data, '--fee', '0.001', '--slippage', '0.0005', '--capital', '10000'];
    execFileSync(process.execPath, [keel, 'backtest', ...args, '--out', join(dir, 'bt')], { env: { ...process.env, KEEL_HOME: join(dir, 'home') } });
    const out = execFileSync(process.execPath, [keel, 'paper', ...args, '--out', join(dir, 'pp')], { env: { ...process.env, KEEL_HOME: join(dir, 'home') }, encoding: 'utf8' });
    expect(out).toMatch(/through the paper desk/);
    for (const f of ['metrics.json', 'trades.csv', 'equity.csv']) expect(readFileSync(join(dir, 'pp', f), 'utf8'), f).toBe(readFileSync(join(dir, 'bt', f), 'utf8'));
    expect(JSON.parse(readFileSync(join(dir, 'pp', 'run.json'), 'utf8'))).toMatchObject({ mode: 'paper', latencyMs: 0, journal: 'journal.sqlite' });
  });
});
