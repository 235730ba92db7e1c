/**
 * The heatmap of a sweep over any two parameters: for each pair of values, the best
 * objective among the trials with those values (whatever the other parameters were), or
 * null where no trial with that pair qualified. One rule for the UI and the HTML report.
 */
import type { ParamValue } from '../strategy/params';

export interface HeatmapTrial {
  params: Record<string, ParamValue>;
  score: number | undefined;
}

export interface Heatmap {
  x: string;
  y: string;
  xs: ParamValue[];
  ys: ParamValue[];
  /** z[j][i]: the best score at (xs[i], ys[j]). */
  z: (number | null)[][];
}

const order = (a: ParamValue, b: ParamValue): number => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));

export function heatmap(trials: readonly HeatmapTrial[], x: string, y: string): Heatmap {
  const xs = [...new Set(trials.map((t) => t.params[x]!))].filter((v) => v !== undefined).sort(order);
  const ys = [...new Set(trials.map((t) => t.params[y]!))].filter((v) => v !== undefined).sort(order);
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, j) => [v, j]));
  const z: (number | null)[][] = ys.map(() => xs.map(() => null));
  for (const t of trials) {
    if (t.score === undefined) continue;
    const i = xi.get(t.params[x]!);
    const j = yi.get(t.params[y]!);
    if (i === undefined || j === undefined) continue;
    const cur = z[j]![i]!;
    if (cur === null || t.score > cur) z[j]![i] = t.score;
  }
  return { x, y, xs, ys, z };
}
