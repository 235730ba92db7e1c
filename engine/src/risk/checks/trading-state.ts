import type { TradingState } from '../../model/risk-state';
import { onlyReduces, type SymbolBook } from './book';

export const KILL_SWITCH = 'kill_switch';
export const TRADING_HALTED = 'trading_halted';
export const TRADING_REDUCING = 'trading_reducing';
export const REDUCE_ONLY = 'reduce_only';

/**
 * The risk engine's own flattening orders (source 'risk') that only reduce may pass a kill
 * switch or a halt: they are how the engine gets flat. Nothing else gets through.
 */
export function isEmergencyReduction(source: string | undefined, s: SymbolBook, signed: number): boolean {
  return source === 'risk' && onlyReduces(s, signed);
}

/** Returns [check id, reason] when the trading state forbids this order. */
export function tradingStateDenial(
  p: { killEngaged: boolean; killReason: string | undefined; state: TradingState; stateReason: string | undefined },
  s: SymbolBook,
  signed: number,
  source: string | undefined,
): [string, string] | undefined {
  if (isEmergencyReduction(source, s, signed)) return undefined;
  if (p.killEngaged) return [KILL_SWITCH, `kill switch engaged${p.killReason ? ` (${p.killReason})` : ''}: no new orders until it is reset`];
  if (p.state === 'HALTED') return [TRADING_HALTED, `trading is HALTED${p.stateReason ? ` (${p.stateReason})` : ''}: no new orders; cancels are allowed`];
  if (p.state === 'REDUCING' && !onlyReduces(s, signed)) {
    return [TRADING_REDUCING, `trading is REDUCING${p.stateReason ? ` (${p.stateReason})` : ''}: only orders that reduce a position, not past flat (position ${s.position})`];
  }
  return undefined;
}

/** A reduce-only request that would open, add, or go past flat (counting working orders on its side). */
export function reduceOnlyDenial(reduceOnly: boolean | undefined, s: SymbolBook, signed: number): string | undefined {
  if (!reduceOnly || onlyReduces(s, signed)) return undefined;
  return `reduce-only order of ${signed > 0 ? 'buy' : 'sell'} ${Math.abs(signed)} would not only reduce position ${s.position} (working buys ${s.workingBuys}, sells ${s.workingSells})`;
}
