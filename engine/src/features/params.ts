import { badInput } from '../core/errors';

/** A window length or smoothing period: a whole number of bars, at least `min`. */
export function checkPeriod(n: number, where: string, min = 1): number {
  if (!Number.isInteger(n) || n < min || n > 1e8) {
    throw badInput(`period must be a whole number of bars from ${min} to 100000000, got ${n}`, where);
  }
  return n;
}

export function checkFinite(k: number, where: string): number {
  if (!Number.isFinite(k)) throw badInput(`must be a finite number, got ${k}`, where);
  return k;
}

export function checkSameLength(where: string, ...series: Float64Array[]): number {
  const len = series[0]!.length;
  for (const s of series) {
    if (s.length !== len) throw badInput(`input columns differ in length (${series.map((x) => x.length).join(' vs ')})`, where);
  }
  return len;
}

export function checkMacdPeriods(fast: number, slow: number, signal: number, where: string): void {
  checkPeriod(fast, `${where}.fast`);
  checkPeriod(slow, `${where}.slow`);
  checkPeriod(signal, `${where}.signal`);
  if (fast >= slow) throw badInput(`fast period (${fast}) must be shorter than slow period (${slow})`, where);
}

/**
 * Running sums are re-added from the window every this many slides, so rounding error
 * cannot build up over millions of bars; amortised cost: one extra add per bar at most.
 */
export function resumEvery(n: number): number {
  return n < 128 ? 128 : n;
}

/**
 * Where a batch function writes: `into` when given (same length, sharing no memory with an
 * input, since the loops read inputs behind the write position), else a new array.
 */
export function outputArray(into: Float64Array | undefined, len: number, where: string, ...inputs: Float64Array[]): Float64Array {
  if (into === undefined) return new Float64Array(len);
  if (into.length !== len) throw badInput(`output array has length ${into.length}, input has ${len}`, where);
  for (const x of inputs) {
    if (x.buffer === into.buffer) throw badInput('output array must not share memory with an input', where);
  }
  return into;
}
