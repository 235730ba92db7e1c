import { useEffect, useRef, useState } from 'react';
import type { BarsPayload } from '../../../engine/protocol';
import { fmtCompact, fmtPrice, fmtTime } from '../lib/format';
import { useBacktest } from '../store/backtest';
import { useConnection } from '../store/connection';
import { useMarket } from '../store/market';
import { replayDrives, useReplay } from '../store/replay';
import { useTrading } from '../store/trading';
import { client, errorText } from '../store/wire';
import { StreamBadge } from '../components/StreamBadge';
import { ChartController, type LegendValues } from './ChartController';
import { HISTORY_PAGE, HistoryPages } from './history';
import { planSeries } from './indicatorSeries';
import { fillMarkers, sortMarkers, tradeMarkers } from './markers';

/** Fired on window once bars are drawn: heavier parts of the page wait for it. */
export const CHART_PAINTED = 'keel:chart-painted';

/** The chart of the page, reachable by the bench and debug hooks. */
export let activeChart: ChartController | undefined;

/**
 * OHLCV under the crosshair, else of the latest bar. Its own component, fed by the
 * controller: live bars re-render these few spans, not the chart or the screen.
 */
function ChartLegend({ ctrl }: { ctrl: ChartController | undefined }) {
  const [shown, setShown] = useState<LegendValues | undefined>(() => ctrl?.legendNow());
  useEffect(() => {
    if (!ctrl) return;
    setShown(ctrl.legendNow());
    ctrl.onLegend(setShown);
    return () => ctrl.onLegend(() => undefined);
  }, [ctrl]);
  if (!shown) return null;
  const up = shown.close >= shown.open;
  return (
    <>
      <span className="dim" aria-label="Bar time">
        {fmtTime(shown.time)}
      </span>
      <span>
        O <b className={up ? 'up' : 'down'}>{fmtPrice(shown.open)}</b>
      </span>
      <span>
        H <b className={up ? 'up' : 'down'}>{fmtPrice(shown.high)}</b>
      </span>
      <span>
        L <b className={up ? 'up' : 'down'}>{fmtPrice(shown.low)}</b>
      </span>
      <span>
        C <b className={up ? 'up' : 'down'}>{fmtPrice(shown.close)}</b>
      </span>
      <span>
        V <b>{fmtCompact(shown.volume)}</b>
      </span>
    </>
  );
}

/**
 * Candles, volume, indicators and markers for the selected symbol and timeframe. Bars are
 * loaded once per selection (and once when a replay of it starts, up to its cursor), the
 * newest HISTORY_PAGE first and older pages as the view scrolls back; live
 * and replayed bars arrive over the 'bar' topic and go straight to the chart with
 * series.update, never through React state.
 */
export function PriceChart() {
  const host = useRef<HTMLDivElement>(null);
  const [ctrl, setCtrl] = useState<ChartController | undefined>();
  const symbol = useMarket((s) => s.symbol);
  const timeframe = useMarket((s) => s.timeframe);
  const indicators = useMarket((s) => s.indicators);
  const catalogue = useMarket((s) => s.catalogue);
  const fills = useTrading((s) => s.fills);
  const reconnects = useConnection((s) => s.reconnects);
  const result = useBacktest((s) => s.result);
  const tradesOnChart = useBacktest((s) => s.tradesOnChart);
  const setTradesOnChart = useBacktest((s) => s.setTradesOnChart);
  // Changes when a replay of this chart starts or ends, not with every cursor move.
  const replayKey = useReplay((s) => (replayDrives(s.state, symbol, timeframe) ? s.session : 0));
  const [bars, setBars] = useState<BarsPayload | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [away, setAway] = useState(false);

  useEffect(() => {
    const c = new ChartController(host.current!);
    setCtrl(c);
    activeChart = c;
    c.onAwayFromLatest(setAway);
    return () => {
      c.dispose();
      if (activeChart === c) activeChart = undefined;
    };
  }, []);

  useEffect(() => {
    if (!ctrl || !symbol || !timeframe) return;
    let stale = false;
    setLoading(true);
    setError(undefined);
    const replay = useReplay.getState().state;
    const cursor = replayKey && replay?.cursorTs !== undefined ? replay.cursorTs : undefined;
    if (cursor !== undefined) ctrl.hold();
    // Marks let the UI bench split first paint into wait, transfer and drawing.
    performance.mark('keel:bars-requested');
    // Subscribed before asking, so bars replayed while history loads are kept, not lost.
    const off = client().on('bar', (b) => {
      if (b.symbol === symbol && b.timeframe === timeframe) ctrl.updateBar(b);
    });
    const pages = new HistoryPages();
    // The newest page first; older ones as the view scrolls back to the first loaded bar.
    ctrl.onNearStart(() => {
      const to = pages.next();
      if (to === undefined) return;
      client()
        .call('data.bars', { symbol, timeframe, to, limit: HISTORY_PAGE })
        .then((older) => {
          if (stale) return;
          pages.older(older);
          ctrl.prependBars(older);
        })
        .catch((e) => {
          pages.failed();
          if (!stale) setError(errorText(e));
        });
    });
    // The bars shown changed (a page from the store came in, or the chart's window moved): indicators follow them.
    ctrl.onHistoryChange(() => !stale && setBars(ctrl.historyPayload()));
    client()
      .call('data.bars', cursor !== undefined ? { symbol, timeframe, to: cursor - 1, limit: HISTORY_PAGE } : { symbol, timeframe, limit: HISTORY_PAGE })
      .then((p) => {
        if (stale) return;
        performance.mark('keel:bars-received');
        pages.loaded(p);
        ctrl.setBars(p);
        performance.mark('keel:bars-set');
        setBars(ctrl.historyPayload());
        requestAnimationFrame(() => {
          performance.mark('keel:chart-painted');
          window.dispatchEvent(new Event(CHART_PAINTED));
        });
      })
      .catch((e) => !stale && setError(errorText(e)))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
      off();
      ctrl.onNearStart(undefined);
      ctrl.onHistoryChange(undefined);
    };
  }, [ctrl, symbol, timeframe, reconnects, replayKey]);

  // Indicators: compute what is new, drop what was removed; recompute all when the bars change.
  const plotted = useRef(new Map<string, BarsPayload>());
  useEffect(() => {
    if (!ctrl || !bars || !symbol || !timeframe) return;
    const wanted = new Set(indicators.map((i) => i.key));
    for (const key of ctrl.indicatorKeys()) {
      if (!wanted.has(key)) {
        ctrl.removeIndicator(key);
        plotted.current.delete(key);
      }
    }
    // [from, to) of the bars shown; the engine warms up on the bars before `from`.
    const from = bars.ts[0];
    const to = bars.ts[bars.ts.length - 1]! + 1;
    for (const ind of indicators) {
      if (plotted.current.get(ind.key) === bars) continue;
      // How to draw it comes from the catalogue only; without it (not loaded yet) this runs again when it comes.
      const entry = catalogue.find((e) => e.id === ind.id);
      if (!entry) continue;
      plotted.current.set(ind.key, bars);
      const series = planSeries(entry, ind.id.toUpperCase());
      client()
        .call('indicators.compute', { symbol, timeframe, id: ind.id, params: ind.params, from, to })
        .then((r) => {
          if (plotted.current.get(ind.key) !== bars) return;
          ctrl.setIndicator({ key: ind.key, series, ts: r.ts, outputs: r.outputs });
        })
        .catch((e) => setError(`${ind.id}: ${errorText(e)}`));
    }
  }, [ctrl, indicators, bars, catalogue, symbol, timeframe]);

  // Live bars that close extend the indicators: one request in flight per chart, covering
  // every bar closed meanwhile; only the new points are drawn.
  useEffect(() => {
    if (!ctrl || !symbol || !timeframe) return;
    let busy = false;
    let owed: number | undefined;
    let gone = false;
    const refresh = async (closedTs: number): Promise<void> => {
      busy = true;
      const to = closedTs + 1; // [from, to): up to and with the bar that closed
      const list = useMarket.getState().indicators;
      await Promise.all(
        list.map(async (ind) => {
          const end = ctrl.indicatorEnd(ind.key);
          if (end === undefined) return;
          // Only the points after the last one drawn are new (the engine warms up before `from`).
          const r = await client().call('indicators.compute', { symbol, timeframe, id: ind.id, params: ind.params, from: end, to });
          if (!gone) ctrl.extendIndicator({ key: ind.key, ts: r.ts, outputs: r.outputs });
        }),
      ).catch(() => undefined); // the next closed bar tries again
      busy = false;
      if (owed !== undefined && !gone) {
        const next = owed;
        owed = undefined;
        void refresh(next);
      }
    };
    ctrl.onClosedBar((ts) => {
      if (useMarket.getState().indicators.length === 0) return;
      if (busy) owed = ts;
      else void refresh(ts);
    });
    return () => {
      gone = true;
      ctrl.onClosedBar(undefined);
    };
  }, [ctrl, symbol, timeframe]);

  // Fills that arrive stamped after the chart's last bar (replay) are drawn on the bar the
  // chart was showing then.
  const seenOn = useRef(new Map<string, number>());
  const runOnChart = Boolean(result && result.symbol === symbol && result.timeframe === timeframe && result.trades.length > 0);
  useEffect(() => {
    if (!ctrl || !symbol || !timeframe || !bars) return;
    const fromRun = tradesOnChart && runOnChart ? tradeMarkers(result!.trades, timeframe) : [];
    const last = ctrl.lastBarTime();
    if (last !== undefined) for (const f of fills) if (f.symbol === symbol && !seenOn.current.has(f.id) && f.ts > last + 1) seenOn.current.set(f.id, last);
    ctrl.setMarkers(sortMarkers([...fromRun, ...fillMarkers(fills, symbol, timeframe, seenOn.current, last)]));
  }, [ctrl, fills, result, tradesOnChart, runOnChart, symbol, timeframe, bars]);

  return (
    <div className="chart-wrap">
      <div className="legend" aria-label="Price legend" role="group">
        <strong>{symbol ?? '—'}</strong>
        <span className="dim">{timeframe}</span>
        <StreamBadge symbol={symbol} timeframe={timeframe} />
        {bars?.resampledFrom && <span className="dim">(from {bars.resampledFrom})</span>}
        <ChartLegend ctrl={ctrl} />
        {runOnChart && (
          <span className="legend-tag">
            {tradesOnChart ? `${result!.trades.length} trades of ${result!.strategy}` : 'backtest trades hidden'}
            <button onClick={() => setTradesOnChart(!tradesOnChart)}>{tradesOnChart ? 'Hide trades' : 'Show trades'}</button>
          </span>
        )}
        {loading && <span className="dim">loading…</span>}
        {error && (
          <span className="down" role="alert">
            {error}
          </span>
        )}
      </div>
      {away && (
        <button className="chart-latest" onClick={() => ctrl?.scrollToLatest()} aria-label="Go to the latest bar" title="Go to the latest bar (End)">
          Latest ⇥
        </button>
      )}
      <div
        ref={host}
        className="chart-host"
        role="img"
        aria-label={`Price chart ${symbol ?? ''} ${timeframe ?? ''}`.trim()}
        data-bars={bars?.ts.length ?? 0}
        data-first-bar={bars?.ts.length ? new Date(bars.ts[0]!).toISOString() : undefined}
      />
    </div>
  );
}
