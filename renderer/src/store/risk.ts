import { create } from 'zustand';
import type { RiskStateDto, TradingState } from '../../../engine/protocol';

/**
 * The state a trader must read: an engaged kill switch halts everything, whatever the
 * breakers say, so it shows as HALTED even when the engine's tradingState field does not.
 */
export function effectiveTradingState(r: RiskStateDto | undefined): TradingState | undefined {
  if (!r) return undefined;
  return r.killSwitch.engaged ? 'HALTED' : r.tradingState;
}

interface RiskStore {
  risk: RiskStateDto | undefined;
  setRisk(r: RiskStateDto): void;
}

export const useRisk = create<RiskStore>((set) => ({
  risk: undefined,
  setRisk: (risk) => set({ risk }),
}));
