import { useEffect, useRef, useState } from 'react';
import type { BarsPayload } from '../../../engine/protocol';
import { fmtCompact, fmtPrice, fmtTime } from '../lib/format';
import { palette } from '../theme';
import { useBacktest } from '../store/backtest';
import { useConnection } from '../store/connection';
import { loadDrawings } from '../store/drawings';
import { indicatorLabel, useMarket, type ActiveIndicator } from '../store/market';
import { usePrices } from '../store/prices';
import { replayDrives, useReplay } from '../store/replay';
import { useTrading } from '../store/trading';
import { client, errorText } from '../store/wire';
import { StreamBadge } from '../components/StreamBadge';
import { ChartController, type LegendValues } from './ChartController';
import { ChartDrawings } from './ChartDrawings';
import { ChartTrading } from './ChartTrading';
import { HISTORY_PAGE, HistoryPages } from './history';
import { planSeries } from './indicatorSeries';
import { chartsBySlot, crosshairLink } from './link';
import { fillMarkers, sortMarkers, tradeMarkers } from './markers';

/** Fired on window once bars are drawn: heavier parts of the page wait for it. */
export const CHART_PAINTED = 'keel:chart-painted';

/** The active chart of the page, reachable by the bench and debug hooks. */
export let activeChart: ChartController | undefined;

const NO_INDICATORS: ActiveIndicator[] = [];

/** How each indicator row of the legend reads: its short label and a colour per drawn output. */
interface LegendRow {
  key: string;
  label: string;
  colors: (string | undefined)[];
}

/**
 * OHLCV under the crosshair, else of the latest bar, and every indicator's values there. Its
 * own component, fed by the controller: live bars re-render these few spans, not the chart
 * or the screen.
 */
function ChartLegend({ ctrl, rows }: { ctrl: ChartController | undefined; rows: LegendRow[] }) {
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
      {rows.length > 0 && (
        <span className="legend-indicators" role="list" aria-label="Indicator values">
          {rows.map((r) => {
            const values = shown.indicators[r.key] ?? [];
            return (
              <span key={r.key} role="listitem" aria-label={r.label}>
                {r.label}{' '}
                {values.map((v, k) =>
                  r.colors[k] === undefined && v === undefined ? null : (
                    <b key={k} style={{ color: r.colors[k] }}>
                      {v === undefined ? '—' : fmtPrice(v)}
                    </b>
                  ),
                )}
              </span>
            );
          })}
        </span>
      )}
    </>
  );
}

/**
 * Candles, volume, indicators, markers, drawings and trading lines for one chart of the
 * layout (`slot`). Bars are loaded once per selection (and once when a replay of it starts, up
 * to its cursor), the newest HISTORY_PAGE first and older pages as the view scrolls back;
 * live and replayed bars arrive over the 'bar' topic and go straight to the chart with
 * series.update, never through React state.
 */
export function PriceChart({ slot = 0 }: { slot?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const [ctrl, setCtrl] = useState<ChartController | undefined>();
  const symbol = useMarket((s) => s.charts[slot]?.symbol);
  const timeframe = useMarket((s) => s.charts[slot]?.timeframe);
  const indicators = useMarket((s) => s.charts[slot]?.indicators ?? NO_INDICATORS);
  const isActive = useMarket((s) => s.active === slot);
  const focus = useMarket((s) => (s.active === slot ? s.focus : undefined));
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
  /** Older history for a time before the bars in hand (a backtest trade clicked), one page per call. */
  const older = useRef<(() => Promise<boolean>) | undefined>(undefined);
  const pendingFocus = useRef<number | undefined>(undefined);

  useEffect(() => {
    const c = new ChartController(host.current!);
    setCtrl(c);
    chartsBySlot.set(slot, c);
    c.onAwayFromLatest(setAway);
    return () => {
      c.dispose();
      if (chartsBySlot.get(slot) === c) chartsBySlot.delete(slot);
      if (activeChart === c) activeChart = undefined;
    };
  }, [slot]);

  useEffect(() => {
    if (ctrl && isActive) activeChart = ctrl;
  }, [ctrl, isActive]);

  // Linked crosshairs: this chart's moves go out, the others' come in while the layout links them.
  useEffect(() => {
    if (!ctrl) return;
    const out = ctrl.onCrosshairTime((ts) => useMarket.getState().linkCrosshair && crosshairLink.emit({ from: slot, ts }));
    const inn = crosshairLink.on(({ from, ts }) => from !== slot && useMarket.getState().linkCrosshair && ctrl.showCrosshair(ts));
    return () => {
      out();
      inn();
    };
  }, [ctrl, slot]);

  useEffect(() => {
    if (symbol) void loadDrawings(symbol);
  }, [symbol]);

  // A loaded history's last price is the market's for the ticket, the watchlist and the trading lines (until live bars come).
  useEffect(() => {
    if (!ctrl || !symbol) return;
    return ctrl.onLastPrice((price) => usePrices.getState().note(symbol, price, ctrl.lastBarTime() ?? 0));
  }, [ctrl, symbol]);

  /** Shows the time asked for (pendingFocus), fetching older pages until it is in hand. */
  const reveal = useRef(async () => {});
  reveal.current = async () => {
    const ts = pendingFocus.current;
    if (!ctrl || ts === undefined || !bars) return;
    for (let pagesLeft = 50; pagesLeft > 0; pagesLeft--) {
      if (ctrl.revealTime(ts)) {
        pendingFocus.current = undefined;
        return;
      }
      if (!(await older.current?.())) break;
    }
    pendingFocus.current = undefined;
  };

  useEffect(() => {
    if (!focus) return;
    pendingFocus.current = focus.ts;
    void reveal.current();
  }, [focus]);

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
    const fetchOlder = async (): Promise<boolean> => {
      const to = pages.next();
      if (to === undefined) return false;
      try {
        const page = await client().call('data.bars', { symbol, timeframe, to, limit: HISTORY_PAGE });
        if (stale) return false;
        pages.older(page);
        ctrl.prependBars(page);
        return page.ts.length > 0;
      } catch (e) {
        pages.failed();
        if (!stale) setError(errorText(e));
        return false;
      }
    };
    older.current = fetchOlder;
    // The newest page first; older ones as the view scrolls back to the first loaded bar.
    ctrl.onNearStart(() => void fetchOlder());
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
      older.current = undefined;
      ctrl.onNearStart(undefined);
      ctrl.onHistoryChange(undefined);
    };
  }, [ctrl, symbol, timeframe, reconnects, replayKey]);

  // A time asked for before the bars came (a trade of another dataset clicked): shown once they are in.
  useEffect(() => {
    if (bars && pendingFocus.current !== undefined) void reveal.current();
  }, [bars]);

  // Indicators: compute what is new or changed, restyle what was only restyled, drop what was removed; recompute all when the bars change.
  const plotted = useRef(new Map<string, { bars: BarsPayload; computed: string; styled: string }>());
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
      const computed = JSON.stringify([ind.id, ind.params, ind.source ?? 'close']);
      const styled = JSON.stringify([ind.colors, ind.lineStyle, ind.lineWidth]);
      const was = plotted.current.get(ind.key);
      if (was?.bars === bars && was.computed === computed) {
        if (was.styled !== styled) {
          ctrl.restyleIndicator(ind.key, ind);
          was.styled = styled;
        }
        continue;
      }
      // How to draw it comes from the catalogue only; without it (not loaded yet) this runs again when it comes.
      const entry = catalogue.find((e) => e.id === ind.id);
      if (!entry) continue;
      const mine = { bars, computed, styled };
      plotted.current.set(ind.key, mine);
      const series = planSeries(entry, indicatorLabel(entry, ind).short);
      client()
        .call('indicators.compute', { symbol, timeframe, id: ind.id, params: ind.params, ...(ind.source && { source: ind.source }), from, to })
        .then((r) => {
          if (plotted.current.get(ind.key) !== mine) return;
          ctrl.setIndicator({ key: ind.key, series, ts: r.ts, outputs: r.outputs, colors: ind.colors, lineStyle: ind.lineStyle, lineWidth: ind.lineWidth, guides: entry.guides });
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
      const list = useMarket.getState().charts[slot]?.indicators ?? [];
      await Promise.all(
        list.map(async (ind) => {
          const end = ctrl.indicatorEnd(ind.key);
          if (end === undefined) return;
          // Only the points after the last one drawn are new (the engine warms up before `from`).
          const r = await client().call('indicators.compute', { symbol, timeframe, id: ind.id, params: ind.params, ...(ind.source && { source: ind.source }), from: end, to });
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
      if ((useMarket.getState().charts[slot]?.indicators.length ?? 0) === 0) return;
      if (busy) owed = ts;
      else void refresh(ts);
    });
    return () => {
      gone = true;
      ctrl.onClosedBar(undefined);
    };
  }, [ctrl, symbol, timeframe, slot]);

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

  const legendRows: LegendRow[] = indicators.map((ind) => {
    const entry = catalogue.find((e) => e.id === ind.id);
    const outputs = entry?.outputs ?? [];
    return {
      key: ind.key,
      label: indicatorLabel(entry, ind).short,
      // Per output in the catalogue's order, as the controller draws them; markers and histograms have no one colour.
      colors: outputs.map((o, k) => (o.style === 'marker' || o.style === 'histogram' ? undefined : (ind.colors?.[k] ?? palette.series[k % palette.series.length]))),
    };
  });

  return (
    <div className="chart-wrap">
      <div className="legend" aria-label="Price legend" role="group">
        <strong>{symbol ?? '—'}</strong>
        <span className="dim">{timeframe}</span>
        <StreamBadge symbol={symbol} timeframe={timeframe} />
        {bars?.resampledFrom && <span className="dim">(from {bars.resampledFrom})</span>}
        <ChartLegend ctrl={ctrl} rows={legendRows} />
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
      {ctrl && symbol && timeframe && bars && (
        <>
          <ChartDrawings ctrl={ctrl} host={host} symbol={symbol} active={isActive} />
          <ChartTrading ctrl={ctrl} host={host} symbol={symbol} />
        </>
      )}
    </div>
  );
}
