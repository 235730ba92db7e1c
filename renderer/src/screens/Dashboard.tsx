import type { ColDef } from 'ag-grid-community';
import { ColorType, LineSeries, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import type { EquitySeriesDto, LedgerDto, PositionDto } from '../../../engine/protocol';
import { toChartTime } from '../chart/bars';
import { Grid } from '../components/Grid';
import { fmtMoney, fmtPct, fmtSigned } from '../lib/format';
import { ledgerColor, useDesk } from '../store/desk';
import { useRisk } from '../store/risk';
import { useTrading } from '../store/trading';
import { palette } from '../theme';
import { client } from '../store/wire';
import { numCol, textCol } from './columns';

const REFRESH_MS = 15_000;

function Kpi({ label, value, sub, tone }: { label: string; value: string; sub?: string; tone?: 'up' | 'down' }) {
  return (
    <div className="panel kpi metric" role="group" aria-label={label}>
      <div className="metric-label">{label}</div>
      <div className={`metric-value num ${tone ?? ''}`}>{value}</div>
      {sub && <div className="kpi-sub dim">{sub}</div>}
    </div>
  );
}

function EquityCurves({ series }: { series: EquitySeriesDto[] }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  const lines = useRef(new Map<string, ISeriesApi<'Line'>>());

  useEffect(() => {
    const c = createChart(host.current!, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: palette.panel }, textColor: palette.textDim, fontSize: 11, attributionLogo: false },
      grid: { vertLines: { color: palette.grid }, horzLines: { color: palette.grid } },
      rightPriceScale: { borderColor: palette.border },
      timeScale: { borderColor: palette.border, timeVisible: true },
    });
    chart.current = c;
    const owned = lines.current;
    return () => {
      owned.clear();
      c.remove();
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const keep = new Set(series.map((s) => s.ledger));
    for (const [id, line] of lines.current) {
      if (!keep.has(id)) {
        c.removeSeries(line);
        lines.current.delete(id);
      }
    }
    for (const s of series) {
      let line = lines.current.get(s.ledger);
      if (!line) {
        line = c.addSeries(LineSeries, { color: ledgerColor(s.ledger), lineWidth: s.ledger === '*' ? 2 : 1, title: s.ledger === '*' ? 'account' : s.ledger, priceLineVisible: false });
        lines.current.set(s.ledger, line);
      }
      const data: { time: UTCTimestamp; value: number }[] = [];
      let last = -Infinity;
      for (let i = 0; i < s.ts.length; i++) {
        const time = toChartTime(s.ts[i]!);
        if (time <= last) continue; // one point per chart second; the chart needs increasing times
        last = time;
        data.push({ time, value: s.equity[i]! });
      }
      line.setData(data);
    }
    c.timeScale().fitContent();
  }, [series]);

  return (
    <section className="panel curves" aria-label="Equity curves">
      <div className="curves-legend">
        {series.map((s) => (
          <span key={s.ledger}>
            <span className="swatch" style={{ background: ledgerColor(s.ledger) }} aria-hidden="true" /> {s.label}
          </span>
        ))}
        {series.every((s) => s.ts.length === 0) && <span className="dim">No equity samples yet: they are taken every minute and at each fill.</span>}
      </div>
      <div ref={host} className="curves-chart" role="img" aria-label="Equity of the account and of each ledger over time" />
    </section>
  );
}

/** The desk at a glance: equity, the day's PnL, open risk and drawdown; each ledger's curve; the open positions. */
export function Dashboard() {
  const account = useTrading((s) => s.account);
  const positions = useTrading((s) => s.positions) as PositionDto[];
  const fills = useTrading((s) => s.fills.length);
  const risk = useRisk((s) => s.risk);
  const ledgers = useDesk((s) => s.ledgers);
  const equity = useDesk((s) => s.equity);

  useEffect(() => {
    let live = true;
    const load = () =>
      client()
        .call('ledgers.equity', {})
        .then((e) => live && useDesk.getState().setEquity(e))
        .catch(() => undefined);
    void load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [fills]);

  // The trading day is the risk engine's (its day boundary, its start-of-day equity): one definition.
  const dayStart = risk?.gauges.dayStartEquity;
  const today = dayStart !== undefined && account ? account.equity - dayStart : 0;
  const exposure = account?.grossExposure ?? 0;
  const posCols = useMemo<ColDef<PositionDto>[]>(
    () => [
      {
        field: 'ledger',
        headerName: 'Ledger',
        cellRenderer: (p: { value?: string }) => (
          <span>
            <span className="swatch" style={{ background: ledgerColor(p.value) }} aria-hidden="true" /> {p.value}
          </span>
        ),
      },
      textCol<PositionDto>('symbol', 'Symbol'),
      numCol<PositionDto>('qty', 'Qty', 'qty'),
      numCol<PositionDto>('avgPrice', 'Avg price'),
      numCol<PositionDto>('mark', 'Mark'),
      numCol<PositionDto>('unrealizedPnl', 'Unrealized', 'signed'),
    ],
    [],
  );
  const ledgerCols = useMemo<ColDef<LedgerDto>[]>(
    () => [
      {
        field: 'label',
        headerName: 'Ledger',
        minWidth: 200,
        cellRenderer: (p: { data?: LedgerDto }) =>
          p.data ? (
            <span>
              <span className="swatch" style={{ background: ledgerColor(p.data.id) }} aria-hidden="true" /> {p.data.label}
            </span>
          ) : null,
      },
      { ...numCol<LedgerDto>('allocation', 'Allocation', 'money'), minWidth: 110 },
      numCol<LedgerDto>('equity', 'Equity', 'money'),
      { colId: 'pnl', headerName: 'PnL', type: 'rightAligned', valueGetter: (p) => (p.data ? p.data.realizedPnl + p.data.unrealizedPnl - p.data.fees : undefined), cellClass: (p) => ['num', (p.value as number) >= 0 ? 'up' : 'down'], valueFormatter: (p) => fmtSigned(p.value as number) },
      numCol<LedgerDto>('fees', 'Fees', 'money'),
      numCol<LedgerDto>('exposure', 'Exposure', 'money'),
    ],
    [],
  );
  const open = positions.filter((p) => p.qty !== 0);
  return (
    <div className="dashboard">
      <div className="kpis">
        <Kpi label="Equity" value={fmtMoney(account?.equity)} sub={`cash ${fmtMoney(account?.cash)}`} />
        <Kpi label="Day PnL" value={fmtSigned(today)} tone={today >= 0 ? 'up' : 'down'} sub={dayStart ? `${fmtPct((today / dayStart) * 100)} since the day began at ${fmtMoney(dayStart)}` : 'the day has not been observed yet'} />
        <Kpi label="Open risk" value={fmtMoney(exposure)} sub={`gross exposure, ${account && account.equity > 0 ? fmtPct((exposure / account.equity) * 100) : '—'} of equity in ${open.length} position${open.length === 1 ? '' : 's'}`} />
        <Kpi label="Drawdown" value={fmtPct(risk?.gauges.drawdownPct ?? 0)} tone={(risk?.gauges.drawdownPct ?? 0) >= 0.005 ? 'down' : undefined} sub={`below the equity peak; limit ${fmtPct(risk?.limits.maxDrawdownPct ?? 0)}`} />
      </div>
      <EquityCurves series={equity} />
      <div className="dash-lower">
        <div className="panel">
          <Grid label="Active positions" rows={open} columns={posCols} rowId={(p) => `${p.ledger}|${p.symbol}`} empty="No open positions" />
        </div>
        <div className="panel">
          <Grid label="Ledgers" rows={ledgers} columns={ledgerCols} rowId={(l) => l.id} empty="No ledgers" />
        </div>
      </div>
    </div>
  );
}
