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
    expect(metricLabel('max_drawdown')).toBe('Max drawdown');
    expect(metricLabel('longest_drawdown_ms')).toBe('Longest DD');
    expect(metricLabel('longest_drawdown_bars')).toBe('Longest DD, bars');
    expect(metricLabel('cagr')).toBe('CAGR');
    expect(fmtMetric('total_return', -0.3423)).toBe('-34.23%');
    expect(fmtMetric('win_rate', 0.5)).toBe('50.00%');
    expect(fmtMetric('longest_drawdown_bars', 10936)).toBe('10,936');
    expect(fmtMetric('longest_drawdown_ms', 3_280_800_000)).toBe('37d 23h 20m');
    expect(fmtMetric('final_equity', 6577.069)).toBe('6,577.07');
    expect(fmtMetric('sharpe', -10.1113)).toBe('-10.11');
    expect(fmtMetric('trades', 218)).toBe('218');
    expect(fmtMetric('start', Date.UTC(2023, 0, 2, 16, 45))).toBe('2023-01-02');
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
