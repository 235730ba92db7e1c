import { create } from 'zustand';
import type { ReplayState } from '../../../engine/protocol';

export const REPLAY_SPEEDS = [1, 2, 5, 10, 50, 200, 1000] as const;

/** A replay is running or paused (it owns the chart of its symbol and timeframe). */
export const replayActive = (s: ReplayState | undefined): boolean => s?.status === 'playing' || s?.status === 'paused';

/** True when the replay drives the chart showing this symbol and timeframe. */
export function replayDrives(s: ReplayState | undefined, symbol: string | undefined, timeframe: string | undefined): boolean {
  return replayActive(s) && s!.symbol === symbol && s!.timeframe === timeframe;
}

/** Share of the replay's bars played, 0..100. */
export function replayProgress(s: ReplayState | undefined): number {
  if (!s || s.total <= 0) return 0;
  return Math.max(0, Math.min(100, (s.index / s.total) * 100));
}

interface ReplayStore {
  state: ReplayState | undefined;
  /**
   * Bumped each time a replay starts (or one is found running after a reconnect): the
   * chart reloads its history up to the cursor then, once, not on every cursor move.
   */
  session: number;
  error: string | undefined;
  /**
   * Bumped around every replay request: a polled state asked for before a pause or step
   * answered must not undo it (same cursor, older status).
   */
  epoch: number;
  bumpEpoch(): void;
  /** Bars per second for the next start or change. */
  speed: number;
  setSpeed(v: number): void;
  apply(s: ReplayState): void;
  /** Before asking for a new replay: whatever state comes first begins a new session. */
  starting(): void;
  setError(e: string | undefined): void;
}

export const useReplay = create<ReplayStore>((set, get) => ({
  state: undefined,
  session: 0,
  error: undefined,
  epoch: 0,
  bumpEpoch: () => set({ epoch: get().epoch + 1 }),
  speed: 10,
  setSpeed: (speed) => set({ speed }),
  apply: (s) => {
    const prev = get().state;
    const same = replayActive(prev) && replayActive(s) && prev!.symbol === s.symbol && prev!.timeframe === s.timeframe;
    // A request's answer can arrive after a newer pushed state: never step the cursor back.
    if (same && s.index < prev!.index) return;
    const begins = replayActive(s) && !same;
    set({ state: s, ...(replayActive(s) ? { speed: s.speed } : {}), session: begins ? get().session + 1 : get().session, ...(begins ? { error: undefined } : {}) });
  },
  starting: () => set({ state: { status: 'idle', index: 0, total: 0, speed: get().speed } }),
  setError: (error) => set({ error }),
}));
