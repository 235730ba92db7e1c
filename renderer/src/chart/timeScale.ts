import { createChartEx, defaultHorzScaleBehavior, type ChartOptions, type DeepPartial, type IChartApi, type Mutable, type TimeScalePoint } from 'lightweight-charts';

/** The library's tick-mark weights (TickMarkWeight): a bigger one wins a label sooner. */
const YEAR = 70;
const MONTH = 60;
const DAY = 50;
/** Seconds each intraday weight's boundary falls on, finest first, as the library has them. */
const INTRADAY: readonly (readonly [number, number])[] = [
  [1, 10],
  [60, 20],
  [300, 21],
  [1800, 22],
  [3600, 30],
  [10_800, 31],
  [21_600, 32],
  [43_200, 33],
];

/**
 * Weight of the boundary crossed between two UTC times (seconds), as the library's own
 * weightByTime decides it, but without building a Date for every point: dates are only
 * looked at when the day changes (once in 1,440 one-minute bars).
 */
export function tickWeight(t: number, prev: number): number {
  if (Math.floor(t / 86_400) !== Math.floor(prev / 86_400)) {
    const a = new Date(t * 1000);
    const b = new Date(prev * 1000);
    if (a.getUTCFullYear() !== b.getUTCFullYear()) return YEAR;
    if (a.getUTCMonth() !== b.getUTCMonth()) return MONTH;
    return DAY;
  }
  for (let i = INTRADAY.length - 1; i >= 0; i--) {
    const [div, weight] = INTRADAY[i]!;
    if (Math.floor(prev / div) !== Math.floor(t / div)) return weight;
  }
  return 0;
}

/** The library's fillWeightsForPoints over plain seconds (the first point's weight is a guess from the mean spacing, as there). */
export function fillTickWeights(points: readonly { timeWeight: number }[], seconds: (i: number) => number, start: number): void {
  if (points.length === 0) return;
  let prev = start === 0 ? undefined : seconds(start - 1);
  let total = 0;
  for (let i = start; i < points.length; i++) {
    const t = seconds(i);
    if (prev !== undefined) points[i]!.timeWeight = tickWeight(t, prev);
    total += t - (prev || t);
    prev = t;
  }
  if (start === 0 && points.length > 1) {
    const mean = Math.ceil(total / (points.length - 1));
    points[0]!.timeWeight = tickWeight(seconds(0), seconds(0) - mean);
  }
}

const TimeBehaviour = defaultHorzScaleBehavior();

/**
 * The library's UTC time scale with one change: tick-mark weights are computed without a
 * Date per bar. On a 100k-bar load that was a Date and four calendar look-ups per bar,
 * inside setData, before the first frame.
 */
class UtcTimeScale extends TimeBehaviour {
  override fillWeightsForPoints(points: readonly Mutable<TimeScalePoint>[], start: number): void {
    fillTickWeights(points as unknown as { timeWeight: number }[], (i) => this.key(points[i]!.time) as number, start);
  }
}

/** createChart with the time scale above; the same defaults createChart applies (its date format). */
export function createTimeChart(container: HTMLElement, options: DeepPartial<ChartOptions>): IChartApi {
  const withDefaults: DeepPartial<ChartOptions> = { ...options, localization: { dateFormat: "dd MMM 'yy", ...options.localization } };
  return createChartEx(container, new UtcTimeScale(), withDefaults) as IChartApi;
}
