import { describe, expect, it } from 'vitest';
import { buildSpace, gridPoints, gridSize, gridValues, parseParamRange, randomPoints, Skipped } from '../../src/research/space';
import { proposeTpe, startupTrials } from '../../src/research/tpe';
import meanReversion from '../../../strategies/mean-reversion';
import smaCross from '../../../strategies/sma-cross';

describe('the search space', () => {
  it('narrows a declared range with --param-range lo:hi:step, and refuses what the strategy would', () => {
    expect(parseParamRange(smaCross, 'fast=5:50:5')).toEqual({ name: 'fast', kind: 'int', lo: 5, hi: 50, step: 5 });
    expect(() => parseParamRange(smaCross, 'fast=0:50:5')).toThrow("--param-range fast=0:50:5: must lie within fast's declared range 1..500");
    expect(() => parseParamRange(smaCross, 'fast=5:50:2.5')).toThrow('fast is a whole number');
    expect(() => parseParamRange(smaCross, 'fast=50:5')).toThrow('lo (50) must not be above hi (5)');
    expect(() => parseParamRange(smaCross, 'speed=1:2')).toThrow('unknown parameter "speed" (sma-cross takes: fast, slow)');
    expect(() => buildSpace(smaCross, ['fast=2:4'], { fast: 3 })).toThrow('fast is both pinned (--param) and searched (--param-range)');
  });

  it('lays a float grid on its decimal steps', () => {
    expect(gridValues({ name: 'z', kind: 'float', lo: 0.1, hi: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('walks the grid first parameter slowest, skipping (and counting) points the strategy refuses', () => {
    const skipped = new Skipped();
    const pts = gridPoints(buildSpace(smaCross, ['fast=10:30:10', 'slow=20:30:10']), skipped);
    expect(pts).toEqual([{ fast: 10, slow: 20 }, { fast: 10, slow: 30 }, { fast: 20, slow: 30 }]);
    expect(skipped.count).toBe(3);
    expect(skipped.first).toContain('fast (20) must be below slow (20)');
  });

  it('refuses a grid too large to run, naming the way out', () => {
    const space = buildSpace(smaCross, []);
    expect(gridSize(space)).toBe(500 * 1999);
    expect(() => gridPoints(space, new Skipped())).toThrow('the grid has 999,500 points');
  });

  it('draws the same distinct random points under a seed, and others under another', () => {
    const space = buildSpace(meanReversion, ['period=5:60:1'], { maxBars: 12 });
    const a = randomPoints(space, 30, 3, new Skipped());
    expect(randomPoints(space, 30, 3, new Skipped())).toEqual(a);
    expect(new Set(a.map((p) => JSON.stringify(p))).size).toBe(30);
    expect(randomPoints(space, 30, 4, new Skipped())).not.toEqual(a);
    for (const p of a) expect(p.entryZ as number).toBeGreaterThanOrEqual(0.5);
  });

  it('has TPE propose inside the space, away from tried points, and toward the good ones', () => {
    const space = buildSpace(smaCross, ['fast=1:100:1', 'slow=101:200:1']);
    const seen = new Set<string>();
    const history = Array.from({ length: startupTrials(space) + 30 }, (_, i) => {
      const fast = 1 + ((i * 37) % 100);
      const slow = 101 + ((i * 53) % 100);
      seen.add(JSON.stringify([fast, slow]));
      // The objective peaks at fast = 20.
      return { params: { fast, slow }, score: -Math.abs(fast - 20) };
    });
    const tried = new Set(seen);
    const next = proposeTpe(space, history, 40, 1, 5, new Skipped(), seen);
    for (const p of next) expect(tried.has(JSON.stringify([p.fast, p.slow]))).toBe(false);
    expect(next).toHaveLength(40);
    for (const p of next) {
      expect(p.fast).toBeGreaterThanOrEqual(1);
      expect(p.slow).toBeLessThanOrEqual(200);
    }
    const near = next.filter((p) => Math.abs((p.fast as number) - 20) <= 10).length;
    expect(near / next.length).toBeGreaterThan(0.5); // uniform draws would put ~20% there
  });
});
