import { describe, expect, it } from 'vitest';
import { isOnStep, roundToStep, stepDecimals } from '../../src/model/instrument';
import { bucketStart, timeframeFromMs, timeframeMs } from '../../src/core/timeframe';

describe('tick and lot rounding', () => {
  it('knows the decimals of a step', () => {
    expect(stepDecimals(0.01)).toBe(2);
    expect(stepDecimals(1e-8)).toBe(8);
    expect(stepDecimals(0.5)).toBe(1);
    expect(stepDecimals(5)).toBe(0);
    expect(stepDecimals(0.00025)).toBe(5);
  });

  it('rounds without binary noise, in the requested direction', () => {
    expect(roundToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundToStep(16727.349, 0.1)).toBe(16727.3);
    expect(roundToStep(16727.35, 0.1, 'up')).toBe(16727.4);
    expect(roundToStep(1.23456789, 0.001, 'down')).toBe(1.234);
    expect(roundToStep(0.3, 0.1, 'down')).toBe(0.3); // 0.3/0.1 = 2.9999999999999996 must not floor to 0.2
    expect(roundToStep(0.00162008, 1e-8)).toBe(0.00162008);
    expect(roundToStep(7, 5, 'down')).toBe(5);
  });

  it('tells whether a value sits on the step', () => {
    expect(isOnStep(0.3, 0.1)).toBe(true);
    expect(isOnStep(0.35, 0.1)).toBe(false);
    expect(isOnStep(1.5, 0.5)).toBe(true);
  });
  it('rejects a non-positive step', () => {
    expect(() => stepDecimals(0)).toThrow(/step must be positive/);
  });
});

describe('timeframes', () => {
  it('parses and names bar lengths', () => {
    expect(timeframeMs('5m')).toBe(300_000);
    expect(timeframeMs('1h')).toBe(3_600_000);
    expect(timeframeMs('1d')).toBe(86_400_000);
    expect(timeframeFromMs(300_000)).toBe('5m');
    expect(timeframeFromMs(7_200_000)).toBe('2h');
    expect(timeframeFromMs(604_800_000)).toBe('1w');
    expect(() => timeframeMs('5x')).toThrow(/unknown timeframe "5x"/);
  });
  it('aligns buckets to UTC, weeks to Monday', () => {
    const t = Date.UTC(2023, 0, 4, 13, 37); // Wednesday
    expect(bucketStart(t, 3_600_000)).toBe(Date.UTC(2023, 0, 4, 13));
    expect(bucketStart(t, 86_400_000)).toBe(Date.UTC(2023, 0, 4));
    expect(bucketStart(t, 604_800_000)).toBe(Date.UTC(2023, 0, 2)); // Monday
  });
});
