import { create } from 'zustand';
import type { EngineInfo } from '../../../engine/protocol';
import type { ConnectionState } from '../client/connection';

export type TradingMode = 'PAPER' | 'LIVE';

/** The engine says which venue orders reach; the badge shows it, upper case. Unknown reads as paper. */
export function tradingModeOf(info: EngineInfo | undefined): TradingMode {
  return info?.tradingMode === 'live' ? 'LIVE' : 'PAPER';
}

interface ConnectionStore {
  state: ConnectionState;
  /** Bumped on every hello after the first: data views reload then, the engine may have restarted. */
  reconnects: number;
  info: EngineInfo | undefined;
  message: string | undefined;
  set(p: Partial<Pick<ConnectionStore, 'state' | 'info' | 'message' | 'reconnects'>>): void;
}

export const useConnection = create<ConnectionStore>((set) => ({
  state: 'connecting',
  reconnects: 0,
  info: undefined,
  message: undefined,
  set: (p) => set(p),
}));
