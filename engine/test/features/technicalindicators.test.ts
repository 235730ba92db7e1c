// technicalindicators as a second opinion where its definitions coincide with TTR's.
// Where they differ it is said, and the difference itself is pinned down.
import * as ti from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { atr, bollinger, ema, rsi, sma } from '../../src/features/batch';
import { readBars } from './oracle';

const bars = readBars('btc-usdt-5m-2023-01.csv');
const close = Array.from(bars.close);
const high = Array.from(bars.high);
const low = Array.from(bars.low);

/** Largest |ours - theirs| / scale over theirs end-aligned with ours; NaN positions must agree too. */
function worst(ours: Float64Array, theirs: readonly number[], scale: (i: number) => number = (i) => Math.abs(ours[i]!)): number {
  const offset = ours.length - theirs.length;
  for (let i = 0; i < offset; i++) expect(ours[i], `bar ${i} should be warm-up`).toBeNaN();
  let w = 0;
  theirs.forEach((t, j) => {
    const i = offset + j;
    w = Math.max(w, Math.abs(ours[i]! - t) / scale(i));
  });
  return w;
}

describe('second opinion from technicalindicators', () => {
  it('SMA: same definition, same warm-up', () => {
    expect(worst(sma(bars.close, 20), ti.sma({ period: 20, values: close }))).toBeLessThan(1e-12);
  });

  it('EMA: also seeded with the SMA of the first n values', () => {
    expect(worst(ema(bars.close, 20), ti.ema({ period: 20, values: close }))).toBeLessThan(1e-9);
  });

  it("ATR: Wilder's smoothing of the same true range, seeded with a mean", () => {
    expect(worst(atr(bars.high, bars.low, bars.close, 14), ti.atr({ high, low, close, period: 14 }))).toBeLessThan(1e-9);
  });

  it('Bollinger: SMA middle and population sd', () => {
    const ours = bollinger(bars.close, 20, 2);
    const theirs = ti.bollingerbands({ period: 20, stdDev: 2, values: close });
    expect(worst(ours.middle, theirs.map((r) => r.middle))).toBeLessThan(1e-12);
    expect(worst(ours.upper, theirs.map((r) => r.upper))).toBeLessThan(1e-9);
    expect(worst(ours.lower, theirs.map((r) => r.lower))).toBeLessThan(1e-9);
  });

  it('RSI: same Wilder RSI, but technicalindicators rounds to 2 decimals', () => {
    const theirs = ti.rsi({ period: 14, values: close });
    expect(worst(rsi(bars.close, 14), theirs, () => 1)).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  it('RSI differs on a flat market: technicalindicators says 100 where TTR and Keel say 0/0 = NaN', () => {
    const flat = new Array<number>(30).fill(5);
    expect(ti.rsi({ period: 14, values: flat }).every((v) => v === 100)).toBe(true);
    expect(rsi(Float64Array.from(flat), 14).every(Number.isNaN)).toBe(true);
  });
});
