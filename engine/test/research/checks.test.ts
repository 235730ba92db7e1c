import { describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/backtest/synthetic';
import { lookAheadCheck, warmupCheck } from '../../src/research/checks';
import { defineStrategy, int } from '../../sdk';
import smaCross from '../../../strategies/sma-cross';

const series = randomWalkSeries(4000, { seed: 3, timeframe: '1h', volatility: 0.01 });
const settings = { capital: 10_000, fee: 0.001, slippage: 0, periodsPerYear: 8760, pboBlocks: 0 };

/** sma-cross with EMAs: recursive indicators seeded at the first bar. */
const emaCross = defineStrategy({
  id: 'ema-cross',
  name: 'EMA cross',
  description: '',
  params: { fast: int(20, 2, 500), slow: int(100, 3, 2000) },
  create(ctx, p) {
    const f = ctx.indicators.ema(p.fast);
    const s = ctx.indicators.ema(p.slow);
    let long = false;
    return {
      onBar() {
        if (!f.ready || !s.ready) return;
        if (f.value > s.value && !long) {
          long = true;
          ctx.buy({ quoteQty: ctx.cash() });
        } else if (f.value < s.value && long) {
          long = false;
          ctx.closePosition();
        }
      },
    };
  },
});

/** A vectorised signal: up when the previous close is below the one `shift` bars on (shift 1 peeks at the next bar). */
const vectorStrategy = (shift: number) =>
  defineStrategy({
    id: shift > 0 ? 'peeks' : 'honest',
    name: 'vector',
    description: '',
    params: {},
    create(ctx) {
      const up = ctx.indicators.vector(`up(${shift})`, (b) => {
        const out = new Float64Array(b.length).fill(NaN);
        for (let i = 1; i < b.length; i++) if (i + shift < b.length) out[i] = b.close[i + shift]! > b.close[i - 1]! ? 1 : 0;
        return out;
      });
      return {
        onBar() {
          if (!up.ready) return;
          const q = ctx.position().qty;
          if (up.value === 1 && q === 0) ctx.buy({ quoteQty: ctx.cash() });
          else if (up.value === 0 && q > 0) ctx.closePosition();
        },
      };
    },
  });

describe('the warm-up (recursive) check', () => {
  it('passes sma-cross: its signals do not depend on how much history came before', async () => {
    const r = await warmupCheck(series, smaCross, { fast: 10, slow: 50 }, settings);
    expect(r.ok).toBe(true);
    expect(r.runs.length).toBeGreaterThan(5);
    expect(r.runs.every((x) => x.comparedFrom !== null && x.difference === null)).toBe(true);
  });

  it('flags an EMA strategy started on short history, naming the bar and both signals', async () => {
    const r = await warmupCheck(series, emaCross, { fast: 50, slow: 200 }, settings);
    expect(r.ok).toBe(false);
    const flagged = r.runs.filter((x) => x.difference);
    // The shortest histories are flagged; all the history there is (the reference) and long ones are not.
    expect(flagged.length).toBeGreaterThan(0);
    expect(Math.max(...flagged.map((x) => x.history))).toBeLessThan(r.runs[0]!.history);
    expect(r.summary).toMatch(/signals change with the history before the start: with \d+ bars, at \d{4}-\d\d-\d\dT/);
    expect(flagged[0]!.difference!.reference).not.toEqual(flagged[0]!.difference!.other);
  });
});

describe('the look-ahead check', () => {
  it('catches a vectorised signal that reads the next bar', async () => {
    const r = await lookAheadCheck(series, vectorStrategy(1), {}, settings);
    expect(r.ok).toBe(false);
    expect(r.summary).toMatch(/a signal changes when later bars are removed \(it looks ahead\): cut at bar \d+/);
  });

  it('passes the same signal built from past bars only, and sma-cross', async () => {
    expect((await lookAheadCheck(series, vectorStrategy(0), {}, settings)).ok).toBe(true);
    expect((await lookAheadCheck(series, smaCross, { fast: 10, slow: 50 }, settings)).ok).toBe(true);
  });
});
