import { describe, expect, it } from 'vitest';
import type { RiskAnalyticsDto } from '../../../engine/protocol';
import { confidenceLabel, fmtSmallPct, varTable } from './analytics';

describe('VaR table', () => {
  it('pivots flat rows into method × confidence, methods in a fixed order', () => {
    const dto: RiskAnalyticsDto = {
      source: 'portfolio',
      asOf: 0,
      observations: 250,
      horizonBars: 1,
      rows: [
        { method: 'monte-carlo', confidence: 0.99, var: 0.05, es: 0.06 },
        { method: 'historical', confidence: 0.99, var: 0.04, es: 0.055 },
        { method: 'historical', confidence: 0.95, var: 0.02, es: 0.03 },
        { method: 'monte-carlo', confidence: 0.95, var: 0.021, es: 0.031 },
      ],
      stress: [],
      notes: [],
    };
    const t = varTable(dto);
    expect(t.confidences).toEqual([0.95, 0.99]);
    expect(t.rows.map((r) => r.label)).toEqual(['Historical', 'Monte Carlo']);
    expect(t.rows[0]!.cells).toEqual([
      { var: 0.02, es: 0.03 },
      { var: 0.04, es: 0.055 },
    ]);
    expect(t.rows[1]!.cells[1]).toEqual({ var: 0.05, es: 0.06 });
  });

  it('leaves a missing cell empty rather than borrowing another', () => {
    const t = varTable({ source: 'backtest', asOf: 0, observations: 3, horizonBars: 1, rows: [{ method: 'gaussian', confidence: 0.95, var: 0.01, es: 0.012 }, { method: 'historical', confidence: 0.99, var: 0.03, es: 0.04 }], stress: [], notes: [] });
    expect(t.rows.find((r) => r.method === 'gaussian')!.cells).toEqual([{ var: 0.01, es: 0.012 }, { var: undefined, es: undefined }]);
    expect(confidenceLabel(0.95)).toBe('95 %');
    expect(confidenceLabel(0.995)).toBe('99.5 %');
  });

  it('shows small losses with the digits that carry them', () => {
    expect(fmtSmallPct(0.0345)).toBe('3.45%');
    expect(fmtSmallPct(0.001)).toBe('0.10%');
    expect(fmtSmallPct(0.0000234)).toBe('0.0023%');
    expect(fmtSmallPct(-0.00004)).toBe('-0.0040%');
    expect(fmtSmallPct(0)).toBe('0.00%');
    expect(fmtSmallPct(undefined)).toBe('—');
  });
});
