import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import * as b from '../../src/features/batch';
import { randomWalk } from './random-walk';

const firstDefined = (x: Float64Array): number => x.findIndex((v) => !Number.isNaN(v));
const allNaN = (x: Float64Array): boolean => x.every((v) => Number.isNaN(v));

function badInputAt(f: () => unknown, where: string): void {
  try {
    f();
  } catch (e) {
    expect(isKeelError(e) && e.code === 'BAD_INPUT', String(e)).toBe(true);
    expect((e as { where?: string }).where).toBe(where);
    return;
  }
  throw new Error(`expected BAD_INPUT at ${where}`);
}

describe('warm-up', () => {
  const { high, low, close } = randomWalk(100, 2);

  it('first values land where the definitions say', () => {
    const m = b.macd(close);
    const bb = b.bollinger(close);
    const dc = b.donchian(high, low);
    expect({
      sma: firstDefined(b.sma(close, 20)),
      ema: firstDefined(b.ema(close, 20)),
      rsi: firstDefined(b.rsi(close, 14)),
      atr: firstDefined(b.atr(high, low, close, 14)),
      macd: firstDefined(m.macd),
      signal: firstDefined(m.signal),
      histogram: firstDefined(m.histogram),
      bollinger: [firstDefined(bb.lower), firstDefined(bb.middle), firstDefined(bb.upper)],
      donchian: [firstDefined(dc.upper), firstDefined(dc.lower), firstDefined(dc.middle)],
      zscore: firstDefined(b.zscore(close, 20)),
      volatility: firstDefined(b.rollingVolatility(close, 20)),
      logReturns: firstDefined(b.logReturns(close)),
    }).toEqual({
      sma: 19,
      ema: 19,
      rsi: 14,
      atr: 14,
      macd: 25,
      signal: 33,
      histogram: 33,
      bollinger: [19, 19, 19],
      donchian: [19, 19, 19],
      zscore: 19,
      volatility: 20,
      logReturns: 1,
    });
  });

  it('warm-up is NaN, never zero, and every output has the input length', () => {
    const outs = [b.sma(close, 20), b.ema(close, 20), b.rsi(close), b.atr(high, low, close), b.macd(close).signal, b.bollinger(close).upper, b.donchian(high, low).lower, b.zscore(close), b.rollingVolatility(close)];
    for (const o of outs) {
      expect(o.length).toBe(100);
      expect(allNaN(o.subarray(0, firstDefined(o)))).toBe(true);
      expect(o.subarray(firstDefined(o)).every(Number.isFinite)).toBe(true);
    }
  });

  it('a single bar, or fewer bars than the period, gives all NaN (TTR refuses such input; Keel answers "not yet")', () => {
    const one = close.subarray(0, 1);
    expect(allNaN(b.sma(one, 20)) && allNaN(b.ema(one, 20)) && allNaN(b.rsi(one)) && allNaN(b.logReturns(one))).toBe(true);
    expect(b.sma(one, 1)[0]).toBe(close[0]);
    const short = close.subarray(0, 19);
    expect(allNaN(b.sma(short, 20)) && allNaN(b.bollinger(short).middle) && allNaN(b.donchian(high.subarray(0, 19), low.subarray(0, 19)).upper)).toBe(true);
    expect(allNaN(b.rsi(close.subarray(0, 14)))).toBe(true);
    expect(b.rsi(close.subarray(0, 15))[14]).not.toBeNaN();
    expect(b.sma(new Float64Array(0), 5).length).toBe(0);
  });
});

describe('flat and one-way prices (same answers as TTR: see the edge-* oracle fixtures)', () => {
  const flat = new Float64Array(40).fill(100);
  const rising = Float64Array.from({ length: 40 }, (_, i) => 100 + i);
  const falling = Float64Array.from({ length: 40 }, (_, i) => 100 - i);

  it('RSI is 0/0 = NaN when there are neither gains nor losses, 100 with no losses, 0 with no gains', () => {
    expect(allNaN(b.rsi(flat))).toBe(true);
    expect([...b.rsi(rising).subarray(14)].every((v) => v === 100)).toBe(true);
    expect([...b.rsi(falling).subarray(14)].every((v) => v === 0)).toBe(true);
  });

  it('ATR of a flat market is 0, Bollinger bands collapse on the price', () => {
    expect([...b.atr(flat, flat, flat).subarray(14)].every((v) => v === 0)).toBe(true);
    const bb = b.bollinger(flat);
    expect([bb.lower[25], bb.middle[25], bb.upper[25]]).toEqual([100, 100, 100]);
  });
});

describe('non-finite input restarts the indicator', () => {
  const { high, low, close } = randomWalk(300, 4);
  const hole = 120;
  const holed = close.slice();
  holed[hole] = NaN;
  const tail = close.slice(hole + 1);

  it.each([
    ['sma', (x: Float64Array) => b.sma(x, 20)],
    ['ema', (x: Float64Array) => b.ema(x, 20)],
    ['rsi', (x: Float64Array) => b.rsi(x, 14)],
    ['macd signal', (x: Float64Array) => b.macd(x).signal],
    ['bollinger upper', (x: Float64Array) => b.bollinger(x).upper],
    ['zscore', (x: Float64Array) => b.zscore(x)],
    ['volatility', (x: Float64Array) => b.rollingVolatility(x)],
    ['log returns', (x: Float64Array) => b.logReturns(x)],
  ])('%s: NaN at the hole, then exactly what a series starting after it gives', (_name, f) => {
    const out = f(holed);
    expect(out[hole]).toBeNaN();
    expect(out.subarray(hole + 1)).toEqual(f(tail));
    expect(out.subarray(0, hole)).toEqual(f(close.subarray(0, hole)));
    expect(Number.isFinite(out[out.length - 1]!)).toBe(true);
  });

  it('ATR and Donchian restart on a hole in any of high, low, close', () => {
    for (const col of ['high', 'low', 'close'] as const) {
      const cols = { high: high.slice(), low: low.slice(), close: close.slice() };
      cols[col][hole] = Infinity;
      const a = b.atr(cols.high, cols.low, cols.close);
      expect(a[hole]).toBeNaN();
      expect(a.subarray(hole + 1)).toEqual(b.atr(high.slice(hole + 1), low.slice(hole + 1), close.slice(hole + 1)));
      if (col !== 'close') {
        const d = b.donchian(cols.high, cols.low);
        expect(d.upper.subarray(hole + 1)).toEqual(b.donchian(high.slice(hole + 1), low.slice(hole + 1)).upper);
      }
    }
  });

  it('log returns are NaN around non-positive prices', () => {
    expect([...b.logReturns(new Float64Array([1, 2, 0, 4, -1, 2]))].map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', Math.log(2), 'NaN', 'NaN', 'NaN', 'NaN']);
  });

  it('inputs are never modified', () => {
    const copy = holed.slice();
    b.macd(holed);
    b.bollinger(holed);
    b.rollingVolatility(holed);
    expect(holed).toEqual(copy);
  });
});

describe('bad parameters are refused with a clear error', () => {
  const x = new Float64Array(10);
  it.each([
    [() => b.sma(x, 0), 'sma.n'],
    [() => b.ema(x, 2.5), 'ema.n'],
    [() => b.rsi(x, NaN), 'rsi.n'],
    [() => b.zscore(x, 1), 'zscore.n'],
    [() => b.rollingVolatility(x, 1), 'rollingVolatility.n'],
    [() => b.bollinger(x, 20, NaN), 'bollinger.k'],
    [() => b.macd(x, 26, 12, 9), 'macd'],
    [() => b.macd(x, 12, 26, 0), 'macd.signal'],
    [() => b.atr(x, x, new Float64Array(9)), 'atr'],
    [() => b.donchian(x, new Float64Array(3)), 'donchian'],
  ])('%#', (f, where) => badInputAt(f, where));
});

describe('annualising volatility', () => {
  it('scales by the square root of bars per year', () => {
    expect(b.periodsPerYear(86_400_000)).toBe(365);
    expect(b.periodsPerYear(86_400_000, 252)).toBe(252);
    expect(b.periodsPerYear(300_000)).toBe(105_120);
    expect(b.annualise(0.01, 365)).toBeCloseTo(0.01 * Math.sqrt(365), 15);
    expect(b.annualiseSeries(new Float64Array([NaN, 0.02]), 252)[1]).toBe(0.02 * Math.sqrt(252));
  });
});

describe('writing into caller-owned arrays', () => {
  const { high, low, close } = randomWalk(500, 8);
  const holed = close.slice();
  holed[200] = NaN;
  const buf = (): Float64Array => new Float64Array(500).fill(12345);

  it('gives the same numbers as a fresh array, overwriting every element', () => {
    for (const [f, g] of [
      [(o?: Float64Array) => b.sma(holed, 20, o), 'sma'],
      [(o?: Float64Array) => b.ema(holed, 20, o), 'ema'],
      [(o?: Float64Array) => b.rsi(holed, 14, o), 'rsi'],
      [(o?: Float64Array) => b.atr(high, low, holed, 14, o), 'atr'],
      [(o?: Float64Array) => b.zscore(holed, 20, o), 'zscore'],
      [(o?: Float64Array) => b.rollingVolatility(holed, 20, o), 'volatility'],
      [(o?: Float64Array) => b.logReturns(holed, o), 'logReturns'],
    ] as const) {
      const o = buf();
      expect(f(o), g).toBe(o);
      expect(o, g).toEqual(f());
    }
    const m = { macd: buf(), signal: buf(), histogram: buf() };
    expect(b.macd(holed, 12, 26, 9, m)).toEqual(b.macd(holed));
    const bb = { lower: buf(), middle: buf(), upper: buf() };
    expect(b.bollinger(holed, 20, 2, bb)).toEqual(b.bollinger(holed));
    const dc = { upper: buf(), lower: buf(), middle: buf() };
    expect(b.donchian(high, low, 20, dc)).toEqual(b.donchian(high, low));
  });

  it('refuses an output of the wrong length or sharing memory with an input', () => {
    badInputAt(() => b.sma(close, 20, new Float64Array(499)), 'sma.out');
    badInputAt(() => b.ema(close, 20, close), 'ema.out');
    badInputAt(() => b.bollinger(close, 20, 2, { lower: buf(), middle: close.subarray(0), upper: buf() }), 'bollinger.out.middle');
    const shared = buf();
    badInputAt(() => b.macd(close, 12, 26, 9, { macd: shared, signal: shared, histogram: buf() }), 'macd.out.signal');
  });
});
