import { defaultHorzScaleBehavior, type UTCTimestamp } from 'lightweight-charts';
import { describe, expect, it } from 'vitest';
import { fillTickWeights } from './timeScale';

/** The library's own weights for the same times: the oracle. */
function libraryWeights(times: number[]): number[] {
  const Behaviour = defaultHorzScaleBehavior();
  const b = new Behaviour();
  const points = times.map((t) => ({ timeWeight: 0, time: b.convertHorzItemToInternal(t as UTCTimestamp), originalTime: t }));
  b.fillWeightsForPoints(points as never, 0);
  return points.map((p) => p.timeWeight as number);
}

function ours(times: number[], start = 0, seed?: number[]): number[] {
  const points = times.map((_, i) => ({ timeWeight: seed?.[i] ?? 0 }));
  fillTickWeights(points, (i) => times[i]!, start);
  return points.map((p) => p.timeWeight);
}

describe('tick-mark weights without a Date per bar', () => {
  const day = 86_400;
  const newYear2024 = 1_704_067_200;
  const series: Record<string, number[]> = {
    // one-minute bars across a year end, so minute, 5/30-minute, hour, 3/6/12-hour, day, month and year boundaries all occur
    minutes: Array.from({ length: 3000 }, (_, i) => newYear2024 - 1500 * 60 + i * 60),
    seconds: Array.from({ length: 400 }, (_, i) => newYear2024 - 200 + i),
    daily: Array.from({ length: 800 }, (_, i) => newYear2024 - 400 * day + i * day),
    // gaps: weekends, a missing month, same day-of-month a month later, a leap day
    gaps: [1_706_745_600, 1_706_832_000, 1_707_091_200, 1_709_164_800, 1_709_251_200, 1_711_929_600, 1_714_521_600 + 37, 1_714_521_600 + 3601],
  };
  for (const [name, times] of Object.entries(series)) {
    it(`match the library's on ${name}`, () => {
      expect(ours(times)).toEqual(libraryWeights(times));
    });
  }

  it('fill only from the start index on (points before it keep their weights)', () => {
    const times = series.minutes!;
    const full = libraryWeights(times);
    const seed = full.slice(0, 2000);
    expect(ours(times, 2000, seed)).toEqual(full.map((w, i) => (i < 2000 ? seed[i] : w)));
  });
});
