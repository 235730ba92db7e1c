import { useEffect, useMemo, useState } from 'react';
import type { DownloadProgressDto } from '../../../engine/protocol';
import { fmtTime } from '../lib/format';
import { useExchanges } from '../store/exchanges';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText, loadExchanges, refreshDatasets } from '../store/wire';

const DAY = 86_400_000;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const dateInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);
/** A datetime-local value, read as UTC (the whole workstation shows UTC). */
const fromInput = (v: string): number | undefined => (v ? Date.parse(`${v}Z`) : undefined);

export function etaText(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 60_000) return `ETA ${Math.ceil(ms / 1000)} s`;
  return `ETA ${Math.ceil(ms / 60_000)} min`;
}

function Progress({ d }: { d: DownloadProgressDto }) {
  const pct = d.expected > 0 ? (100 * d.done) / d.expected : d.status === 'done' ? 100 : 0;
  return (
    <div className="download-progress" aria-live="polite">
      <div className="progress-row">
        <div className="progress" role="progressbar" aria-label={`Download progress ${d.symbol} ${d.timeframe}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <div className={`progress-fill ${d.status === 'running' ? '' : d.status}`} style={{ width: `${pct}%` }} />
        </div>
        {d.status === 'running' && (
          <button type="button" onClick={() => void client().call('download.cancel', { downloadId: d.downloadId })}>
            Cancel
          </button>
        )}
      </div>
      <p className="small num" aria-label="Download status">
        {d.symbol} {d.timeframe}: {int(d.done)} of {int(d.expected)} bars ({pct.toFixed(1)}%)
        {d.status === 'running' ? `, ${int(d.ratePerSec)} bars/s ${etaText(d.etaMs)}` : ` — ${d.status}`}
      </p>
      {d.message && (
        <p className={d.status === 'failed' ? 'down small' : 'dim small'} role={d.status === 'failed' ? 'alert' : undefined}>
          {d.message}
        </p>
      )}
      {d.report && (
        <section className="report report-ok" aria-label={`Download report ${d.symbol}`}>
          <dl className="report-stats">
            <dt>Stored</dt>
            <dd className="num">{int(d.report.stored)}</dd>
            <dt>Already held</dt>
            <dd className="num">{int(d.report.alreadyHeld)}</dd>
            <dt>Gaps</dt>
            <dd className={`num ${d.report.gaps.length ? 'warn' : ''}`}>{d.report.gaps.length}</dd>
          </dl>
          {d.report.gaps.slice(0, 5).map((g) => (
            <p key={g.from} className="small dim">
              gap at the exchange: {fmtTime(g.from)} … {fmtTime(g.to)} ({int(g.missing)} bars, none invented)
            </p>
          ))}
          {d.report.notes.map((n, i) => (
            <p key={i} className="small dim">
              {n}
            </p>
          ))}
        </section>
      )}
    </div>
  );
}

/**
 * History from an exchange, as `keel download` fetches it: exchange, symbol, timeframe, range,
 * and under "Advanced" the exchange's API URL (kept in the engine's settings: a testnet, a
 * proxy, the simulator). Progress shows bars done of expected, rate and ETA, with Cancel.
 */
export function DownloadPanel() {
  const exchanges = useExchanges((s) => s.exchanges);
  const downloads = useExchanges((s) => s.downloads);
  const watching = useExchanges((s) => s.watching);
  const notify = useUi((s) => s.notify);
  const select = useMarket((s) => s.select);
  const [exchange, setExchange] = useState('binance');
  const [symbol, setSymbol] = useState('BTC/USDT');
  const [timeframe, setTimeframe] = useState('1m');
  const [from, setFrom] = useState(() => dateInput(Math.floor((Date.now() - 2 * DAY) / 60_000) * 60_000));
  const [to, setTo] = useState('');
  const [trades, setTrades] = useState(false);
  const info = exchanges.find((e) => e.id === exchange);
  const [apiUrl, setApiUrl] = useState(info?.apiUrl ?? '');
  useEffect(() => setApiUrl(info?.apiUrl ?? ''), [info?.apiUrl, exchange]);
  const timeframes = useMemo(() => info?.timeframes ?? ['1m', '5m', '15m', '1h', '4h', '1d'], [info]);
  const current = watching ? downloads[watching] : undefined;
  useEffect(() => {
    loadExchanges().catch((e) => notify('error', `Exchanges: ${errorText(e)}`));
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    // When the followed download ends, the new dataset is in the store: the lists follow.
    if (current && current.status !== 'running') void refreshDatasets();
  }, [current?.status]); // eslint-disable-line react-hooks/exhaustive-deps

  const saveApiUrl = async () => {
    try {
      const r = await client().call('exchanges.setApiUrl', { exchange, apiUrl: apiUrl.trim() });
      useExchanges.getState().setApiUrl(exchange, r.apiUrl);
      notify('ok', r.apiUrl ? `${exchange} API URL: ${r.apiUrl}` : `${exchange}: the exchange's own API URL`);
    } catch (e) {
      notify('error', `API URL: ${errorText(e)}`);
    }
  };

  const start = async () => {
    const f = fromInput(from);
    if (f === undefined) return notify('error', 'Give the start of the range');
    try {
      const r = await client().call('download.start', { exchange, symbol: symbol.trim(), timeframe, from: f, ...(fromInput(to) !== undefined ? { to: fromInput(to)! } : {}), ...(trades ? { trades: true } : {}) });
      useExchanges.getState().watch(r.downloadId);
    } catch (e) {
      notify('error', `Download: ${errorText(e)}`);
    }
  };

  return (
    <section className="panel pad download-panel" aria-label="Download from an exchange">
      <h2>Download from an exchange</h2>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label>
          Exchange
          <select aria-label="Exchange" value={exchange} onChange={(e) => setExchange(e.target.value)}>
            {(exchanges.length ? exchanges.map((x) => x.id) : ['binance', 'kraken', 'coinbase']).map((id) => (
              <option key={id} value={id}>
                {exchanges.find((x) => x.id === id)?.name ?? id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol
          <input aria-label="Exchange symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} placeholder="BTC/USDT" />
        </label>
        <label>
          Timeframe
          <select aria-label="Download timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value)}>
            {timeframes.map((tf) => (
              <option key={tf}>{tf}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={trades} onChange={(e) => setTrades(e.target.checked)} />
          Trades (build bars from them)
        </label>
        <label>
          From (UTC)
          <input aria-label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (UTC, empty: now)
          <input aria-label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <details className="span2 advanced">
          <summary>Advanced: API URL</summary>
          <div className="row">
            <input aria-label="API URL" value={apiUrl} placeholder={`${exchange}'s own (e.g. http://127.0.0.1:9000 for the simulator)`} onChange={(e) => setApiUrl(e.target.value)} />
            <button type="button" onClick={() => void saveApiUrl()}>
              Save
            </button>
          </div>
          <p className="small dim">Replaces scheme, host and port of the exchange's REST and websocket endpoints; its paths are kept. Used by downloads and live streams.</p>
        </details>
        {info && info.notes.length > 0 && <p className="span2 small dim">{info.notes.join(' ')}</p>}
        <button type="submit" className="primary span2" disabled={current?.status === 'running'}>
          Download
        </button>
      </form>
      {current && <Progress d={current} />}
      {current?.status === 'done' && (
        <button
          type="button"
          onClick={() => {
            select(current.symbol, current.timeframe);
            useUi.getState().setScreen('markets');
          }}
        >
          Open {current.symbol} on the chart
        </button>
      )}
    </section>
  );
}
