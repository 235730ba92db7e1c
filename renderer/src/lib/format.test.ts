import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtDuration, fmtMetric, fmtPct, fmtPrice, fmtSigned, fmtTime, metricLabel, priceDecimals } from './format';
import { barOpen, sortTimeframes, timeframeMs } from './timeframe';

describe('format', () => {
  it('shows enough decimals for the price in front of it', () => {
    expect(priceDecimals(21345.5)).toBe(2);
    expect(priceDecimals(1.2345)).toBe(4);
    expect(fmtPrice(21345.5)).toBe('21,345.50');
    expect(fmtPrice(0.0016123)).toBe('0.0016123');
    expect(fmtPrice(0.00000123)).toMatch(/^0\.00000123/);
  });

  it('never shows nothing as zero', () => {
    for (const f of [fmtPrice, fmtSigned, fmtPct, fmtBytes, fmtTime, fmtDuration]) {
      expect(f(undefined)).toBe('—');
      expect(f(Number.NaN)).toBe('—');
    }
  });

  it('signs money with plus and a real minus', () => {
    expect(fmtSigned(12.3)).toBe('+12.30');
    expect(fmtSigned(-4)).toBe('\u22124.00');
    expect(fmtSigned(0)).toBe('0.00');
  });

  it('formats times in UTC, sizes and durations', () => {
    expect(fmtTime(Date.UTC(2023, 0, 2, 3, 4, 5))).toBe('2023-01-02 03:04:05');
    expect(fmtBytes(1536)).toBe('1.5 KB');
    expect(fmtDuration(3_723_000)).toBe('1h 2m 3s');
    expect(fmtDuration(90_061_000)).toBe('1d 1h 1m');
  });

  it('labels and formats engine metric keys', () => {
    expect(metricLabel('maxDrawdownPct')).toBe('Max drawdown %');
    expect(metricLabel('sharpe')).toBe('Sharpe');
    expect(fmtMetric('totalReturnPct', 12.345)).toBe('12.35%');
    expect(fmtMetric('winRate', 0.5)).toBe('50.00%');
    expect(fmtMetric('trades', 42)).toBe('42');
    expect(fmtMetric('sharpe', null)).toBe('—');
  });
});

describe('timeframe', () => {
  it('parses labels and finds the bar a time belongs to', () => {
    expect(timeframeMs('5m')).toBe(300_000);
    expect(timeframeMs('1d')).toBe(86_400_000);
    expect(timeframeMs('bogus')).toBeUndefined();
    expect(barOpen(Date.UTC(2023, 0, 2, 0, 7, 30), '5m')).toBe(Date.UTC(2023, 0, 2, 0, 5));
    expect(sortTimeframes(['1h', '5m', '1d', '5m'])).toEqual(['5m', '1h', '1d']);
  });
});
