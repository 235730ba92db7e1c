import { useState } from 'react';
import type { BookDto, StreamStatusDto } from '../../../engine/protocol';
import { fmtPrice, fmtQty, fmtTime, priceDecimals } from '../lib/format';
import { streamTrouble, useExchanges } from '../store/exchanges';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText, loadExchanges, refreshDatasets } from '../store/wire';

const LADDER_LEVELS = 8;

/** The depth ladder (DOM): asks above, bids below, best prices at the middle, size bars to scale. */
export function DepthLadder({ book }: { book: BookDto }) {
  const asks = book.asks.slice(0, LADDER_LEVELS);
  const bids = book.bids.slice(0, LADDER_LEVELS);
  const max = Math.max(1e-12, ...asks.map((l) => l[1]), ...bids.map((l) => l[1]));
  const spread = asks[0] && bids[0] ? asks[0][0] - bids[0][0] : undefined;
  const row = (side: 'ask' | 'bid', [p, q]: [number, number]) => (
    <tr key={`${side}${p}`} className={side}>
      <td>{side === 'bid' ? fmtQty(q) : ''}</td>
      <td className="px">{fmtPrice(p)}</td>
      <td>{side === 'ask' ? fmtQty(q) : ''}</td>
      <td style={{ width: '35%' }}>
        <span className="depth-bar" style={{ width: `${(100 * q) / max}%` }} />
      </td>
    </tr>
  );
  return (
    <table className="ladder" aria-label={`Depth ladder ${book.symbol}`}>
      <tbody>
        {[...asks].reverse().map((l) => row('ask', l))}
        <tr className="mid">
          <td colSpan={4}>spread {spread === undefined ? '—' : fmtPrice(spread, priceDecimals(asks[0]![0]))}</td>
        </tr>
        {bids.map((l) => row('bid', l))}
      </tbody>
    </table>
  );
}

function StatusLine({ s }: { s: StreamStatusDto }) {
  return (
    <p className="small num" aria-label={`Stream status ${s.id}`}>
      <b className={streamTrouble(s) ? 'warn' : 'up'}>{s.state}</b> {s.transport}
      {s.lastPrice !== undefined ? ` · last ${fmtPrice(s.lastPrice)}` : ''}
      {s.bid !== undefined && s.ask !== undefined ? ` · ${fmtPrice(s.bid)} / ${fmtPrice(s.ask)}` : ''}
      {s.change24hPct !== undefined ? ` · 24h ${s.change24hPct >= 0 ? '+' : ''}${s.change24hPct.toFixed(2)}%` : ''}
      {s.lastTradeAt !== undefined ? ` · ${fmtTime(s.lastTradeAt)}` : ''}
      {s.reconnects ? ` · ${s.reconnects} reconnects` : ''}
      {s.candleMismatches ? ` · ${s.candleMismatches} candles differ from the exchange's` : ''}
      {s.message ? ` · ${s.message}` : ''}
    </p>
  );
}

/**
 * Start and stop a live stream of an exchange's symbol (trades into candles on the chart,
 * closed candles into the store and to strategies), with its state and the depth ladder.
 */
export function LivePanel() {
  const exchanges = useExchanges((s) => s.exchanges);
  const streams = useExchanges((s) => s.streams);
  const books = useExchanges((s) => s.books);
  const chartSymbol = useMarket((s) => s.symbol);
  const chartTf = useMarket((s) => s.timeframe);
  const notify = useUi((s) => s.notify);
  const [exchange, setExchange] = useState('binance');
  const [symbol, setSymbol] = useState('BTC/USDT');
  const [timeframe, setTimeframe] = useState('1m');
  const [busy, setBusy] = useState(false);
  const shown = Object.values(streams).find((s) => s.symbol === chartSymbol && s.timeframe === chartTf) ?? Object.values(streams)[0];
  const book = shown ? books[shown.symbol] : undefined;

  const start = async () => {
    setBusy(true);
    try {
      const s = await client().call('stream.start', { exchange, symbol: symbol.trim(), timeframe }, { timeoutMs: 120_000 });
      useExchanges.getState().onStreams([s]);
      await refreshDatasets();
      useMarket.getState().select(s.symbol, s.timeframe);
    } catch (e) {
      notify('error', `Live stream: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="live-panel" aria-label="Live stream">
      <h2>Live stream</h2>
      <div className="form-grid">
        <label>
          Exchange
          <select aria-label="Stream exchange" value={exchange} onFocus={() => void loadExchanges().catch(() => undefined)} onChange={(e) => setExchange(e.target.value)}>
            {(exchanges.length ? exchanges : [{ id: 'binance', name: 'Binance' }]).map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol
          <input aria-label="Stream symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        </label>
        <label>
          Timeframe
          <select aria-label="Stream timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value)}>
            {['1m', '5m', '15m', '1h'].map((tf) => (
              <option key={tf}>{tf}</option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" disabled={busy} onClick={() => void start()}>
          {busy ? 'Starting…' : 'Start'}
        </button>
      </div>
      {Object.values(streams).map((s) => (
        <div key={s.id} className="row">
          <span>
            {s.symbol} {s.timeframe}
          </span>
          <button type="button" aria-label={`Stop ${s.id}`} onClick={() => void client().call('stream.stop', { id: s.id }).catch((e) => notify('error', errorText(e)))}>
            Stop
          </button>
        </div>
      ))}
      {shown && <StatusLine s={shown} />}
      {book && <DepthLadder book={book} />}
    </section>
  );
}
