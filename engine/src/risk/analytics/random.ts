import { badInput } from '../../core/errors';

/**
 * A small, fast, seeded pseudo-random generator: xoshiro128** 1.0 (Blackman & Vigna, 2018)
 * on 32-bit words, so it needs no BigInt and runs the same in Node, Electron and a browser.
 * Seeding expands one 32-bit seed into the 128-bit state with a Weyl sequence passed through
 * the MurmurHash3 finaliser ("splitmix32"), as the xoshiro authors advise: nearby seeds give
 * unrelated streams. Everything that must be reproducible under a seed (Monte Carlo VaR,
 * bootstrap, backtest Monte Carlo) draws from here.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw badInput(`seed must be an integer, got ${seed}`, 'seed');
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A generator started from an explicit 128-bit state (four uint32 words, not all zero). */
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (state.every((w) => w >>> 0 === 0)) throw badInput('xoshiro128** state must not be all zero', 'state');
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    return r;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with all 53 bits of a double filled (two 32-bit draws). */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection on the 32-bit draw). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw badInput(`bound must be an integer in [1, 2^32], got ${n}`, 'nextInt');
    const limit = 0x100000000 - (0x100000000 % n);
    let u = this.nextUint32();
    while (u >= limit) u = this.nextUint32();
    return u % n;
  }

  /** Standard normal deviate by Marsaglia's polar method; the second deviate of each pair is kept for the next call. */
  nextNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
