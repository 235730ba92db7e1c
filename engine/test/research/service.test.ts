// The research lab as the UI drives it: EngineApp on a fresh home (the shipped sample bars in
// a real DuckDB store), jobs through the protocol handlers, progress on the 'job' topic, the
// run recorded so that `keel rerun` repeats it from a terminal.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineApp } from '../../src/app/engine-app';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import type { JobProgress, MonteCarloResultDto, OptimizeResultDto, TopicName, WalkForwardResultDto } from '../../protocol/index';
import { parseParams } from '../../protocol/schemas';

let home: string;
let app: EngineApp;
const pushed: { topic: TopicName; item: unknown }[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-research-app-'));
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
}, 60_000);

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

const jobs = (id: string) => pushed.filter((p) => p.topic === 'job' && (p.item as JobProgress).jobId === id).map((p) => p.item as JobProgress);

async function finished(id: string): Promise<JobProgress> {
  for (let i = 0; i < 1200; i++) {
    const last = jobs(id).at(-1);
    if (last && last.status !== 'running') return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

const base = { strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '5m', capital: 10_000, fee: 0.001, slippage: 0.0005, objective: 'sharpe' as const };

describe('research jobs through the engine', () => {
  it('optimises stored bars: progress pushed, trials and heatmap served, the run recorded and re-runnable from the CLI', async () => {
    const { jobId } = await app.handlers['research.optimize']({ ...base, ranges: { fast: { lo: 4, hi: 16, step: 4 }, slow: { lo: 20, hi: 60, step: 20 } }, method: 'grid' });
    expect(await finished(jobId)).toMatchObject({ status: 'done', kind: 'optimize' });
    expect(jobs(jobId).filter((j) => j.status === 'running' && j.total === 12).length).toBeGreaterThan(1);
    const r = (await app.handlers['research.get']({ jobId })) as OptimizeResultDto;
    expect(r.trials).toHaveLength(12);
    expect(r.searched).toEqual(['fast', 'slow']);
    expect(r.best!.params).toEqual(r.trials[r.best!.index]!.params);
    expect(r.bestEquity!.ts.length).toBeGreaterThan(100);
    const hm = await app.handlers['research.heatmap']({ jobId, x: 'fast', y: 'slow' });
    expect(hm.xs).toEqual([4, 8, 12, 16]);
    expect(hm.ys).toEqual([20, 40, 60]);
    expect(hm.z[0]![0]).toBe(r.trials.find((t) => t.params.fast === 4 && t.params.slow === 20)!.score);

    const io = captureIO(home, { KEEL_HOME: home });
    expect(await main(['rerun', r.runId!], io), io.stderr.join('\n')).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/identical; 6 output files reproduced bit for bit/);
  }, 90_000);

  it('walks forward and resamples the out-of-sample trades', async () => {
    const { jobId } = await app.handlers['research.walkforward']({ ...base, ranges: { fast: { lo: 4, hi: 12, step: 8 }, slow: { lo: 20, hi: 60, step: 40 } }, method: 'grid', train: 2000, test: 1500 });
    expect(await finished(jobId)).toMatchObject({ status: 'done' });
    const wf = (await app.handlers['research.get']({ jobId })) as WalkForwardResultDto;
    expect(wf.windows).toHaveLength(4);
    expect(wf.oos.ts.length).toBeGreaterThan(100);
    expect(wf.reserve.bars).toBe(2199);

    const sources = await app.handlers['research.sources']({});
    const oos = sources.find((s) => s.id === `${wf.runId}/oos`)!;
    expect(oos.label).toMatch(/walk-forward out-of-sample of sma-cross on BTC\/USDT 5m/);
    const mc = await app.handlers['research.montecarlo']({ source: oos.id, runs: 200, seed: 3, method: 'both' });
    expect(await finished(mc.jobId)).toMatchObject({ status: 'done' });
    const m = (await app.handlers['research.get']({ jobId: mc.jobId })) as MonteCarloResultDto;
    expect(m.methods.map((x) => x.method)).toEqual(['shuffle', 'bootstrap']);
    expect(m.methods[0]!.p50[0]).toBe(1);
    expect(m.methods[0]!.finalReturn.lower).toBeCloseTo(m.original.finalReturn, 12);
    expect(existsSync(join(home, 'runs', m.runId!, 'paths.csv'))).toBe(true);
  }, 90_000);

  it('cancels a running sweep', async () => {
    const { jobId } = await app.handlers['research.optimize']({ ...base, ranges: { fast: { lo: 2, hi: 40, step: 1 }, slow: { lo: 50, hi: 120, step: 1 } }, method: 'grid' });
    for (let i = 0; i < 400 && !jobs(jobId).some((j) => j.done > 0); i++) await new Promise((r) => setTimeout(r, 25));
    expect((await app.handlers['research.cancel']({ jobId })).cancelled).toBe(true);
    expect(await finished(jobId)).toMatchObject({ status: 'cancelled' });
    await expect(app.handlers['research.get']({ jobId })).rejects.toThrow(/is cancelled/);
  }, 60_000);

  it('records a backtest run from the UI like `keel backtest`: a source for Monte Carlo, repeated by keel rerun', async () => {
    const { runId } = await app.handlers['backtest.run']({ strategy: 'sma-cross', params: { fast: 12, slow: 48 }, symbol: 'BTC/USDT', timeframe: '5m', capital: 5000, fee: 0.001, slippage: 0.0005 });
    for (let i = 0; i < 400 && (await app.handlers['backtest.get']({ runId })).status === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
    const shown = await app.handlers['backtest.get']({ runId });
    const source = (await app.handlers['research.sources']({})).find((s) => s.label === 'backtest of sma-cross on BTC/USDT 5m')!;
    expect(source).toBeDefined();
    const metrics = JSON.parse(readFileSync(join(home, 'runs', source.id, 'metrics.json'), 'utf8'));
    expect(metrics).toEqual(shown.metrics);
    const io = captureIO(home, { KEEL_HOME: home });
    expect(await main(['rerun', source.id], io), io.stderr.join('\n')).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/identical; 3 output files reproduced bit for bit/);
  }, 60_000);

  it('refuses bad requests with where they went wrong', () => {
    const bad = parseParams('research.optimize', { ...base, ranges: { fast: { lo: 1, hi: 'x' } }, method: 'grid' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.where).toBe('ranges.fast.hi');
    const mc = parseParams('research.montecarlo', { source: 'x', runs: 0, seed: 1, method: 'both' });
    expect(!mc.ok && mc.error.where).toBe('runs');
  });
});
