import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/engine';
import { HISTORY_DEPTH } from '../../src/strategy/indicators';
import { getStrategy, listStrategies, loadStrategy } from '../../src/strategy/loader';
import { parseParamArgs, resolveParams } from '../../src/strategy/params';
import { bool, choice, defineStrategy, float, int, type BarView, type OrderEvent } from '../../sdk';
import smaCross from '../../../strategies/sma-cross';
import { barsFromCloses, barsToSeries } from '../backtest/helpers';

const closes = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const series = () => barsToSeries(barsFromCloses(closes));

describe('strategy parameters', () => {
  const m = defineStrategy({
    id: 'p',
    name: 'p',
    description: '',
    params: { n: int(5, 2, 10), k: float(1.5, 0, 3), on: bool(true), mode: choice('a', ['a', 'b']) },
    validate: (p) => (p.n === 7 ? 'n may not be 7' : undefined),
    create: () => ({}),
  });

  it('fills defaults and keeps given values', () => {
    expect(resolveParams(m, { k: 2 })).toEqual({ n: 5, k: 2, on: true, mode: 'a' });
  });

  it('names the strategy and the parameter in every error', () => {
    expect(() => resolveParams(m, { n: 11 })).toThrow('strategy p param n: must be between 2 and 10, got 11');
    expect(() => resolveParams(m, { n: 2.5 })).toThrow('strategy p param n: must be a whole number, got 2.5');
    expect(() => resolveParams(m, { on: 'yes' })).toThrow('strategy p param on: must be true or false');
    expect(() => resolveParams(m, { mode: 'c' })).toThrow('strategy p param mode: must be one of a, b');
    expect(() => resolveParams(m, { nn: 1 })).toThrow('strategy p: unknown parameter "nn" (it takes: n, k, on, mode)');
    expect(() => resolveParams(m, { n: 7 })).toThrow('strategy p params: n may not be 7');
    expect(() => resolveParams(smaCross, { fast: 30, slow: 10 })).toThrow('fast (30) must be below slow (10)');
  });

  it('parses name=value pairs by the kind of each parameter', () => {
    expect(parseParamArgs(m, ['n=3', 'k=0.25', 'on=false', 'mode=b'])).toEqual({ n: 3, k: 0.25, on: false, mode: 'b' });
    expect(() => parseParamArgs(m, ['n=three'])).toThrow('strategy p param n: must be a number, got "three"');
    expect(() => parseParamArgs(m, ['n'])).toThrow('expected name=value');
  });
});

describe('strategy runtime', () => {
  it('updates indicators before onBar, with the closed bar only, and reuses one bar object', async () => {
    const seen: { index: number; close: number; sma: number; ready: boolean; now: number; prev: number }[] = [];
    const views = new Set<BarView>();
    const m = defineStrategy({
      id: 'probe',
      name: 'probe',
      description: '',
      params: {},
      create(ctx) {
        const sma = ctx.indicators.sma(3);
        return {
          onBar(bar) {
            views.add(bar);
            seen.push({ index: bar.index, close: bar.close, sma: sma.value, ready: sma.ready, now: ctx.now(), prev: ctx.indicators.history(sma, 1) });
          },
        };
      },
    });
    const s = series();
    await runBacktest({ series: s, strategy: m, capital: 1000 });
    expect(views.size).toBe(1);
    expect(seen.map((x) => x.index)).toEqual(closes.map((_, i) => i));
    seen.forEach((x, i) => {
      expect(x.close).toBe(closes[i]);
      expect(x.now).toBe(s.ts[i]! + 60_000); // the bar's close time
      if (i < 2) expect(x.ready).toBe(false);
      else expect(x.sma).toBeCloseTo((closes[i]! + closes[i - 1]! + closes[i - 2]!) / 3, 12);
      if (i >= 3) expect(x.prev).toBe(seen[i - 1]!.sma);
    });
    expect(seen[0]!.prev).toBeNaN(); // nothing one bar before the first
  });

  it('history keeps a bounded depth and says so past it', async () => {
    let err: unknown;
    const m = defineStrategy({
      id: 'deep',
      name: 'deep',
      description: '',
      params: {},
      create(ctx) {
        const sma = ctx.indicators.sma(2);
        return {
          onBar() {
            try {
              ctx.indicators.history(sma, HISTORY_DEPTH);
            } catch (e) {
              err = e;
            }
          },
        };
      },
    });
    await runBacktest({ series: series(), strategy: m, capital: 1000 });
    expect(String(err)).toMatch(`history keeps the last ${HISTORY_DEPTH} values`);
  });

  it('refuses indicators asked for after create()', async () => {
    const m = defineStrategy({ id: 'late', name: 'late', description: '', params: {}, create: (ctx) => ({ onBar: () => void ctx.indicators.ema(5) }) });
    await expect(runBacktest({ series: series(), strategy: m, capital: 1000 })).rejects.toThrow(/ema\(5\):close requested after create\(\)/);
  });

  it('hands the strategy its own order events; orders carry source strategy and its id as owner', async () => {
    const events: OrderEvent[] = [];
    const m = defineStrategy({
      id: 'evt',
      name: 'evt',
      description: '',
      params: {},
      create(ctx) {
        return {
          onBar(bar) {
            if (bar.index === 2) ctx.buy({ qty: 1 }, { tag: 'in' });
            if (bar.index === 4) ctx.closePosition({ tag: 'out' });
            if (bar.index === 5) ctx.place({ side: 'buy', type: 'limit', qty: 1, price: 1 });
          },
          onOrderEvent: (e) => events.push(e),
        };
      },
    });
    const res = await runBacktest({ series: series(), strategy: m, capital: 1000 });
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'accepted', 'filled', 'submitted', 'accepted', 'filled', 'submitted', 'accepted']);
    const first = events[0] as Extract<OrderEvent, { order: unknown }>;
    expect(first.order).toMatchObject({ source: 'strategy', owner: 'evt', tag: 'in', type: 'market' });
    expect(res.trades).toMatchObject([{ entryPrice: closes[2], exitPrice: closes[4], exitReason: 'out' }]);
  });

  it('names the strategy, the handler and the bar when strategy code throws', async () => {
    const m = defineStrategy({
      id: 'boom',
      name: 'boom',
      description: '',
      params: {},
      create: () => ({
        onBar(bar) {
          if (bar.index === 3) throw new Error('oops');
        },
      }),
    });
    await expect(runBacktest({ series: series(), strategy: m, capital: 1000 })).rejects.toThrow(/strategy boom onBar at bar 3 \(2024-01-01T00:03:00.000Z\): strategy threw: oops/);
  });
});

describe('strategy loader', () => {
  it('lists the shipped strategies, each with declared ranges', () => {
    const ids = listStrategies().map((s) => s.id);
    expect(ids).toEqual(['sma-cross', 'trend', 'mean-reversion', 'breakout']);
    for (const s of listStrategies()) {
      for (const spec of Object.values(s.params)) if (spec.kind === 'int' || spec.kind === 'float') expect(spec.min).toBeLessThanOrEqual(spec.max);
    }
    expect(() => getStrategy('nope')).toThrow('no strategy "nope" (known: sma-cross, trend, mean-reversion, breakout)');
  });

  it('loads a strategy from a .ts file by path, and checks its shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-strat-'));
    const sdk = resolve(__dirname, '../../sdk/index.ts');
    writeFileSync(join(dir, 'mine.ts'), `import { defineStrategy, int } from ${JSON.stringify(sdk)};\nexport default defineStrategy({ id: 'mine', name: 'Mine', description: 'd', params: { n: int(3, 1, 9) }, create: () => ({}) });\n`);
    writeFileSync(join(dir, 'bad.ts'), `export default { id: 'bad' };\n`);
    const m = await loadStrategy('mine.ts', dir);
    expect(m.id).toBe('mine');
    expect((await loadStrategy('sma-cross', dir)).id).toBe('sma-cross');
    await expect(loadStrategy('bad.ts', dir)).rejects.toThrow(/needs a non-empty string "name"/);
    await expect(loadStrategy('missing.ts', dir)).rejects.toThrow(/no such file/);
  });
});
