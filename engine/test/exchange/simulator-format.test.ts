import { describe, expect, it } from 'vitest';
import { d8 } from '../../src/exchange/simulator/format';

describe("the simulator's number format", () => {
  it('prints every number as toFixed(8) does: prices and sizes on their grid, quote volumes off it, negatives and the very large', () => {
    const xs = [0, 1e-8, 5e-9, 2.5e-8, 0.1 + 0.2, -2.5, 30_000.12, 0.00012, 123_456.789, 89_999_999.99999999, 9e7, 1e9, 1e12, 2 ** 53];
    // A seeded spread of both kinds: ticks of 0.01 and lots of 1e-5, and arbitrary products of them.
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 20_000; i++) {
      xs.push(Math.round(rnd() * 1e7) / 100, Math.round(rnd() * 1e6) / 1e5);
      xs.push(xs[xs.length - 1]! * xs[xs.length - 2]!);
    }
    expect(xs.filter((x) => d8(x) !== x.toFixed(8))).toEqual([]);
  });
});
