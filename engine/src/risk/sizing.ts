/**
 * Position sizers shared by the order ticket and strategies. Each returns a quantity
 * (>= 0, not yet rounded to the lot size; the order path rounds) and never throws on a
 * degenerate input: a zero stop distance or ATR sizes to 0, because "no idea of risk"
 * must never mean "infinite size".
 */

/** Risk `riskFraction` of equity between entry and stop: qty = equity·f / |entry − stop|. */
export function fixedFractional(p: { equity: number; riskFraction: number; entry: number; stop: number }): number {
  const distance = Math.abs(p.entry - p.stop);
  if (!(distance > 0) || !(p.equity > 0) || !(p.riskFraction > 0)) return 0;
  return (p.equity * p.riskFraction) / distance;
}

/** Spend `fraction` of equity as notional at `price`: qty = equity·f / price. */
export function fixedNotionalFraction(p: { equity: number; fraction: number; price: number }): number {
  if (!(p.price > 0) || !(p.equity > 0) || !(p.fraction > 0)) return 0;
  return (p.equity * p.fraction) / p.price;
}

/** Volatility sizing: qty = (equity × riskPerTrade) / (ATR × multiplier). */
export function volatilitySized(p: { equity: number; riskPerTrade: number; atr: number; multiplier: number }): number {
  const unitRisk = p.atr * p.multiplier;
  if (!(unitRisk > 0) || !(p.equity > 0) || !(p.riskPerTrade > 0)) return 0;
  return (p.equity * p.riskPerTrade) / unitRisk;
}

/**
 * Kelly fraction f* = p − (1 − p)/b with b = average win / average loss, clipped to [0, cap],
 * spent as notional at `price`. Full Kelly is too aggressive for estimated edges, hence the cap.
 */
export function kellyFraction(p: { winRate: number; avgWin: number; avgLoss: number; cap: number }): number {
  if (!(p.avgWin > 0) || !(p.avgLoss > 0) || !(p.winRate >= 0 && p.winRate <= 1)) return 0;
  const b = p.avgWin / p.avgLoss;
  const f = p.winRate - (1 - p.winRate) / b;
  return Math.min(Math.max(f, 0), Math.max(p.cap, 0));
}

export function kellySized(p: { equity: number; price: number; winRate: number; avgWin: number; avgLoss: number; cap: number }): number {
  if (!(p.price > 0) || !(p.equity > 0)) return 0;
  return (p.equity * kellyFraction(p)) / p.price;
}
