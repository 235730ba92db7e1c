import type { RiskAnalyticsDto } from '../../../engine/protocol';

type Method = RiskAnalyticsDto['rows'][number]['method'];

export const METHOD_LABELS: Record<Method, string> = {
  historical: 'Historical',
  gaussian: 'Gaussian',
  'cornish-fisher': 'Cornish–Fisher',
  'monte-carlo': 'Monte Carlo',
};

const METHOD_ORDER: Method[] = ['historical', 'gaussian', 'cornish-fisher', 'monte-carlo'];

export interface VarTable {
  confidences: number[];
  rows: { method: Method; label: string; cells: { var: number | undefined; es: number | undefined }[] }[];
}

/** The engine's flat rows as a method × confidence table (columns: VaR and ES per confidence). */
export function varTable(dto: RiskAnalyticsDto): VarTable {
  const confidences = [...new Set(dto.rows.map((r) => r.confidence))].sort((a, b) => a - b);
  const methods = METHOD_ORDER.filter((m) => dto.rows.some((r) => r.method === m));
  return {
    confidences,
    rows: methods.map((method) => ({
      method,
      label: METHOD_LABELS[method],
      cells: confidences.map((c) => {
        const row = dto.rows.find((r) => r.method === method && r.confidence === c);
        return { var: row?.var, es: row?.es };
      }),
    })),
  };
}

/** "95 %", "99.5 %": a confidence given as a fraction. */
export const confidenceLabel = (c: number): string => `${Number((c * 100).toFixed(2))} %`;

/**
 * A loss or return given as a fraction, in percent with enough digits to read a small
 * book's figures (0.0023 %), never "-0.00 %".
 */
export function fmtSmallPct(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const pct = v * 100;
  if (pct === 0) return '0.00%';
  const digits = Math.abs(pct) >= 0.1 ? 2 : Math.min(8, 1 - Math.floor(Math.log10(Math.abs(pct))));
  return `${pct.toFixed(digits)}%`;
}
