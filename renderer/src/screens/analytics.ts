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
