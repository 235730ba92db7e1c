import { create } from 'zustand';
import type { ExchangeAccountDto, LiveAccountStatusDto } from '../../../engine/protocol';

/**
 * Exchange accounts and the live desks, as the engine reports them: masked keys only (the
 * secret never reaches the renderer). The LIVE/PAPER labels everywhere derive from here.
 */
interface LiveStore {
  accounts: ExchangeAccountDto[];
  status: LiveAccountStatusDto[];
  setAccounts(a: ExchangeAccountDto[]): void;
  setStatus(s: LiveAccountStatusDto[]): void;
}

export const useLive = create<LiveStore>((set) => ({
  accounts: [],
  status: [],
  setAccounts: (accounts) => set({ accounts }),
  setStatus: (status) => set({ status }),
}));

/** An account is live once the engine recorded its confirmation (`liveSince`); the one rule the badges read. */
export function liveAccounts(accounts: ExchangeAccountDto[]): ExchangeAccountDto[] {
  return accounts.filter((a) => a.liveSince !== undefined);
}

/** The header's mode text: `LIVE · a, b` while any account is live, else `PAPER`. */
export function modeLabel(accounts: ExchangeAccountDto[]): { live: boolean; text: string } {
  const live = liveAccounts(accounts);
  return live.length ? { live: true, text: `LIVE · ${live.map((a) => a.name).join(', ')}` } : { live: false, text: 'PAPER' };
}
