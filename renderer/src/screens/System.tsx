import { useEffect, useState } from 'react';
import { fmtBytes, fmtDuration, fmtTime } from '../lib/format';
import { tradingModeOf, useConnection } from '../store/connection';
import { useSystem } from '../store/system';
import { client } from '../store/wire';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function System() {
  const status = useSystem((s) => s.status);
  const logs = useSystem((s) => s.logs);
  const info = useConnection((s) => s.info);
  const conn = useConnection((s) => s.state);
  const [minLevel, setMinLevel] = useState<(typeof LEVELS)[number]>('info');

  useEffect(() => {
    client()
      .call('system.status', {})
      .then((s) => useSystem.getState().setStatus(s))
      .catch(() => undefined);
  }, []);

  const shown = logs.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(minLevel)).slice(-300).reverse();
  const lag = status?.eventLoopLagMs ?? 0;
  return (
    <div className="system-screen">
      <section className="panel pad" aria-label="Engine status">
        <h2>Engine</h2>
        <dl className="kv">
          <dt>State</dt>
          <dd>
            <span className={`state-pill ${status?.state ?? 'unknown'}`}>{status?.state ?? '—'}</span> <span className="dim">link: {conn}</span>
          </dd>
          <dt>Uptime</dt>
          <dd className="num">{fmtDuration(status?.uptimeMs)}</dd>
          <dt>Event-loop lag</dt>
          <dd className={`num ${lag > 100 ? 'down' : lag > 20 ? 'warn' : ''}`}>{status ? `${status.eventLoopLagMs.toFixed(1)} ms` : '—'}</dd>
          <dt>Memory (RSS)</dt>
          <dd className="num">{fmtBytes(status?.rssBytes)}</dd>
          <dt>Heap used</dt>
          <dd className="num">{fmtBytes(status?.heapUsedBytes)}</dd>
          <dt>Version</dt>
          <dd>
            {info?.version ?? '—'} <span className="dim">protocol {info?.protocol ?? '—'}</span>
          </dd>
          <dt>Host</dt>
          <dd>{info?.mode ?? '—'}</dd>
          <dt>Trading</dt>
          <dd>{info ? tradingModeOf(info) : '—'}</dd>
          <dt>Home</dt>
          <dd className="mono small">{info?.home ?? '—'}</dd>
          <dt>Started</dt>
          <dd>{fmtTime(info?.startedAt)}</dd>
        </dl>
      </section>
      <section className="panel pad logs-panel" aria-label="Logs">
        <div className="row">
          <h2>Recent logs</h2>
          <label className="inline">
            Level
            <select value={minLevel} onChange={(e) => setMinLevel(e.target.value as (typeof LEVELS)[number])}>
              {LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </label>
        </div>
        <ol className="logs mono" aria-label="Log entries">
          {shown.map((l, i) => (
            <li key={i} className={`log-${l.level}`}>
              <span className="dim">{fmtTime(l.ts).slice(11)}</span> <span className="lvl">{l.level.toUpperCase()}</span> <span className="src">{l.source}</span> {l.message}
            </li>
          ))}
          {shown.length === 0 && <li className="dim">No log entries at this level.</li>}
        </ol>
      </section>
    </div>
  );
}
