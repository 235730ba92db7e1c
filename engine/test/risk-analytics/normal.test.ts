import { describe, expect, it } from 'vitest';
import { normInv, normPdf } from '../../src/risk/analytics/normal';
import { isKeelError } from '../../src/core/errors';

describe('normInv (AS 241)', () => {
  // Reference quantiles to 17 significant digits (standard tables; R's qnorm agrees).
  const known: [number, number][] = [
    [0.5, 0],
    [0.95, 1.6448536269514722],
    [0.99, 2.3263478740408408],
    [0.975, 1.959963984540054],
    [0.999, 3.090232306167813],
    [0.9999, 3.7190164854557084],
    [0.05, -1.6448536269514722],
    [0.01, -2.3263478740408408],
    [0.001, -3.090232306167813],
    [0.8413447460685429, 1], // Φ(1)
    [0.022750131948179195, -2], // Φ(−2)
    [1e-10, -6.361340902404056],
    [1e-300, -37.04709629936120],
  ];
  it.each(known)('z(%s) = %s to 1e-12', (p, z) => {
    expect(Math.abs(normInv(p) - z)).toBeLessThan(1e-12 * Math.max(1, Math.abs(z)));
  });

  it('is odd about 1/2 and increasing', () => {
    let prev = -Infinity;
    for (let i = 1; i < 1000; i++) {
      const p = i / 1000;
      const z = normInv(p);
      expect(z).toBeGreaterThan(prev);
      prev = z;
      // 1 − p is exact for these p, so symmetry must hold to rounding.
      expect(Math.abs(z + normInv(1 - p))).toBeLessThan(1e-13);
    }
  });

  it('refuses probabilities outside (0, 1) with a KeelError', () => {
    for (const p of [0, 1, -0.1, 1.5, NaN]) {
      try {
        normInv(p);
        expect.unreachable(`normInv(${p}) should throw`);
      } catch (e) {
        expect(isKeelError(e) && e.code).toBe('BAD_INPUT');
      }
    }
  });

  it('normPdf matches the density at known points', () => {
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 15);
    expect(normPdf(2.3263478740408408)).toBeCloseTo(0.02665214220345808, 15);
    expect(normPdf(-1.6448536269514722)).toBeCloseTo(0.10313564037537128, 15);
  });
});
