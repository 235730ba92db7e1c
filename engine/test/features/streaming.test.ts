import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingBollinger, StreamingDonchian, StreamingEMA, StreamingMACD, StreamingSMA } from '../../src/features/streaming';
import { barFiles, readBars } from './oracle';
import { randomWalk } from './random-walk';
import { firstBitDifference, twins, type Cols } from './twins';

function expectTwinsEqual(c: Cols, label: string, n?: number, rsiN?: number): void {
  for (const t of twins(n, rsiN)) {
    const batch = t.batch(c);
    const stream = t.stream(c);
    for (const [field, values] of Object.entries(batch)) {
      const at = firstBitDifference(values, stream[field]!);
      expect(at, `${label} ${t.name}.${field}: batch ${values[at]} vs stream ${stream[field]![at]} at bar ${at}`).toBe(-1);
    }
  }
}

function withGaps(c: Cols, every: number, what: number): Cols {
  const copy = { high: c.high.slice(), low: c.low.slice(), close: c.close.slice() };
  for (let i = every; i < copy.close.length; i += every + ((i * 7) % 13)) {
    if (i % 3 === 0) copy.close[i] = what;
    else if (i % 3 === 1) copy.high[i] = what;
    else copy.low[i] = what;
  }
  return copy;
}

describe('streaming equals batch, bit for bit', () => {
  it.each(barFiles())('on %s', (file) => {
    expectTwinsEqual(readBars(file), file);
  });

  it('on a 300k-bar random walk, across many re-summations', () => {
    expectTwinsEqual(randomWalk(300_000, 7), 'walk');
  });

  it('with NaN and Infinity holes in high, low and close', () => {
    const walk = randomWalk(20_000, 11);
    expectTwinsEqual(withGaps(walk, 97, NaN), 'nan holes');
    expectTwinsEqual(withGaps(walk, 61, Infinity), 'inf holes');
    expectTwinsEqual(withGaps(walk, 5, NaN), 'dense holes');
  });

  it('on empty, single-bar and shorter-than-period series', () => {
    const walk = randomWalk(30, 3);
    for (const len of [0, 1, 2, 13, 14, 15, 19, 20, 21, 25, 26, 30]) {
      expectTwinsEqual({ high: walk.high.subarray(0, len), low: walk.low.subarray(0, len), close: walk.close.subarray(0, len) }, `len ${len}`);
    }
  });

  it('for any prices, periods and holes (property)', () => {
    const price = fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: 1e-6, max: 1e6, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -1) },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(price, price, price), { maxLength: 400 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 30 }), (rows, n, rsiN) => {
        const c: Cols = {
          high: Float64Array.from(rows, (r) => r[0]),
          low: Float64Array.from(rows, (r) => r[1]),
          close: Float64Array.from(rows, (r) => r[2]),
        };
        expectTwinsEqual(c, 'property', n, rsiN);
      }),
      { numRuns: 150 },
    );
  });
});

describe('streaming state', () => {
  it('ready turns true exactly when the first value appears, and reset() starts over', () => {
    const sma = new StreamingSMA(3);
    expect([sma.update(1), sma.ready, sma.update(2), sma.ready, sma.update(3), sma.ready]).toEqual([NaN, false, NaN, false, 2, true]);
    sma.reset();
    expect([sma.ready, sma.value, sma.update(10), sma.update(20), sma.update(30)]).toEqual([false, NaN, NaN, NaN, 20]);
  });

  it('MACD exposes macd, signal and histogram; ready once the signal exists (bar 33 for 12/26/9)', () => {
    const m = new StreamingMACD();
    const walk = randomWalk(40, 5).close;
    let firstReady = -1;
    walk.forEach((x, i) => {
      m.update(x);
      if (m.ready && firstReady < 0) firstReady = i;
    });
    expect(firstReady).toBe(33);
    expect(m.histogram).toBe(m.macd - m.signal);
  });

  it('Bollinger and Donchian expose their bands', () => {
    const bb = new StreamingBollinger(3, 2);
    [1, 2, 3].forEach((x) => bb.update(x));
    expect(bb.middle).toBe(2);
    expect(bb.upper - bb.middle).toBeCloseTo(2 * Math.sqrt(2 / 3), 14);
    expect(bb.middle - bb.lower).toBeCloseTo(2 * Math.sqrt(2 / 3), 14);
    const dc = new StreamingDonchian(2);
    dc.update(5, 1);
    dc.update(4, 2);
    expect([dc.upper, dc.lower, dc.middle]).toEqual([5, 1, 3]);
    dc.update(3, 3);
    expect([dc.upper, dc.lower, dc.middle]).toEqual([4, 2, 3]);
  });

  it('a Wilder EMA uses alpha 1/n', () => {
    const e = new StreamingEMA(4, true);
    [4, 4, 4, 4].forEach((x) => e.update(x));
    expect(e.update(8)).toBe(8 * 0.25 + 4 * 0.75);
  });
});
