import { useEffect, useRef, useState } from 'react';
import type { BarsPayload } from '../../../engine/protocol';
import { fmtCompact, fmtPrice, fmtTime } from '../lib/format';
import { useBacktest } from '../store/backtest';
import { useConnection } from '../store/connection';
import { isPattern, useMarket } from '../store/market';
import { useTrading } from '../store/trading';
import { client, errorText } from '../store/wire';
import { ChartController, type LegendValues } from './ChartController';
import { fillMarkers, sortMarkers, tradeMarkers } from './markers';

/** Fired on window once bars are drawn: heavier parts of the page wait for it. */
export const CHART_PAINTED = 'keel:chart-painted';

/** The chart of the page, reachable by the bench and debug hooks. */
export let activeChart: ChartController | undefined;

/**
 * Candles, volume, indicators and markers for the selected symbol and timeframe. Bars are
 * loaded once per selection; live bars arrive over the 'bar' topic and go straight to the
 * chart with series.update, never through React state.
 */
export function PriceChart() {
  const host = useRef<HTMLDivElement>(null);
  const ctrl = useRef<ChartController | undefined>(undefined);
  const symbol = useMarket((s) => s.symbol);
  const timeframe = useMarket((s) => s.timeframe);
  const indicators = useMarket((s) => s.indicators);
  const catalogue = useMarket((s) => s.catalogue);
  const fills = useTrading((s) => s.fills);
  const reconnects = useConnection((s) => s.reconnects);
  const result = useBacktest((s) => s.result);
  const tradesOnChart = useBacktest((s) => s.tradesOnChart);
  const setTradesOnChart = useBacktest((s) => s.setTradesOnChart);
  const [bars, setBars] = useState<BarsPayload | undefined>();
  const [legend, setLegend] = useState<LegendValues | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const c = new ChartController(host.current!);
    ctrl.current = c;
    activeChart = c;
    c.onLegend(setLegend);
    return () => {
      c.dispose();
      ctrl.current = undefined;
      if (activeChart === c) activeChart = undefined;
    };
  }, []);

  useEffect(() => {
    if (!symbol || !timeframe) return;
    let stale = false;
    setLoading(true);
    setError(undefined);
    // Marks let the UI bench split first paint into wait, transfer and drawing.
    performance.mark('keel:bars-requested');
    client()
      .call('data.bars', { symbol, timeframe })
      .then((p) => {
        if (stale) return;
        performance.mark('keel:bars-received');
        ctrl.current?.setBars(p);
        performance.mark('keel:bars-set');
        setBars(p);
        requestAnimationFrame(() => {
          performance.mark('keel:chart-painted');
          window.dispatchEvent(new Event(CHART_PAINTED));
        });
      })
      .catch((e) => !stale && setError(errorText(e)))
      .finally(() => !stale && setLoading(false));
    const off = client().on('bar', (b) => {
      if (b.symbol === symbol && b.timeframe === timeframe) ctrl.current?.updateBar(b);
    });
    return () => {
      stale = true;
      off();
    };
  }, [symbol, timeframe, reconnects]);

  // Indicators: compute what is new, drop what was removed; recompute all when the bars change.
  const plotted = useRef(new Map<string, BarsPayload>());
  useEffect(() => {
    const c = ctrl.current;
    if (!c || !bars || !symbol || !timeframe) return;
    const wanted = new Set(indicators.map((i) => i.key));
    for (const key of c.indicatorKeys()) {
      if (!wanted.has(key)) {
        c.removeIndicator(key);
        plotted.current.delete(key);
      }
    }
    for (const ind of indicators) {
      if (plotted.current.get(ind.key) === bars) continue;
      plotted.current.set(ind.key, bars);
      const entry = catalogue.find((e) => e.id === ind.id);
      client()
        .call('indicators.compute', { symbol, timeframe, id: ind.id, params: ind.params })
        .then((r) => {
          if (plotted.current.get(ind.key) !== bars) return;
          c.setIndicator({ key: ind.key, kind: isPattern(ind.id) ? 'pattern' : (entry?.kind ?? 'overlay'), label: ind.id.toUpperCase(), ts: r.ts, outputs: r.outputs });
        })
        .catch((e) => setError(`${ind.id}: ${errorText(e)}`));
    }
  }, [indicators, bars, catalogue, symbol, timeframe]);

  const runOnChart = Boolean(result && result.symbol === symbol && result.timeframe === timeframe && result.trades.length > 0);
  useEffect(() => {
    const c = ctrl.current;
    if (!c || !symbol || !timeframe || !bars) return;
    const fromRun = tradesOnChart && runOnChart ? tradeMarkers(result!.trades, timeframe) : [];
    c.setMarkers(sortMarkers([...fromRun, ...fillMarkers(fills, symbol, timeframe)]));
  }, [fills, result, tradesOnChart, symbol, timeframe, bars]);

  const last = bars && bars.ts.length ? bars.ts.length - 1 : -1;
  const shown: LegendValues | undefined =
    legend ?? (bars && last >= 0 ? { time: bars.ts[last]!, open: bars.open[last]!, high: bars.high[last]!, low: bars.low[last]!, close: bars.close[last]!, volume: bars.volume[last] } : undefined);
  const up = shown ? shown.close >= shown.open : true;

  return (
    <div className="chart-wrap">
      <div className="legend" aria-label="Price legend" role="group">
        <strong>{symbol ?? '—'}</strong>
        <span className="dim">{timeframe}</span>
        {bars?.resampledFrom && <span className="dim">(from {bars.resampledFrom})</span>}
        {shown && (
          <>
            <span className="dim">{fmtTime(shown.time)}</span>
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
        )}
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
      <div ref={host} className="chart-host" role="img" aria-label={`Price chart ${symbol ?? ''} ${timeframe ?? ''}`.trim()} data-bars={bars?.ts.length ?? 0} />
    </div>
  );
}
