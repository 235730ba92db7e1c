import { describe, expect, it } from 'vitest';
import { fibPrice, hitShape, moved, segmentDistance, shapeOf, type Projection } from './drawingGeometry';

/** 1 px per second and per price unit, y growing downward from 1000. */
const proj: Projection = { x: (ts) => ts / 1000, y: (p) => 1000 - p, width: 800 };

describe('drawings on screen', () => {
  it('a ray runs through its second point to the pane edge; a horizontal line spans the pane', () => {
    const ray = shapeOf({ kind: 'ray', points: [{ ts: 100_000, price: 500 }, { ts: 200_000, price: 550 }] }, proj)!;
    expect(ray.segments[0]![1]).toEqual({ x: 800, y: 1000 - 850 });
    const h = shapeOf({ kind: 'hline', points: [{ ts: 0, price: 300 }] }, proj)!;
    expect(h.segments[0]).toEqual([{ x: 0, y: 700 }, { x: 800, y: 700 }]);
  });

  it('Fibonacci levels from the second point (0) back to the first (1)', () => {
    const a = { ts: 0, price: 100 };
    const b = { ts: 1, price: 200 };
    expect(fibPrice(a, b, 0)).toBe(200);
    expect(fibPrice(a, b, 0.5)).toBe(150);
    expect(fibPrice(a, b, 1)).toBe(100);
    const s = shapeOf({ kind: 'fib', points: [a, b] }, proj)!;
    [200, 176.4, 161.8, 150, 138.2, 121.4, 100].forEach((p, i) => expect(s.levels![i]!.price).toBeCloseTo(p, 9));
  });

  it('a pointer grabs a handle first, then the body, within a few pixels; nothing elsewhere', () => {
    const trend = shapeOf({ kind: 'trend', points: [{ ts: 0, price: 500 }, { ts: 100_000, price: 400 }] }, proj)!;
    expect(hitShape(trend, { x: 1, y: 501 })).toEqual({ point: 0 });
    expect(hitShape(trend, { x: 50, y: 553 })).toBe('body');
    expect(hitShape(trend, { x: 50, y: 570 })).toBeUndefined();
    const rect = shapeOf({ kind: 'rect', points: [{ ts: 0, price: 500 }, { ts: 100_000, price: 400 }] }, proj)!;
    expect(hitShape(rect, { x: 50, y: 550 })).toBe('body');
    const note = shapeOf({ kind: 'text', points: [{ ts: 10_000, price: 500 }], text: 'hello' }, proj)!;
    expect(hitShape(note, { x: 30, y: 495 }, 'hello')).toBe('body');
    expect(segmentDistance({ x: 0, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(3);
  });

  it('moves a whole drawing in time and price, or one point; a horizontal line only in price', () => {
    const d = { kind: 'trend' as const, points: [{ ts: 1000, price: 10 }, { ts: 2000, price: 20 }] };
    expect(moved(d, { dt: 500, dp: 1 }).points).toEqual([{ ts: 1500, price: 11 }, { ts: 2500, price: 21 }]);
    expect(moved(d, { point: 1, to: { ts: 3000, price: 30 } }).points).toEqual([{ ts: 1000, price: 10 }, { ts: 3000, price: 30 }]);
    expect(moved({ kind: 'hline' as const, points: [{ ts: 1000, price: 10 }] }, { dt: 500, dp: 2 }).points).toEqual([{ ts: 1000, price: 12 }]);
  });
});
