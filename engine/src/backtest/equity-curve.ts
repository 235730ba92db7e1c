import type { EquityCurve } from '../model/backtest-run';

/** Points a curve keeps for the screen and the archive of runs: enough for a chart and for risk analytics. */
export const CURVE_POINTS = 5_000;

interface Columns {
  ts: ArrayLike<number>;
  equity: ArrayLike<number>;
  drawdown: ArrayLike<number>;
  /** Carried along at the kept points when present. */
  benchmark?: ArrayLike<number> | undefined;
}

/** Drawdown per point: a fraction <= 0 of the running peak (0 while equity has never been positive). */
export function drawdowns(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    out[i] = peak > 0 ? e / peak - 1 : 0;
  }
  return out;
}

/**
 * The one way Keel thins an equity curve: split it into equal buckets of consecutive points
 * and keep, from each, the point of its deepest drawdown (the latest of equals, so a rising
 * stretch shows its newest peak), plus the curve's first and last points. Every kept point is
 * a real point, time, equity and drawdown together, so the worst moments survive however
 * often a curve is thinned, and the curve starts and ends where it did. At most `max` points.
 */
export function thinCurve(c: Columns, max = CURVE_POINTS): EquityCurve {
  if (!(Number.isInteger(max) && max >= 3)) throw new RangeError(`a thinned curve keeps at least 3 points, asked for ${max}`);
  const n = c.ts.length;
  const keep: number[] = [];
  if (n <= max) {
    for (let i = 0; i < n; i++) keep.push(i);
  } else {
    const size = Math.ceil((n - 2) / (max - 2));
    keep.push(0);
    for (let from = 1; from < n - 1; from += size) {
      const to = Math.min(n - 1, from + size);
      let worst = from;
      for (let i = from + 1; i < to; i++) if (c.drawdown[i]! <= c.drawdown[worst]!) worst = i;
      keep.push(worst);
    }
    keep.push(n - 1);
  }
  const out: EquityCurve = {
    ts: keep.map((i) => c.ts[i]!),
    equity: keep.map((i) => c.equity[i]!),
    drawdown: keep.map((i) => c.drawdown[i]!),
  };
  const bench = c.benchmark;
  if (bench && bench.length === n) out.benchmark = keep.map((i) => bench[i]!);
  return out;
}

/** A run's equity per bar as the wire and the archive carry it: drawdown from every bar, then thinned; the benchmark at the same points. */
export function equityCurve(ts: ArrayLike<number>, equity: ArrayLike<number>, max = CURVE_POINTS, benchmark?: ArrayLike<number>): EquityCurve {
  return thinCurve({ ts, equity, drawdown: drawdowns(equity), benchmark }, max);
}
