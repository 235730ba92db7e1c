import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useState } from 'react';
import type { BacktestSummary, BacktestTradeDto } from '../../../engine/protocol';
import { EquityChart } from '../chart/EquityChart';
import { RiskAnalytics } from './RiskAnalytics';
import { Grid } from '../components/Grid';
import { Split } from '../components/Split';
import { Tabs } from '../components/Tabs';
import { useResearch, type BacktestTab } from '../store/research';
import { KIND_LABEL } from './research/common';
import { MonteCarlo } from './research/MonteCarlo';
import { Optimise } from './research/Optimise';
import { WalkForward } from './research/WalkForward';
import { fmtMetric, fmtTime, metricLabel } from '../lib/format';
import { useBacktest } from '../store/backtest';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText, refreshRuns } from '../store/wire';
import { buildBacktestRequest, defaultParams, type BacktestFormState } from './backtestForm';
import { ParamFields } from './ParamFields';
import { DatasetSelect, offered, PeriodCostFields, StrategySelect } from './RunFields';
import { numCol, sideCol, textCol, timeCol } from './columns';
import { PeriodReturns } from './PeriodReturns';

async function openRun(runId: string, as: 'result' | 'compare' = 'result'): Promise<void> {
  const r = await client().call('backtest.get', { runId });
  if (as === 'result') useBacktest.getState().setResult(r);
  else useBacktest.getState().setCompare(r);
}

function BacktestForm() {
  const strategies = useBacktest((s) => s.strategies);
  const datasets = useMarket((s) => s.datasets);
  const progress = useBacktest((s) => s.progress);
  const activeRunId = useBacktest((s) => s.activeRunId);
  const error = useBacktest((s) => s.error);
  const [f, setF] = useState<BacktestFormState>({ strategy: '', dataset: '', from: '', to: '', capital: '10000', feePct: '0.1', slippagePct: '0.05', params: {} });
  const running = progress?.status === 'running';

  // Defaults follow what the engine offers, once it has answered.
  useEffect(() => {
    setF((old) => {
      const { strategy, dataset } = offered(old, strategies, datasets);
      const params = strategy === old.strategy ? old.params : defaultParams(strategies.find((s) => s.id === strategy));
      return { ...old, strategy, dataset, params };
    });
  }, [strategies, datasets]);

  const strat = strategies.find((s) => s.id === f.strategy);
  const built = buildBacktestRequest(f, strategies);

  const run = async () => {
    if (!('request' in built)) return;
    const bt = useBacktest.getState();
    bt.setError(undefined);
    try {
      const { runId } = await client().call('backtest.run', built.request);
      bt.started(runId);
    } catch (e) {
      bt.setError(errorText(e));
    }
  };

  const cancel = async () => {
    if (!activeRunId) return;
    try {
      await client().call('backtest.cancel', { runId: activeRunId });
    } catch (e) {
      useBacktest.getState().setError(errorText(e));
    }
  };

  const pct = progress && progress.total > 0 ? Math.min(100, (progress.done / progress.total) * 100) : 0;
  return (
    <form
      className="bt-form"
      aria-label="Backtest setup"
      onSubmit={(e) => {
        e.preventDefault();
        if (!running) void run();
      }}
    >
      <h2>Backtest</h2>
      <div className="form-grid">
        <StrategySelect strategies={strategies} value={f.strategy} onChange={(id) => setF({ ...f, strategy: id, params: defaultParams(strategies.find((s) => s.id === id)) })} />
        <DatasetSelect value={f.dataset} onChange={(dataset) => setF({ ...f, dataset })} />
        <PeriodCostFields f={f} setF={setF} />
      </div>
      {strat && <ParamFields strategy={strat} values={f.params} onChange={(params) => setF({ ...f, params })} />}
      {'errors' in built && strategies.length > 0 && <p className="down small">{built.errors[0]}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={running || !('request' in built)}>
          Run backtest
        </button>
        {running && (
          <button type="button" onClick={cancel}>
            Cancel backtest
          </button>
        )}
      </div>
      {progress && (
        <div className="progress-row">
          <div className="progress" role="progressbar" aria-label="Backtest progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
            <div className={`progress-fill ${progress.status}`} style={{ width: `${progress.status === 'done' ? 100 : pct}%` }} />
          </div>
          <span className="small">
            {progress.status === 'running' ? `${Math.round(pct)}%` : progress.status}
            {progress.message ? ` · ${progress.message}` : ''}
          </span>
        </div>
      )}
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** When the active run ends, load its result; a fast run may end before its job push is seen. */
function useRunCompletion() {
  const activeRunId = useBacktest((s) => s.activeRunId);
  const status = useBacktest((s) => s.progress?.status);
  useEffect(() => {
    if (!activeRunId) return;
    const bt = useBacktest.getState();
    if (status === 'done') {
      openRun(activeRunId).catch((e) => bt.setError(errorText(e)));
      void refreshRuns().catch(() => undefined);
      return;
    }
    if (status === 'failed' || status === 'cancelled') {
      void refreshRuns().catch(() => undefined);
      return;
    }
    const timer = setInterval(async () => {
      try {
        const runs = await client().call('backtest.list', {});
        const mine = runs.find((r) => r.runId === activeRunId);
        if (mine && mine.status !== 'running') {
          bt.onJob([{ jobId: activeRunId, kind: 'backtest', done: 1, total: 1, status: mine.status, message: mine.error }]);
        }
      } catch {
        // the job topic may still bring it
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [activeRunId, status]);
}

function Results() {
  const result = useBacktest((s) => s.result);
  const compare = useBacktest((s) => s.compare);
  const runs = useBacktest((s) => s.runs);
  const select = useMarket((s) => s.select);
  const setScreen = useUi((s) => s.setScreen);
  const tradeCols = useMemo<ColDef<BacktestTradeDto & { n: number }>[]>(
    () => [
      { field: 'n', headerName: '#', maxWidth: 60, type: 'rightAligned', sort: 'asc' },
      timeCol('entryTime', 'Entry'),
      numCol('entryPrice', 'Entry price'),
      timeCol('exitTime', 'Exit'),
      numCol('exitPrice', 'Exit price'),
      sideCol(),
      numCol('qty', 'Qty', 'qty'),
      numCol('pnl', 'PnL', 'signed'),
      numCol('returnPct', 'Return', 'fraction'),
      textCol('exitReason', 'Exit reason'),
    ],
    [],
  );
  if (!result) return <div className="panel pad dim">Run a backtest or pick a past run.</div>;
  const metrics = Object.entries(result.metrics ?? {});
  const trades = result.trades.map((t, i) => ({ ...t, n: i + 1 }));
  return (
    <div className="bt-results">
      <div className="bt-results-head">
        <h2>
          {result.strategy} · {result.symbol} {result.timeframe} <span className="dim small">run {result.runId}</span>
        </h2>
        <label>
          Compare with
          <select value={compare?.runId ?? ''} onChange={(e) => (e.target.value ? openRun(e.target.value, 'compare') : useBacktest.getState().setCompare(undefined))}>
            <option value="">none</option>
            {runs
              .filter((r) => r.runId !== result.runId && r.status === 'done')
              .map((r) => (
                <option key={r.runId} value={r.runId}>
                  {r.strategy} {r.symbol} {r.timeframe} · {fmtTime(r.startedAt)}
                </option>
              ))}
          </select>
        </label>
        <button
          onClick={() => {
            select(result.symbol, result.timeframe);
            useBacktest.getState().setTradesOnChart(true);
            setScreen('markets');
          }}
        >
          Show trades on chart
        </button>
      </div>
      <section className="metrics" aria-label="Metrics">
        {metrics.map(([k, v]) => (
          <div className="metric" key={k} role="group" aria-label={metricLabel(k)}>
            <div className="metric-label">{metricLabel(k)}</div>
            <div className={`metric-value num ${typeof v === 'number' && /return|cagr/i.test(k) ? (v >= 0 ? 'up' : 'down') : ''}`}>{fmtMetric(k, v)}</div>
            {compare?.metrics && <div className="metric-cmp dim num">vs {fmtMetric(k, compare.metrics[k])}</div>}
          </div>
        ))}
      </section>
      {result.notes.length > 0 && (
        <ul className="notes small dim">
          {result.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <details className="bt-risk">
        <summary>Value at risk and stress days</summary>
        <RiskAnalytics title="Run VaR and stress" request={{ source: 'backtest', runId: result.runId }} />
      </details>
      <EquityChart result={result} compare={compare} />
      <PeriodReturns result={result} />
      <div className="bt-trades">
        <Grid
          label="Backtest trades"
          rows={trades}
          columns={tradeCols}
          rowId={(t) => String(t.n)}
          empty="No trades"
          onRowClicked={(t) => {
            // The trade on the price chart: the run's symbol and timeframe, the view on its entry.
            select(result.symbol, result.timeframe);
            useBacktest.getState().setTradesOnChart(true);
            useMarket.getState().focusTime(t.entryTime);
            setScreen('markets');
          }}
        />
      </div>
      <p className="dim small">Click a trade to see it on the price chart.</p>
    </div>
  );
}

function PastRuns() {
  const runs = useBacktest((s) => s.runs);
  const cols = useMemo<ColDef<BacktestSummary>[]>(
    () => [
      { ...timeCol<BacktestSummary>('startedAt', 'Started', true), valueFormatter: (p) => fmtTime(p.value as number).slice(5, 16), minWidth: 88, maxWidth: 96 },
      { headerName: 'Run', flex: 2, valueGetter: (p) => (p.data ? `${p.data.strategy} · ${p.data.symbol} ${p.data.timeframe}` : ''), tooltipValueGetter: (p) => (p.data ? `${p.data.runId} ${JSON.stringify(p.data.params)}` : '') },
      textCol<BacktestSummary>('status', 'Status', { maxWidth: 70 }),
      {
        headerName: 'Return',
        type: 'rightAligned',
        maxWidth: 80,
        cellClass: 'num',
        valueGetter: (p) => {
          const m = p.data?.metrics ?? {};
          const key = Object.keys(m).find((k) => /total.?return/i.test(k));
          return key ? fmtMetric(key, m[key]) : '';
        },
      },
    ],
    [],
  );
  return (
    <div className="past-runs">
      <h3>Past runs</h3>
      <Grid label="Past runs" rows={runs} columns={cols} rowId={(r) => r.runId} empty="No runs yet" onRowClicked={(r) => r.status === 'done' && void openRun(r.runId)} />
    </div>
  );
}

function PlainBacktest() {
  useRunCompletion();
  return (
    <Split id="backtest.side" direction="row" initial={370} min={280} max={600} sized="first" label="Resize backtest setup">
      <div className="panel side-panel">
        <BacktestForm />
        <PastRuns />
      </div>
      <div className="panel">
        <Results />
      </div>
    </Split>
  );
}

const TABS: { key: BacktestTab; label: string }[] = [
  { key: 'backtest', label: 'Backtest' },
  { key: 'optimize', label: KIND_LABEL.optimize },
  { key: 'walkforward', label: KIND_LABEL.walkforward },
  { key: 'montecarlo', label: KIND_LABEL.montecarlo },
];

/** The plain backtest and the research lab (Optimise, Walk-forward, Monte Carlo), one tab each. */
export function Backtest() {
  const tab = useResearch((s) => s.tab);
  return (
    <div className="backtest-screen">
      <Tabs label="Backtest tools" tabs={TABS} active={tab} onChange={(t) => useResearch.getState().setTab(t)}>
        {tab === 'backtest' && <PlainBacktest />}
        {tab === 'optimize' && <Optimise />}
        {tab === 'walkforward' && <WalkForward />}
        {tab === 'montecarlo' && <MonteCarlo />}
      </Tabs>
    </div>
  );
}
