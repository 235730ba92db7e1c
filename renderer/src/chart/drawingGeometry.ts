import { FIB_LEVELS } from '../../../engine/protocol/definitions';
import type { Drawing, DrawingPoint } from '../../../engine/protocol';

/** Where a chart draws times and prices, in CSS pixels of its price pane. */
export interface Projection {
  x(ts: number): number | null;
  y(price: number): number | null;
  /** The pane's width: rays and horizontal lines run to its edge. */
  width: number;
}

export interface Pt {
  x: number;
  y: number;
}

/** What a drawing looks like on screen: its points and the segments a pointer can touch. */
export interface Shape {
  points: Pt[];
  segments: [Pt, Pt][];
  /** A filled area (rectangle), as [left, top, right, bottom]. */
  box?: [number, number, number, number];
  /** Fibonacci levels: y and the price each stands for. */
  levels?: { level: number; price: number; y: number; x0: number; x1: number }[];
  /** A text note's anchor. */
  text?: Pt;
}

/** The price of a Fibonacci level between a move's first and second point (level 0 at the second: the retracement starts there). */
export function fibPrice(a: DrawingPoint, b: DrawingPoint, level: number): number {
  return b.price - (b.price - a.price) * level;
}

/** The drawing projected onto the pane; undefined when a point has no place on it yet. */
export function shapeOf(d: Pick<Drawing, 'kind' | 'points' | 'text'>, p: Projection): Shape | undefined {
  const pts: Pt[] = [];
  for (const q of d.points) {
    const x = p.x(q.ts);
    const y = p.y(q.price);
    if (x === null || y === null) return undefined;
    pts.push({ x, y });
  }
  const [a, b] = pts;
  if (!a) return undefined;
  switch (d.kind) {
    case 'hline':
      return { points: pts, segments: [[{ x: 0, y: a.y }, { x: p.width, y: a.y }]] };
    case 'text':
      return { points: pts, segments: [], text: a };
    case 'trend':
      return b ? { points: pts, segments: [[a, b]] } : undefined;
    case 'ray': {
      if (!b) return undefined;
      if (b.x === a.x) return { points: pts, segments: [[a, b]] };
      // On through the second point to the pane's edge, in the direction of the second point.
      const edge = b.x > a.x ? p.width : 0;
      const y = a.y + ((b.y - a.y) * (edge - a.x)) / (b.x - a.x);
      return { points: pts, segments: [[a, { x: edge, y }]] };
    }
    case 'rect': {
      if (!b) return undefined;
      const box: [number, number, number, number] = [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
      const [l, t, r, bt] = box;
      return {
        points: pts,
        box,
        segments: [
          [{ x: l, y: t }, { x: r, y: t }],
          [{ x: r, y: t }, { x: r, y: bt }],
          [{ x: r, y: bt }, { x: l, y: bt }],
          [{ x: l, y: bt }, { x: l, y: t }],
        ],
      };
    }
    case 'fib': {
      if (!b) return undefined;
      const x0 = Math.min(a.x, b.x);
      const levels = FIB_LEVELS.map((level) => {
        const price = fibPrice(d.points[0]!, d.points[1]!, level);
        return { level, price, y: p.y(price) ?? 0, x0, x1: p.width };
      });
      return { points: pts, levels, segments: [[a, b] as [Pt, Pt], ...levels.map((l) => [{ x: l.x0, y: l.y }, { x: l.x1, y: l.y }] as [Pt, Pt])] };
    }
  }
}

/** Distance from `q` to the segment a–b. */
export function segmentDistance(q: Pt, a: Pt, b: Pt): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((q.x - a.x) * dx + (q.y - a.y) * dy) / len2));
  return Math.hypot(q.x - (a.x + t * dx), q.y - (a.y + t * dy));
}

/** How close (px) a pointer must come to grab a line or a handle. */
export const GRAB_PX = 6;
/** A text note's box, from its anchor (the note is drawn to the right of and above it). */
export const TEXT_BOX = { height: 18, charWidth: 7, pad: 6 };

/** What of a drawing the pointer at `q` is on: one of its points (a handle), its body, or nothing. */
export function hitShape(s: Shape, q: Pt, text?: string): { point: number } | 'body' | undefined {
  for (let i = 0; i < s.points.length; i++) if (Math.hypot(q.x - s.points[i]!.x, q.y - s.points[i]!.y) <= GRAB_PX) return { point: i };
  if (s.text) {
    const w = (text ?? '').length * TEXT_BOX.charWidth + 2 * TEXT_BOX.pad;
    if (q.x >= s.text.x && q.x <= s.text.x + w && q.y <= s.text.y && q.y >= s.text.y - TEXT_BOX.height) return 'body';
  }
  if (s.box) {
    const [l, t, r, b] = s.box;
    if (q.x >= l && q.x <= r && q.y >= t && q.y <= b) return 'body';
  }
  for (const [a, b] of s.segments) if (segmentDistance(q, a, b) <= GRAB_PX) return 'body';
  return undefined;
}

/** The drawing moved by `dt` ms and `dp` in price (a whole move), or one point put at `to` (a handle dragged). */
export function moved<D extends Pick<Drawing, 'kind' | 'points'>>(d: D, how: { dt: number; dp: number } | { point: number; to: DrawingPoint }): D {
  if ('point' in how) return { ...d, points: d.points.map((q, i) => (i === how.point ? { ...how.to } : q)) };
  // A horizontal line has only a price: a move changes nothing else.
  const dt = d.kind === 'hline' ? 0 : how.dt;
  return { ...d, points: d.points.map((q) => ({ ts: Math.max(0, Math.round(q.ts + dt)), price: q.price + how.dp })) };
}
