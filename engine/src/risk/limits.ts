import { KeelError } from '../core/errors';
import { DEFAULT_LIMITS, limitsProblems, type RiskLimits } from '../model/risk-limits';

// The limits' ranges and defaults are defined once, in model/risk-limits.ts.
export { DEFAULT_LIMITS, type RiskLimits };

/**
 * Merges `partial` over `base` and validates the result. Every problem is reported, each
 * naming its field, so a settings form can mark them all at once.
 */
export function mergeLimits(base: RiskLimits, partial: unknown, where = 'risk limits'): RiskLimits {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new KeelError('BAD_INPUT', 'limits must be an object of field: value', { where });
  }
  const merged = { ...base, ...(partial as Record<string, unknown>) };
  const problems = limitsProblems(merged);
  if (problems.length === 0) return merged as RiskLimits;
  throw new KeelError('BAD_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    where,
    details: { fields: problems },
  });
}
