import { useEffect, useState } from 'react';
import type { WatchQuote } from '../../../engine/protocol';
import { fmtPct, fmtPrice } from '../lib/format';
import { symbolsOf, useMarket } from '../store/market';
import { usePrices } from '../store/prices';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { setWatchlist, useWorkspace } from '../store/workspace';

/** Quotes are asked for again this often (a live or replayed symbol's last price moves with its bars meanwhile). */
const REQUOTE_MS = 60_000;

/** A small line of `values`, green when it ends above where it began. */
export function Sparkline({ values, width = 84, height = 20 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <svg width={width} height={height} aria-hidden="true" />;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * width).toFixed(1)},${(height - 1 - ((v - lo) / span) * (height - 2)).toFixed(1)}`).join(' ');
  const up = values[values.length - 1]! >= values[0]!;
  return (
    <svg width={width} height={height} className="sparkline" aria-hidden="true">
      <polyline points={pts} fill="none" stroke={up ? 'var(--up)' : 'var(--down)'} strokeWidth="1.2" />
    </svg>
  );
}

/** Datasets and live symbols with their last price, change over 24 hours and a sparkline; a click opens the symbol on the active chart. */
export function Watchlist() {
  const list = useWorkspace((s) => s.watchlist);
  const datasets = useMarket((s) => s.datasets);
  const active = useMarket((s) => s.symbol);
  const select = useMarket((s) => s.select);
  const last = usePrices((s) => s.last);
  const notify = useUi((s) => s.notify);
  const [quotes, setQuotes] = useState<Record<string, WatchQuote>>({});
  const [adding, setAdding] = useState('');
  const key = list.join('|');

  useEffect(() => {
    if (list.length === 0) return;
    let gone = false;
    const load = () =>
      client()
        .call('watchlist.quotes', { symbols: list })
        .then((qs) => {
          if (gone) return;
          setQuotes(Object.fromEntries(qs.map((q) => [q.symbol, q])));
          for (const q of qs) if (!q.missing) usePrices.getState().note(q.symbol, q.last, q.ts);
        })
        .catch((e) => !gone && notify('error', `Watchlist: ${errorText(e)}`));
    void load();
    const timer = setInterval(load, REQUOTE_MS);
    return () => {
      gone = true;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, datasets]);

  const candidates = symbolsOf(datasets).filter((s) => !list.includes(s));
  const add = (symbol: string) => void setWatchlist([...list, symbol]).catch((e) => notify('error', `Watchlist: ${errorText(e)}`));
  return (
    <section className="watchlist" aria-label="Watchlist">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (adding) add(adding);
          setAdding('');
        }}
      >
        <select aria-label="Symbol to watch" value={adding} onChange={(e) => setAdding(e.target.value)}>
          <option value="">Add a symbol…</option>
          {candidates.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <button type="submit" disabled={!adding}>
          Add
        </button>
        {list.length === 0 && candidates.length > 1 && (
          <button type="button" onClick={() => void setWatchlist(candidates)}>
            Add all
          </button>
        )}
      </form>
      {list.length === 0 ? (
        <p className="dim">Nothing watched yet: add the symbols you follow.</p>
      ) : (
        <table className="watch-table">
          <thead>
            <tr>
              <th>Symbol</th>
              <th className="num">Last</th>
              <th className="num">24 h</th>
              <th aria-label="Sparkline" />
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {list.map((symbol) => {
              const q = quotes[symbol];
              const price = last[symbol]?.price ?? (q && !q.missing ? q.last : undefined);
              const base = q && !q.missing ? q.base : undefined;
              const pct = price !== undefined && base ? ((price - base) / base) * 100 : undefined;
              return (
                <tr key={symbol} aria-current={symbol === active ? 'true' : undefined}>
                  <td>
                    <button className="link" onClick={() => select(symbol)} aria-label={`Open ${symbol}`}>
                      {symbol}
                    </button>
                  </td>
                  <td className="num" aria-label={`Last price of ${symbol}`}>
                    {q?.missing ? <span className="dim">no data</span> : fmtPrice(price)}
                  </td>
                  <td className={`num ${pct === undefined ? '' : pct >= 0 ? 'up' : 'down'}`}>{pct === undefined ? '—' : `${pct >= 0 ? '+' : ''}${fmtPct(pct)}`}</td>
                  <td>{q && !q.missing && <Sparkline values={price !== undefined ? [...q.spark.slice(0, -1), price] : q.spark} />}</td>
                  <td>
                    <button className="cell-btn" aria-label={`Stop watching ${symbol}`} onClick={() => void setWatchlist(list.filter((s) => s !== symbol))}>
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
