import { LIMIT_KEYS, limitProblem, RISK_LIMIT_SPECS, type LimitKey } from '../../../engine/protocol/definitions';
import type { RiskLimits } from '../../../engine/protocol';

/**
 * The limits form's rules. Ranges, labels, units and help come from the engine's one
 * definition of the limits (engine/src/model/risk-limits.ts), and each value is judged by
 * the same check the engine runs, so the form accepts exactly what the engine accepts.
 */
export interface FieldProblem {
  key: LimitKey;
  /** A sentence naming the field, e.g. "Day boundary offset must be a whole number from -720 to 840 min, got 900". */
  message: string;
}

/** What a typed string stands for: a number for numeric limits (NaN when it is not one), the text itself for choices. */
function draftValue(key: LimitKey, raw: string): unknown {
  if (RISK_LIMIT_SPECS[key].kind === 'enum') return raw;
  return raw.trim() === '' ? undefined : Number(raw);
}

/** A typed value's problem, as the form shows it beside the field; undefined when the engine would take it. */
export function fieldProblem(key: LimitKey, raw: string): string | undefined {
  const spec = RISK_LIMIT_SPECS[key];
  const value = draftValue(key, raw);
  if (value === undefined) return `${spec.label} is empty`;
  const problem = limitProblem(spec, value);
  return problem && `${spec.label} ${problem.replace(/, got NaN$/, `, got "${raw.trim()}"`)}`;
}

/** The edits that differ from the engine's limits, as the engine takes them, and every field the engine would refuse. */
export function limitChanges(current: RiskLimits, draft: Readonly<Record<string, string>>): { changes: Partial<RiskLimits>; problems: FieldProblem[] } {
  const changes: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const key of LIMIT_KEYS) {
    const raw = draft[key];
    if (raw === undefined) continue;
    const message = fieldProblem(key, raw);
    if (message) {
      problems.push({ key, message });
      continue;
    }
    const value = draftValue(key, raw);
    if (value !== current[key]) changes[key] = value;
  }
  return { changes: changes as Partial<RiskLimits>, problems };
}
