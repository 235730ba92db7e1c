import { badInput } from '../../core/errors';
import type { TrailDistanceFields } from '../matching';

/**
 * Checks a trailing stop's distance: a fraction or an amount, exactly one. How a trail moves and
 * fires is stepTrail in ../matching, one rule for backtest, paper and the emulator.
 */
export function validateTrail(d: TrailDistanceFields, where: string): void {
  const hasPct = d.trailingPercent !== undefined;
  const hasAmt = d.trailingAmount !== undefined;
  if (hasPct === hasAmt) throw badInput('a trailing stop needs exactly one of trailingPercent and trailingAmount', where);
  if (hasPct && !(d.trailingPercent! > 0 && d.trailingPercent! < 1)) {
    throw badInput(`trailingPercent is a fraction in (0, 1), e.g. 0.02 for 2%; got ${d.trailingPercent}`, where);
  }
  if (hasAmt && !(d.trailingAmount! > 0)) throw badInput(`trailingAmount must be positive, got ${d.trailingAmount}`, where);
}
