import { useEffect, useState } from 'react';
import { fmtBytes, fmtDuration, fmtTime } from '../lib/format';
import { useConnection } from '../store/connection';
import { modeLabel, useLive } from '../store/live';
import { AccountsPanel } from './Accounts';
import { useSystem } from '../store/system';
import { useUi } from '../store/ui';
import { client } from '../store/wire';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function System() {
  const status = useSystem((s) => s.status);
  const logs = useSystem((s) => s.logs);
  const info = useConnection((s) => s.info);
  const conn = useConnection((s) => s.state);
  const mode = modeLabel(useLive((s) => s.accounts));
  const [minLevel, setMinLevel] = useState<(typeof LEVELS)[number]>('info');
  const [search, setSearch] = useState('');
  const [busy, setBusy] = useState<'diagnostics' | 'backup' | undefined>();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();

  const exportDiagnostics = async (): Promise<void> => {
    setBusy('diagnostics');
    try {
      const d = await client().call('system.diagnostics', {});
      setOutcome({ ok: true, text: `Diagnostics written to ${d.path} (${d.entries.length} files: logs, crash records and versions, with secrets, keys and account ids removed). Crash records are kept in ${d.crashDir}.` });
    } catch (e) {
      setOutcome({ ok: false, text: `Export diagnostics failed: ${(e as Error).message}` });
    } finally {
      setBusy(undefined);
    }
  };

  const backUp = async (): Promise<void> => {
    setBusy('backup');
    try {
      const b = await client().call('system.backup', {});
      const mib = b.files.reduce((s, f) => s + f.bytes, 0) / 2 ** 20;
      setOutcome({ ok: true, text: `Backup written to ${b.dir} (${b.files.length} files, ${mib.toFixed(1)} MiB). Copy that folder somewhere safe; keel restore --from <folder> puts it back.` });
    } catch (e) {
      setOutcome({ ok: false, text: `Backup failed: ${(e as Error).message}` });
    } finally {
      setBusy(undefined);
    }
  };

  useEffect(() => {
    client()
      .call('system.status', {})
      .then((s) => useSystem.getState().setStatus(s))
      .catch(() => undefined);
  }, []);

  const needle = search.trim().toLowerCase();
  const matching = logs.filter((l) => LEVELS.indexOf(l.level) >= LEVELS.indexOf(minLevel) && (needle === '' || l.message.toLowerCase().includes(needle) || l.source.toLowerCase().includes(needle)));
  const shown = matching.slice(-300).reverse();
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
          <dd>{mode.text}</dd>
          <dt>Home</dt>
          <dd className="mono small">{info?.home ?? '—'}</dd>
          <dt>Started</dt>
          <dd>{fmtTime(info?.startedAt)}</dd>
        </dl>
        <h2 className="section-gap">Support</h2>
        <div className="row wrap">
          <button type="button" onClick={() => void exportDiagnostics()} disabled={busy !== undefined}>
            {busy === 'diagnostics' ? 'Exporting…' : 'Export diagnostics'}
          </button>
          <button type="button" onClick={() => void backUp()} disabled={busy !== undefined}>
            {busy === 'backup' ? 'Backing up…' : 'Back up now'}
          </button>
          <button type="button" onClick={() => useUi.getState().setAbout(true)}>
            About Keel and licences
          </button>
        </div>
        <p className="dim small">Nothing is sent anywhere: diagnostics and backups are files in your Keel folder, for you to keep or attach to a bug report.</p>
        {outcome && (
          <p role="status" aria-label="Support result" className={`small ${outcome.ok ? '' : 'down'}`}>
            {outcome.text}
          </p>
        )}
      </section>
      <div className="system-right">
      <AccountsPanel />
      <section className="panel pad logs-panel" aria-label="Logs">
        <div className="row">
          <h2>Recent logs</h2>
          <input type="search" aria-label="Search logs" placeholder="Search logs" value={search} onChange={(e) => setSearch(e.target.value)} />
          <span className="dim small" aria-label="Log lines shown">
            {shown.length < matching.length ? `newest ${shown.length} of ${matching.length}` : `${matching.length} lines`}
          </span>
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
          {shown.length === 0 && <li className="dim">{needle ? `No log entries at this level match "${search.trim()}".` : 'No log entries at this level.'}</li>}
        </ol>
      </section>
      </div>
    </div>
  );
}
