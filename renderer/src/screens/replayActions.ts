import type { ReplayState } from '../../../engine/protocol';
import { useMarket } from '../store/market';
import { replayActive, useReplay } from '../store/replay';
import { client, errorText } from '../store/wire';

/** Runs a replay request; its answer is the new state (the 'replay' topic says the same). */
async function send(p: Promise<ReplayState>): Promise<void> {
  const r = useReplay.getState();
  r.bumpEpoch();
  try {
    r.setError(undefined);
    r.apply(await p);
  } catch (e) {
    r.setError(errorText(e));
  } finally {
    r.bumpEpoch();
  }
}

export function startReplay(speed: number): Promise<void> {
  const { symbol, timeframe } = useMarket.getState();
  if (!symbol || !timeframe) return Promise.resolve();
  useReplay.getState().starting();
  return send(client().call('replay.start', { symbol, timeframe, speed }));
}

export function controlReplay(action: 'pause' | 'resume' | 'stop' | 'step', speed?: number): Promise<void> {
  return send(client().call('replay.control', speed === undefined ? { action } : { action, speed }));
}

/** The play/pause key: pauses a playing replay, resumes a paused one, else starts one. */
export function toggleReplay(speed: number): Promise<void> {
  const s = useReplay.getState().state;
  if (s?.status === 'playing') return controlReplay('pause');
  if (replayActive(s)) return controlReplay('resume');
  return startReplay(speed);
}
