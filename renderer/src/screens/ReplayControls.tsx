import { fmtTime } from '../lib/format';
import { REPLAY_SPEEDS, replayActive, replayProgress, useReplay } from '../store/replay';
import { useMarket } from '../store/market';
import { controlReplay, startReplay } from './replayActions';

/**
 * Market replay for the chart's symbol and timeframe: stored bars played as a live feed to
 * the paper desk. Compact: one toolbar group; the state comes from the 'replay' topic.
 */
export function ReplayControls() {
  const state = useReplay((s) => s.state);
  const error = useReplay((s) => s.error);
  const speed = useReplay((s) => s.speed);
  const setSpeed = useReplay((s) => s.setSpeed);
  const symbol = useMarket((s) => s.symbol);
  const timeframe = useMarket((s) => s.timeframe);
  const active = replayActive(state);
  const elsewhere = active && (state!.symbol !== symbol || state!.timeframe !== timeframe);
  const playing = state?.status === 'playing';
  const pct = replayProgress(state);
  const changeSpeed = (v: number) => {
    setSpeed(v);
    if (active) void controlReplay(playing ? 'resume' : 'pause', v);
  };
  return (
    <div className="replay" role="group" aria-label="Market replay">
      {active ? (
        <button onClick={() => void controlReplay('stop')} aria-label="Stop replay" title="Stop the replay; the chart shows the full history again">
          ■
        </button>
      ) : (
        <button onClick={() => void startReplay(speed)} disabled={!symbol || !timeframe} title="Replay the latest stored bars as a live feed (paper)">
          Replay
        </button>
      )}
      <select aria-label="Replay speed" value={speed} onChange={(e) => changeSpeed(Number(e.target.value))} title="Bars per second">
        {REPLAY_SPEEDS.map((v) => (
          <option key={v} value={v}>
            {v}×
          </option>
        ))}
      </select>
      {active && (
        <>
          <button aria-label={playing ? 'Pause replay' : 'Play replay'} title={`${playing ? 'Pause' : 'Play'} (P)`} onClick={() => void controlReplay(playing ? 'pause' : 'resume')}>
            {playing ? '❚❚' : '▶'}
          </button>
          <button aria-label="Step replay" title="One bar forward" disabled={playing} onClick={() => void controlReplay('step')}>
            ▶|
          </button>
        </>
      )}
      {state && state.status !== 'idle' && (
        <>
          <div className="progress replay-progress" role="progressbar" aria-label="Replay progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} title={`${state.index} of ${state.total} bars`}>
            <div style={{ width: `${pct}%` }} />
          </div>
          <span className="dim num" aria-label="Replay cursor">
            {elsewhere ? `${state.symbol} ${state.timeframe} ` : ''}
            {state.status === 'done' ? 'done' : fmtTime(state.cursorTs)}
          </span>
        </>
      )}
      {error && (
        <span className="down" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
