import type { RiskLimits } from '../../../engine/protocol';

/** Limits as a trader reads them: label and unit. */
export const LIMIT_FIELDS: { key: keyof RiskLimits; label: string; unit: string }[] = [
  { key: 'maxOrderQty', label: 'Max order quantity', unit: 'units' },
  { key: 'maxOrderNotional', label: 'Max order notional', unit: 'quote' },
  { key: 'priceCollarPct', label: 'Price collar', unit: '%' },
  { key: 'maxPriceAgeMs', label: 'Max price age', unit: 'ms' },
  { key: 'maxPositionNotional', label: 'Max position notional', unit: 'quote' },
  { key: 'maxExposurePct', label: 'Max exposure', unit: '% equity' },
  { key: 'maxOpenPositions', label: 'Max open positions', unit: 'count' },
  { key: 'ordersPerSecond', label: 'Orders per second', unit: '/s' },
  { key: 'orderBurst', label: 'Order burst', unit: 'orders' },
  { key: 'duplicateWindowMs', label: 'Duplicate window', unit: 'ms' },
  { key: 'maxDailyLossPct', label: 'Max daily loss', unit: '% equity' },
  { key: 'maxDrawdownPct', label: 'Max drawdown', unit: '% equity' },
  { key: 'dayBoundaryUtcOffsetMinutes', label: 'Day boundary offset', unit: 'min' },
  { key: 'watchdogSilenceMs', label: 'Watchdog silence', unit: 'ms' },
];

/** The edits that differ from the engine's limits, as numbers; or the first field that is not one. */
export function limitChanges(current: RiskLimits, draft: Record<string, string>): { changes: Partial<RiskLimits> } | { invalid: string } {
  const changes: Partial<RiskLimits> = {};
  for (const f of LIMIT_FIELDS) {
    const raw = draft[f.key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0) return { invalid: f.label };
    if (n !== current[f.key]) (changes as Record<string, number>)[f.key] = n;
  }
  if (draft.breakerAction !== undefined && draft.breakerAction !== current.breakerAction) {
    changes.breakerAction = draft.breakerAction as RiskLimits['breakerAction'];
  }
  return { changes };
}
