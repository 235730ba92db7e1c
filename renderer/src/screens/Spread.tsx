import type { ColDef } from 'ag-grid-community';
import { ColorType, LineSeries, LineStyle, createChart, type IChartApi, type ISeriesApi, type IPriceLine } from 'lightweight-charts';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetInfo, OpportunityDto, SpreadResultDto } from '../../../engine/protocol';
import { toChartTime } from '../chart/bars';
import { Grid } from '../components/Grid';
import { fmtMoney, fmtTime } from '../lib/format';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { palette } from '../theme';
import { numCol, textCol, timeCol } from './columns';

const bps = (x: number) => `${(x * 1e4).toFixed(1)} bps`;

function SpreadChart({ r, threshold }: { r: SpreadResultDto; threshold: number }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  const series = useRef<{ gross: ISeriesApi<'Line'>; net: ISeriesApi<'Line'>; line?: IPriceLine } | undefined>(undefined);
  useEffect(() => {
    const c = createChart(host.current!, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: palette.panel }, textColor: palette.textDim, fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: palette.grid }, horzLines: { color: palette.grid } },
      rightPriceScale: { borderColor: palette.border },
      timeScale: { borderColor: palette.border, timeVisible: true },
      localization: { priceFormatter: (v: number) => `${v.toFixed(1)} bps` },
    });
    const gross = c.addSeries(LineSeries, { color: palette.textDim, lineWidth: 1, title: 'gross', priceLineVisible: false });
    const net = c.addSeries(LineSeries, { color: palette.accent, lineWidth: 2, title: 'net', priceLineVisible: false });
    chart.current = c;
    series.current = { gross, net };
    return () => c.remove();
  }, []);
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    const pts = (values: number[]) => {
      const out: { time: ReturnType<typeof toChartTime>; value: number }[] = [];
      let last = -Infinity;
      r.ts.forEach((t, i) => {
        const time = toChartTime(t);
        if (time <= last) return;
        last = time;
        out.push({ time, value: values[i]! * 1e4 });
      });
      return out;
    };
    s.gross.setData(pts(r.gross));
    s.net.setData(pts(r.net));
    if (s.line) s.net.removePriceLine(s.line);
    s.line = s.net.createPriceLine({ price: threshold * 1e4, color: palette.warn, lineStyle: LineStyle.Dashed, lineWidth: 1, title: 'threshold', axisLabelVisible: true });
    chart.current?.timeScale().fitContent();
  }, [r, threshold]);
  return <div ref={host} className="spread-chart" role="img" aria-label={`Spread chart ${r.symbolA} vs ${r.symbolB}`} />;
}

/**
 * The cross-exchange view: the same asset on two venues, aligned on time; the gross spread
 * and the spread net of both legs' fees and slippage, charted; the opportunities above a
 * threshold with start, duration, peak, tradable size and net PnL.
 */
export function Spread() {
  const datasets = useMarket((s) => s.datasets);
  const notify = useUi((s) => s.notify);
  const key = (d: DatasetInfo) => `${d.symbol}|${d.timeframe}`;
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [feeA, setFeeA] = useState('10');
  const [feeB, setFeeB] = useState('26');
  const [slip, setSlip] = useState('2');
  const [threshold, setThreshold] = useState('5');
  const [result, setResult] = useState<SpreadResultDto | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!a && datasets[0]) setA(key(datasets[0]));
    if (!b && datasets[1]) setB(key(datasets[1]));
  }, [datasets]); // eslint-disable-line react-hooks/exhaustive-deps
  const parse = (k: string) => {
    const at = k.lastIndexOf('|');
    return { symbol: k.slice(0, at), timeframe: k.slice(at + 1) };
  };
  const analyse = async () => {
    setBusy(true);
    try {
      const n = (v: string) => Number(v) / 1e4;
      setResult(await client().call('spread.analyze', { a: parse(a), b: parse(b), feeA: n(feeA), feeB: n(feeB), slippage: n(slip), threshold: n(threshold) }, { timeoutMs: 120_000 }));
    } catch (e) {
      notify('error', `Spread: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const cols = useMemo<ColDef<OpportunityDto>[]>(
    () => [
      timeCol<OpportunityDto>('start', 'Start', false),
      { field: 'durationMs', headerName: 'Duration', valueFormatter: (p) => `${Math.round((p.value as number) / 60_000)} min`, type: 'rightAligned', maxWidth: 110 },
      textCol<OpportunityDto>('direction', 'Direction', { valueFormatter: (p) => (p.value === 'buy-a-sell-b' ? 'buy A / sell B' : 'buy B / sell A') }),
      { field: 'peakNet', headerName: 'Peak net', valueFormatter: (p) => bps(p.value as number), type: 'rightAligned' },
      numCol<OpportunityDto>('size', 'Size', 'qty'),
      numCol<OpportunityDto>('pnl', 'Net PnL', 'signed'),
    ],
    [],
  );
  const options = datasets.map((d) => (
    <option key={key(d)} value={key(d)}>
      {d.symbol} {d.timeframe}
    </option>
  ));
  return (
    <div className="spread-screen">
      <section className="panel pad" aria-label="Spread settings">
        <h2>Cross-exchange spread</h2>
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void analyse();
          }}
        >
          <label className="span2">
            Venue A
            <select aria-label="Venue A" value={a} onChange={(e) => setA(e.target.value)}>
              {options}
            </select>
          </label>
          <label className="span2">
            Venue B
            <select aria-label="Venue B" value={b} onChange={(e) => setB(e.target.value)}>
              {options}
            </select>
          </label>
          <label>
            Fee A (bps)
            <input aria-label="Fee A" inputMode="decimal" value={feeA} onChange={(e) => setFeeA(e.target.value)} />
          </label>
          <label>
            Fee B (bps)
            <input aria-label="Fee B" inputMode="decimal" value={feeB} onChange={(e) => setFeeB(e.target.value)} />
          </label>
          <label>
            Slippage a leg (bps)
            <input aria-label="Slippage" inputMode="decimal" value={slip} onChange={(e) => setSlip(e.target.value)} />
          </label>
          <label>
            Threshold net (bps)
            <input aria-label="Threshold" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} />
          </label>
          <button type="submit" className="primary span2" disabled={busy || !a || !b}>
            {busy ? 'Analysing…' : 'Analyse'}
          </button>
        </form>
        <p className="small dim">Net spread = |B − A| / A − both fees − slippage on each leg. An opportunity is a run of bars above the threshold in one direction; its size is 10% of the smaller venue's volume a bar.</p>
      </section>
      <section className="panel spread-results" aria-label="Spread results">
        {!result && <p className="dim">Choose two venues of one asset and analyse.</p>}
        {result && (
          <>
            <p aria-label="Spread summary">
              <b>
                {result.symbolA} vs {result.symbolB}
              </b>{' '}
              {result.timeframe}: {result.aligned.toLocaleString('en-US')} bars aligned; costs {bps(result.cost)}; <b>{result.opportunities.length}</b> opportunities, net PnL <b>{fmtMoney(result.totalPnl)}</b>
              {result.opportunities[0] ? ` (first ${fmtTime(result.opportunities[0].start)})` : ''}
            </p>
            <SpreadChart r={result} threshold={Number(threshold) / 1e4} />
            <div className="spread-table">
              <Grid label="Opportunities" rows={result.opportunities} columns={cols} rowId={(o) => String(o.start)} empty="No opportunity above the threshold" />
            </div>
          </>
        )}
      </section>
    </div>
  );
}
