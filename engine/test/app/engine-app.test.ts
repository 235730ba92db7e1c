import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import { KeelError } from '../../src/core/errors';
import type { BacktestResult, JobProgress, TopicName } from '../../protocol/index';

/** The error a call fails with; a call that succeeds fails the test. */
async function failure(call: () => unknown): Promise<KeelError> {
  try {
    await call();
  } catch (e) {
    return e as KeelError;
  }
  throw new Error('expected the call to fail');
}


const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'data', 'samples', 'btc-usdt-5m-2023-01.csv');

let home: string;
let app: EngineApp;
const pushed: { topic: TopicName; item: unknown }[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-app-'));
  app = new EngineApp({ home, mode: 'headless' });
  app.setPublish((topic, item) => pushed.push({ topic, item }));
  await app.start();
});

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

function jobEvents(runId: string): JobProgress[] {
  return pushed.filter((p) => p.topic === 'job' && (p.item as JobProgress).jobId === runId).map((p) => p.item as JobProgress);
}

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EngineApp on a fresh home (real DuckDB and files)', () => {
  it('imports the sample data on first start', async () => {
    expect(existsSync(join(home, 'market.duckdb'))).toBe(true);
    const sets = await app.handlers['data.datasets']({});
    expect(sets).toEqual([{ symbol: 'BTC/USDT', timeframe: '5m', from: 1672677900000, to: 1675977300000, rows: 10999, gaps: 0 }]);
  });

  it('serves the BTC candles the sample file holds', async () => {
    const bars = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m', limit: 5 });
    // The last five lines of the shipped CSV, parsed independently.
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(-5).map((l) => l.split(',').map(Number));
    expect(bars.ts).toEqual(lines.map((l) => l[0]));
    expect(bars.open).toEqual(lines.map((l) => l[1]));
    expect(bars.close).toEqual(lines.map((l) => l[4]));
    expect(bars.volume).toEqual(lines.map((l) => l[5]));
    expect(bars.resampledFrom).toBeUndefined();
    const hourly = await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '1h' });
    expect(hourly.resampledFrom).toBe('5m');
    const hours = new Set(readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1).map((l) => Math.floor(Number(l.split(',')[0]) / 3_600_000)));
    expect(hourly.ts.length).toBe(hours.size);
    expect(hourly.ts.every((t) => t % 3_600_000 === 0)).toBe(true);
  });

  it('says what is missing for an unknown symbol', async () => {
    const e = await failure(() => app.handlers['data.bars']({ symbol: 'NOPE/USD', timeframe: '5m' }));
    expect(e).toBeInstanceOf(KeelError);
    expect((e as KeelError).code).toBe('NOT_FOUND');
  });

  it('lists the shipped strategies with their parameter ranges', async () => {
    const list = await app.handlers['strategies.list']({});
    const sma = list.find((s) => s.id === 'sma-cross');
    expect(sma).toBeDefined();
    expect(sma!.params.length).toBeGreaterThan(0);
    for (const p of sma!.params.filter((x) => x.kind === 'int')) expect(p.min).toBeLessThanOrEqual(p.default as number);
  });

  it('computes an indicator over stored bars, warm-up as null', async () => {
    const r = await app.handlers['indicators.compute']({ symbol: 'BTC/USDT', timeframe: '5m', id: 'sma', params: { n: 3 } });
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1, 4).map((l) => Number(l.split(',')[4]));
    expect(r.outputs.value!.slice(0, 2)).toEqual([null, null]);
    expect(r.outputs.value![2]).toBeCloseTo((lines[0]! + lines[1]! + lines[2]!) / 3, 9);
  });

  it('computes a range that starts mid-history with the warm-up of the whole history', async () => {
    for (const [id, params] of [['ema', { n: 20 }], ['rsi', { n: 14 }], ['macd', {}]] as const) {
      const whole = await app.handlers['indicators.compute']({ symbol: 'BTC/USDT', timeframe: '5m', id, params });
      const from = whole.ts[6000]!;
      const to = whole.ts[9000]!;
      const page = await app.handlers['indicators.compute']({ symbol: 'BTC/USDT', timeframe: '5m', id, params, from, to });
      expect(page.ts).toEqual(whole.ts.slice(6000, 9000)); // [from, to)
      for (const [name, values] of Object.entries(page.outputs)) {
        const expected = whole.outputs[name]!.slice(6000, 9000);
        expect(values.every((v) => v !== null), `${id}.${name}: no warm-up gap at the start of the range`).toBe(true);
        values.forEach((v, i) => expect(Math.abs(v! - expected[i]!), `${id}.${name}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.abs(expected[i]!)));
      }
    }
  });

  it('runs a backtest job to done with progress on the job topic', async () => {
    const { runId } = await app.handlers['backtest.run']({ strategy: 'sma-cross', params: {}, symbol: 'BTC/USDT', timeframe: '5m', capital: 10_000, fee: 0.001, slippage: 0 });
    const result = await waitFor(async () => {
      const r = await app.handlers['backtest.get']({ runId });
      return r.status === 'running' ? undefined : r;
    });
    expect(result.status).toBe('done');
    expect(result.metrics?.bars).toBe(10999);
    expect(result.equity.ts.length).toBeGreaterThan(1000);
    expect(result.equity.drawdown.every((d) => d <= 0)).toBe(true);
    const events = jobEvents(runId);
    const running = events.filter((e) => e.status === 'running' && e.done > 0);
    expect(running.length).toBeGreaterThan(5);
    expect(running.length).toBeLessThanOrEqual(110);
    expect(running.map((e) => e.done)).toEqual([...running.map((e) => e.done)].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ status: 'done', done: 10999, total: 10999 });
    expect(await app.handlers['backtest.list']({})).toContainEqual(expect.objectContaining({ runId, status: 'done' }));

    // Its risk, from the equity curve.
    const risk = await app.handlers['risk.analytics']({ source: 'backtest', runId });
    expect(risk).toMatchObject({ source: 'backtest', horizonBars: 1, observations: result.equity.ts.length - 1 });
    expect(risk.rows.map((r) => r.method)).toEqual(['historical', 'gaussian', 'cornish-fisher', 'monte-carlo', 'historical', 'gaussian', 'cornish-fisher', 'monte-carlo']);
    for (const r of risk.rows) expect(r.es).toBeGreaterThanOrEqual(r.var * 0.999);
    const r95 = risk.rows.find((r) => r.method === 'historical' && r.confidence === 0.95)!;
    const r99 = risk.rows.find((r) => r.method === 'historical' && r.confidence === 0.99)!;
    expect(r99.var).toBeGreaterThanOrEqual(r95.var);
    expect(risk.stress.length).toBeGreaterThan(0);

    // The run outlives the engine: listed and readable after a restart, equity thinned but ending where it ended.
    await app.close();
    app = new EngineApp({ home, mode: 'headless' });
    app.setPublish((topic, item) => pushed.push({ topic, item }));
    await app.start();
    expect(await app.handlers['backtest.list']({})).toContainEqual(expect.objectContaining({ runId, status: 'done', metrics: result.metrics }));
    const again = await app.handlers['backtest.get']({ runId });
    expect(again.trades).toEqual(result.trades);
    expect(again.equity.ts.length).toBeLessThanOrEqual(5_001);
    expect(again.equity.ts[0]).toBe(result.equity.ts[0]);
    expect(again.equity.equity.at(-1)).toBe(result.equity.equity.at(-1));
    expect((await app.handlers['risk.analytics']({ source: 'backtest', runId })).observations).toBe(again.equity.ts.length - 1);
  });

  it('cancels a running backtest part-way', async () => {
    let runId = '';
    let cancelledAt = -1;
    app.setPublish((topic, item) => {
      pushed.push({ topic, item });
      const j = item as JobProgress;
      if (topic === 'job' && j.jobId === runId && j.status === 'running' && j.done > 0 && cancelledAt < 0) {
        cancelledAt = j.done;
        void app.handlers['backtest.cancel']({ runId });
      }
    });
    runId = (await app.handlers['backtest.run']({ strategy: 'sma-cross', params: {}, symbol: 'BTC/USDT', timeframe: '5m', capital: 10_000, fee: 0, slippage: 0 })).runId;
    const r = await waitFor(async () => {
      const x = await app.handlers['backtest.get']({ runId });
      return x.status === 'running' ? undefined : x;
    });
    expect(r.status).toBe('cancelled');
    expect(cancelledAt).toBeGreaterThan(0);
    expect(cancelledAt).toBeLessThan(10999);
    expect(jobEvents(runId).at(-1)).toMatchObject({ status: 'cancelled' });
    expect(r.metrics).toBeUndefined();
  });

  it('refuses a backtest of an unknown strategy with where = strategy', async () => {
    const e = await failure(() => app.handlers['backtest.run']({ strategy: 'nope', params: {}, symbol: 'BTC/USDT', timeframe: '5m', capital: 1, fee: 0, slippage: 0 }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.where).toBe('strategy');
  });

  it('keeps its data across a restart without importing the samples twice', async () => {
    await app.close();
    app = new EngineApp({ home, mode: 'headless' });
    await app.start();
    const sets = await app.handlers['data.datasets']({});
    expect(sets[0]!.rows).toBe(10999);
    // The line is in the log from before the restart (the log files outlive the engine), and not again since.
    const since = app.info().startedAt;
    expect(app.logs.recent().filter((l) => l.message.includes('imported sample data')).map((l) => l.ts < since)).toEqual([true]);
  });

  it('reports status with real figures', async () => {
    const s = await app.handlers['system.status']({});
    expect(['ready', 'degraded']).toContain(s.state);
    expect(s.heapUsedBytes).toBeGreaterThan(0);
    expect(s.eventLoopLagMs).toBeGreaterThanOrEqual(0);
  });
});
