import { badInput } from '../core/errors';

/**
 * What the venue allows for a symbol. Prices and quantities that reach a venue are always
 * multiples of tickSize and lotSize; an order below minQty or minNotional never leaves. A step
 * of 0 is no step at all: research on a bar file trades any quantity at any price, so that a
 * forward run of it can equal its backtest to the last bit.
 */
export interface Instrument {
  symbol: string;
  base: string;
  quote: string;
  tickSize: number;
  lotSize: number;
  minQty: number;
  minNotional: number;
  /** Fees as fractions of notional, e.g. 0.001 = 10 bps. */
  makerFee: number;
  takerFee: number;
}

/** Decimal places of a step such as 0.01 or 1e-8, so rounding prints and compares exactly. */
export function stepDecimals(step: number): number {
  if (!(step > 0)) throw badInput(`step must be positive, got ${step}`, 'instrument');
  const s = step.toExponential();
  const [mant, exp] = s.split('e') as [string, string];
  const mantDecimals = (mant.split('.')[1] ?? '').length;
  return Math.max(0, mantDecimals - Number(exp));
}

export type RoundMode = 'nearest' | 'down' | 'up';

/** Round `x` to a multiple of `step` without binary noise (0.1 + 0.2 stays 0.3); a step of 0 leaves it as it is. */
export function roundToStep(x: number, step: number, mode: RoundMode = 'nearest'): number {
  if (step === 0) return x;
  const d = stepDecimals(step);
  const k = x / step;
  // A ratio within 1e-9 of an integer is that integer: protects against 0.3/0.1 = 2.9999999999999996.
  const nearest = Math.round(k);
  const snapped = Math.abs(k - nearest) < 1e-9 ? nearest : k;
  const n = mode === 'down' ? Math.floor(snapped) : mode === 'up' ? Math.ceil(snapped) : Math.round(snapped);
  return Number((n * step).toFixed(Math.min(d, 20)));
}

export function isOnStep(x: number, step: number): boolean {
  if (step === 0) return true;
  const k = x / step;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

/** A permissive instrument for research on raw bar files: no steps, no minimums. */
export function researchInstrument(symbol: string, fee = 0): Instrument {
  const [base, quote] = symbol.includes('/') ? (symbol.split('/') as [string, string]) : [symbol, 'USD'];
  return { symbol, base, quote, tickSize: 0, lotSize: 0, minQty: 0, minNotional: 0, makerFee: fee, takerFee: fee };
}
