import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/backtest/synthetic';
import { sliceSeries, type BarSeries } from '../../src/model/bar';
import { ResearchPool } from '../../src/research/pool';
import { LocalExecutor, sameMetrics } from '../../src/research/sweep';
import { reserveBars, runWalkForward, validateOnReserve, walkForwardWindows, type WalkForwardResult } from '../../src/research/walkforward';
import smaCross from '../../../strategies/sma-cross';
import { sweepSpec } from './helpers';

let pool: ResearchPool;
beforeAll(() => void (pool = new ResearchPool(2)));
afterAll(() => pool.close());

const base = randomWalkSeries(3000, { seed: 21, timeframe: '1h', volatility: 0.01 });

/** The same bars with prices from bar `from` to `to` changed (each bar scaled as a whole, so it stays a bar). */
function tampered(s: BarSeries, from: number, to = s.length): BarSeries {
  const c = sliceSeries(s, 0, s.length);
  for (let i = from; i < to; i++) {
    const k = 1 + 0.3 * Math.sin(i / 7);
    c.open[i]! *= k;
    c.high[i]! *= k;
    c.low[i]! *= k;
    c.close[i]! *= k;
  }
  return c;
}

const wf = (s: BarSeries, anchored = false) => ({ sweep: sweepSpec(s, smaCross, ['fast=4:12:4', 'slow=20:60:20']), train: 600, test: 300, anchored, reserve: 0.2 });
const run = (s: BarSeries, anchored = false) => runWalkForward(wf(s, anchored), new LocalExecutor(pool));

const summary = (r: WalkForwardResult) => r.windows.map((w) => ({ params: w.params, test: w.test?.metrics }));

describe('walk-forward windows', () => {
  it('roll: train N, test M, step M, whole test windows only, before the reserve', () => {
    expect(walkForwardWindows(100, 30, 10, false)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((k) => ({ trainFrom: 10 * k, trainTo: 30 + 10 * k, testFrom: 30 + 10 * k, testTo: 40 + 10 * k })),
    );
    expect(walkForwardWindows(100, 30, 10, true).every((w) => w.trainFrom === 0 && w.trainTo === w.testFrom)).toBe(true);
    expect(reserveBars(3000, 0.2)).toBe(600);
    expect(() => walkForwardWindows(20, 30, 10, false)).toThrow('hold no window');
  });
});

describe('a walk-forward run', () => {
  it('chooses each window\'s parameters from its training bars alone: changing every bar from a test window on changes nothing before it', async () => {
    const a = await run(base);
    expect(a.windows).toHaveLength(6); // 2400 usable bars: (2400 − 600) / 300
    for (const w of a.windows) expect(w.trainTo).toBeLessThanOrEqual(w.testFrom);
    const k = 3;
    const from = a.windows[k]!.testFrom;
    const b = await run(tampered(base, from));
    // Window k trained on bars before `from`: same choice. Windows before k also tested on bars before it: same numbers.
    expect(b.windows[k]!.params).toEqual(a.windows[k]!.params);
    for (let j = 0; j < k; j++) {
      expect(b.windows[j]!.params).toEqual(a.windows[j]!.params);
      expect(sameMetrics(b.windows[j]!.test!.metrics, a.windows[j]!.test!.metrics)).toBe(true);
    }
    // ...and the test run of window k does see the changed bars (the tampering is real).
    expect(sameMetrics(b.windows[k]!.test!.metrics, a.windows[k]!.test!.metrics)).toBe(false);
  });

  it('never touches the reserve: changing it changes nothing but the validation run asked for', async () => {
    const a = await run(base);
    const changed = tampered(base, a.reserve.from);
    const b = await run(changed);
    expect(a.reserve).toEqual({ from: 2400, to: 3000, bars: 600 });
    expect(summary(b)).toEqual(summary(a));
    expect(Array.from(b.oos.equity)).toEqual(Array.from(a.oos.equity));
    const va = await validateOnReserve(wf(base), a);
    const vb = await validateOnReserve(wf(changed), b);
    expect(va!.metrics.bars).toBe(600);
    expect(sameMetrics(va!.metrics, vb!.metrics)).toBe(false);
  });

  it('stitches the test runs into one curve that starts at the capital and carries each window\'s end into the next', async () => {
    const r = await run(base, true);
    expect(r.oos.equity).toHaveLength(6 * 300);
    expect(r.oos.equity[0]).toBe(10_000);
    let at = 0;
    let level = 10_000;
    for (const w of r.windows) {
      const own = w.test!.equity;
      // Window returns are kept: stitched[t] / level = own[t] / capital.
      expect(r.oos.equity[at + 299]! / level).toBeCloseTo(own[299]! / 10_000, 12);
      level = r.oos.equity[at + 299]!;
      at += 300;
    }
    expect(r.oos.metrics.final_equity).toBe(level);
    expect(r.oos.trades.length).toBe(r.windows.reduce((a, w) => a + w.test!.trades.length, 0));
  });
});
