import { z } from 'zod';
import { KeelError } from '../core/errors';
import type { RiskLimits } from '../../protocol/index';

export type { RiskLimits };

/**
 * Defaults are deliberately tight: a fresh install must not be able to blow up an account
 * before the trader has looked at these. Notional figures are in the account currency.
 */
export const DEFAULT_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxOrderQty: 1_000_000,
  maxOrderNotional: 10_000,
  priceCollarPct: 5,
  maxPriceAgeMs: 10_000,
  maxPositionNotional: 25_000,
  maxExposurePct: 30,
  maxOpenPositions: 2,
  ordersPerSecond: 5,
  orderBurst: 10,
  duplicateWindowMs: 1_000,
  maxDailyLossPct: 2,
  maxDrawdownPct: 10,
  breakerAction: 'HALTED',
  dayBoundaryUtcOffsetMinutes: 0,
  watchdogSilenceMs: 15_000,
});

const positive = (max: number) => z.number().finite().positive().max(max);
const pct = z.number().finite().positive().max(100);

/** Each field's legal range. A limit of 0 would deny everything, so "off" is a large value, never 0. */
export const limitsSchema = z
  .object({
    maxOrderQty: positive(1e15),
    maxOrderNotional: positive(1e15),
    priceCollarPct: pct,
    maxPriceAgeMs: z.number().int().min(1).max(86_400_000),
    maxPositionNotional: positive(1e15),
    maxExposurePct: z.number().finite().positive().max(1_000),
    maxOpenPositions: z.number().int().min(1).max(10_000),
    ordersPerSecond: positive(10_000),
    orderBurst: z.number().int().min(1).max(100_000),
    duplicateWindowMs: z.number().int().min(0).max(3_600_000),
    maxDailyLossPct: pct,
    maxDrawdownPct: pct,
    breakerAction: z.enum(['REDUCING', 'HALTED']),
    dayBoundaryUtcOffsetMinutes: z.number().int().min(-720).max(840),
    watchdogSilenceMs: z.number().int().min(100).max(86_400_000),
  })
  .strict();

/**
 * Merges `partial` over `base` and validates the result. Every problem is reported, each
 * naming its field, so a settings form can mark them all at once.
 */
export function mergeLimits(base: RiskLimits, partial: unknown, where = 'risk limits'): RiskLimits {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new KeelError('BAD_INPUT', 'limits must be an object of field: value', { where });
  }
  const parsed = limitsSchema.safeParse({ ...base, ...(partial as Record<string, unknown>) });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const field = i.path.length > 0 ? i.path.join('.') : (i as { keys?: string[] }).keys?.join(', ') ?? '(limits)';
    return { field, message: i.message };
  });
  throw new KeelError('BAD_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    where,
    details: { fields: problems },
  });
}
