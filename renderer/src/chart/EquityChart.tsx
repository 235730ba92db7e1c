import { AreaSeries, ColorType, LineSeries, createChart, type IChartApi, type ISeriesApi } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import type { BacktestResult } from '../../../engine/protocol';
import { palette } from '../theme';
import { toChartTime } from './bars';

/** What the chart draws: a run's equity, drawdown and buy-and-hold curve, named by its run id. */
export type CurveRun = Pick<BacktestResult, 'runId' | 'equity'>;

function equityData(r: CurveRun, key: 'equity' | 'drawdown' | 'benchmark') {
  const out: { time: ReturnType<typeof toChartTime>; value: number }[] = [];
  const column = r.equity[key];
  if (!column) return out;
  let last = -Infinity;
  for (let i = 0; i < r.equity.ts.length; i++) {
    const time = toChartTime(r.equity.ts[i]!);
    if (time <= last) continue; // the chart needs strictly increasing times
    last = time;
    const v = column[i]!;
    out.push({ time, value: key === 'drawdown' ? -Math.abs(v) : v });
  }
  return out;
}

/** Equity (with buy and hold of the same capital, and a compared run's) above, drawdown below, in one chart with two panes, from the run's first bar to its last. */
export function EquityChart({ result, compare, label }: { result: CurveRun; compare?: CurveRun | undefined; label?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  /** The days in view ("2023-01-02 – 2023-02-09"), for a reader of the page that cannot see the canvas. */
  const [shown, setShown] = useState<string | undefined>();
  const series = useRef<{ eq: ISeriesApi<'Line'>; bench: ISeriesApi<'Line'>; cmp: ISeriesApi<'Line'>; dd: ISeriesApi<'Area'> } | undefined>(undefined);

  useEffect(() => {
    const c = createChart(host.current!, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: palette.panel },
        textColor: palette.textDim,
        fontSize: 11,
        attributionLogo: false,
        panes: { separatorColor: palette.border },
      },
      grid: { vertLines: { color: palette.grid }, horzLines: { color: palette.grid } },
      rightPriceScale: { borderColor: palette.border },
      // A run's curve has up to 5,000 points: at the library's default minimum of half a pixel a
      // bar, fitting them cut the run's first weeks off the left edge.
      timeScale: { borderColor: palette.border, timeVisible: true, minBarSpacing: 0.01 },
    });
    const eq = c.addSeries(LineSeries, { color: palette.accent, lineWidth: 2, title: 'equity', priceLineVisible: false });
    const bench = c.addSeries(LineSeries, { color: palette.textDim, lineWidth: 1, title: 'buy & hold', priceLineVisible: false, lineStyle: 1 });
    const cmp = c.addSeries(LineSeries, { color: palette.warn, lineWidth: 1, title: 'compare', priceLineVisible: false, lineStyle: 2 });
    const dd = c.addSeries(AreaSeries, { lineColor: palette.down, topColor: 'rgba(239,83,80,0.05)', bottomColor: 'rgba(239,83,80,0.4)', lineWidth: 1, title: 'drawdown', priceLineVisible: false, invertFilledArea: true }, 1);
    dd.getPane().setStretchFactor(0.35);
    chart.current = c;
    series.current = { eq, bench, cmp, dd };
    // The whole run, first bar to last, at whatever size the panel has.
    const fit = new ResizeObserver(() => c.timeScale().fitContent());
    fit.observe(host.current!);
    const day = (t: unknown) => new Date((t as number) * 1000).toISOString().slice(0, 10);
    c.timeScale().subscribeVisibleTimeRangeChange((r) => setShown(r ? `${day(r.from)} – ${day(r.to)}` : undefined));
    return () => {
      fit.disconnect();
      c.remove();
    };
  }, []);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    s.eq.setData(equityData(result, 'equity'));
    s.bench.setData(equityData(result, 'benchmark'));
    s.dd.setData(equityData(result, 'drawdown'));
    s.cmp.setData(compare ? equityData(compare, 'equity') : []);
    chart.current?.timeScale().fitContent();
  }, [result, compare]);

  return <div ref={host} className="equity-chart" role="img" aria-label={label ?? `Equity and drawdown of run ${result.runId}`} data-shown={shown} />;
}
