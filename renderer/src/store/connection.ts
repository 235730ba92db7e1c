import { create } from 'zustand';
import type { EngineInfo } from '../../../engine/protocol';
import type { ConnectionState } from '../client/connection';

export type TradingMode = 'PAPER' | 'LIVE';

/**
 * Paper unless the engine says live. The protocol's EngineInfo has no trading mode yet
 * (asked of the host engineer); until it does, a `tradingMode` field is read if present,
 * and anything else is paper, the only venue the engine offers the ticket today.
 */
export function tradingModeOf(info: EngineInfo | undefined): TradingMode {
  const mode = (info as (EngineInfo & { tradingMode?: string }) | undefined)?.tradingMode;
  return typeof mode === 'string' && mode.toLowerCase() === 'live' ? 'LIVE' : 'PAPER';
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
