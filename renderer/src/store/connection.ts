import { create } from 'zustand';
import type { EngineInfo } from '../../../engine/protocol';
import type { ConnectionState } from '../client/connection';

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
