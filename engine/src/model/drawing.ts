/*
 * Drawings a trader puts on a chart, kept per symbol by the engine (so they survive a browser
 * change and price alerts can watch a drawn line with the page closed). Points are in market
 * terms, a time (ms, UTC) and a price, never in pixels: the same line sits on every timeframe.
 */

export const DRAWING_KINDS = ['trend', 'hline', 'ray', 'rect', 'fib', 'text'] as const;
export type DrawingKind = (typeof DRAWING_KINDS)[number];

/** How many points define each kind (a horizontal line and a note: one; the rest: two). */
export const DRAWING_POINTS: Readonly<Record<DrawingKind, 1 | 2>> = { trend: 2, hline: 1, ray: 2, rect: 2, fib: 2, text: 1 };

export const DRAWING_LABELS: Readonly<Record<DrawingKind, string>> = {
  trend: 'Trend line',
  hline: 'Horizontal line',
  ray: 'Ray',
  rect: 'Rectangle',
  fib: 'Fibonacci retracement',
  text: 'Text note',
};

/** Retracement levels as fractions of the move from the first point to the second. */
export const FIB_LEVELS = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;

/** Longest note a text drawing holds. */
export const DRAWING_TEXT_MAX = 500;

export interface DrawingPoint {
  ts: number;
  price: number;
}

export interface Drawing {
  id: string;
  symbol: string;
  kind: DrawingKind;
  points: DrawingPoint[];
  /** A text note's words. */
  text?: string;
  /** CSS colour (#rrggbb); the chart's default when absent. */
  color?: string;
  updatedAt: number;
}

/** The drawings whose price line an alert can watch: the price they are at is defined for a time. */
export const LINE_DRAWINGS: readonly DrawingKind[] = ['hline', 'trend', 'ray'];

/**
 * The drawing's price at time `ts`, for a line a price can cross: a horizontal line is at its
 * price at every time; a trend line and a ray run through their two points and on to the
 * right of the second (an alert on a line drawn over past bars is about where it goes next),
 * and are not there before the first point. Undefined for other kinds, or where not defined.
 */
export function lineValueAt(d: Pick<Drawing, 'kind' | 'points'>, ts: number): number | undefined {
  const [a, b] = d.points;
  if (!a) return undefined;
  if (d.kind === 'hline') return a.price;
  if ((d.kind !== 'trend' && d.kind !== 'ray') || !b) return undefined;
  const [p, q] = a.ts <= b.ts ? [a, b] : [b, a];
  if (ts < p.ts) return undefined;
  if (q.ts === p.ts) return undefined;
  return p.price + ((q.price - p.price) * (ts - p.ts)) / (q.ts - p.ts);
}

/** What is wrong with a drawing's shape, or undefined: the point count its kind needs, finite times and positive prices. */
export function drawingProblem(d: Pick<Drawing, 'kind' | 'points' | 'text'>): string | undefined {
  const need = DRAWING_POINTS[d.kind];
  if (d.points.length !== need) return `a ${DRAWING_LABELS[d.kind].toLowerCase()} needs ${need} point${need === 1 ? '' : 's'}, got ${d.points.length}`;
  for (const p of d.points) {
    if (!Number.isFinite(p.ts) || p.ts < 0) return `a point's time must be a time in ms, got ${p.ts}`;
    if (!Number.isFinite(p.price) || !(p.price > 0)) return `a point's price must be above 0, got ${p.price}`;
  }
  if (d.kind === 'text' && !(d.text ?? '').trim()) return 'a text note needs some text';
  return undefined;
}
