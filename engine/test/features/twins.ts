/** Each indicator as a batch call and as a stream over the same bars, with the same outputs. */
import * as b from '../../src/features/batch';
import * as s from '../../src/features/streaming';

export interface Cols {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

export interface Twin {
  name: string;
  batch(c: Cols): Record<string, Float64Array>;
  stream(c: Cols): Record<string, Float64Array>;
}

/** Feeds every bar through `update`, checks update() === value, and records the named fields. */
function drive<T extends { value: number }>(c: Cols, ind: T, step: (ind: T, i: number) => number, fields: (keyof T & string)[]): Record<string, Float64Array> {
  const len = c.close.length;
  const out: Record<string, Float64Array> = {};
  for (const f of fields) out[f] = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const r = step(ind, i);
    if (!Object.is(r, ind.value)) throw new Error(`update() returned ${r} but value is ${ind.value} at bar ${i}`);
    for (const f of fields) out[f]![i] = ind[f] as number;
  }
  return out;
}

export function twins(n = 20, rsiN = 14): Twin[] {
  return [
    { name: `sma(${n})`, batch: (c) => ({ value: b.sma(c.close, n) }), stream: (c) => drive(c, new s.StreamingSMA(n), (x, i) => x.update(c.close[i]!), ['value']) },
    { name: `ema(${n})`, batch: (c) => ({ value: b.ema(c.close, n) }), stream: (c) => drive(c, new s.StreamingEMA(n), (x, i) => x.update(c.close[i]!), ['value']) },
    { name: `rsi(${rsiN})`, batch: (c) => ({ value: b.rsi(c.close, rsiN) }), stream: (c) => drive(c, new s.StreamingRSI(rsiN), (x, i) => x.update(c.close[i]!), ['value']) },
    {
      name: `atr(${rsiN})`,
      batch: (c) => ({ value: b.atr(c.high, c.low, c.close, rsiN) }),
      stream: (c) => drive(c, new s.StreamingATR(rsiN), (x, i) => x.update(c.high[i]!, c.low[i]!, c.close[i]!), ['value']),
    },
    {
      name: 'macd(12,26,9)',
      batch: (c) => ({ ...b.macd(c.close, 12, 26, 9) }),
      stream: (c) => drive(c, new s.StreamingMACD(12, 26, 9), (x, i) => x.update(c.close[i]!), ['macd', 'signal', 'histogram']),
    },
    {
      name: `bollinger(${n},2)`,
      batch: (c) => ({ ...b.bollinger(c.close, n, 2) }),
      stream: (c) => drive(c, new s.StreamingBollinger(n, 2), (x, i) => x.update(c.close[i]!), ['lower', 'middle', 'upper']),
    },
    {
      name: `donchian(${n})`,
      batch: (c) => ({ ...b.donchian(c.high, c.low, n) }),
      stream: (c) => drive(c, new s.StreamingDonchian(n), (x, i) => x.update(c.high[i]!, c.low[i]!), ['upper', 'lower', 'middle']),
    },
    { name: `zscore(${n})`, batch: (c) => ({ value: b.zscore(c.close, n) }), stream: (c) => drive(c, new s.StreamingZScore(n), (x, i) => x.update(c.close[i]!), ['value']) },
    {
      name: `volatility(${n})`,
      batch: (c) => ({ value: b.rollingVolatility(c.close, n) }),
      stream: (c) => drive(c, new s.StreamingVolatility(n), (x, i) => x.update(c.close[i]!), ['value']),
    },
    { name: 'logReturn', batch: (c) => ({ value: b.logReturns(c.close) }), stream: (c) => drive(c, new s.StreamingLogReturn(), (x, i) => x.update(c.close[i]!), ['value']) },
  ];
}

/** Index of the first element where the two differ bitwise (NaN equals NaN), or -1. */
export function firstBitDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
