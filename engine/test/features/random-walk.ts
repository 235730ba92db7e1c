/** Seeded, reproducible price paths for tests and benchmarks (mulberry32 + Box-Muller). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Walk {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** A geometric random walk of `len` bars from `start`, per-bar sd `sigma`, with highs and lows around it. */
export function randomWalk(len: number, seed = 1, start = 100, sigma = 0.01): Walk {
  const next = rng(seed);
  const close = new Float64Array(len);
  const high = new Float64Array(len);
  const low = new Float64Array(len);
  let p = start;
  for (let i = 0; i < len; i++) {
    const u1 = next() || 1e-12;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * next());
    const prev = p;
    p = p * Math.exp(sigma * z);
    close[i] = p;
    const wick = p * sigma * next();
    high[i] = Math.max(prev, p) + wick;
    low[i] = Math.min(prev, p) - wick;
  }
  return { high, low, close };
}
