import { create } from 'zustand';
import type { RiskStateDto } from '../../../engine/protocol';

interface RiskStore {
  risk: RiskStateDto | undefined;
  setRisk(r: RiskStateDto): void;
}

export const useRisk = create<RiskStore>((set) => ({
  risk: undefined,
  setRisk: (risk) => set({ risk }),
}));
