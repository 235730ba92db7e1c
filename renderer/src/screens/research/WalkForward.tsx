import type { ColDef } from 'ag-grid-community';
import { useMemo } from 'react';
import type { WalkForwardResultDto } from '../../../../engine/protocol';
import { EquityChart } from '../../chart/EquityChart';
import { Grid } from '../../components/Grid';
import { fmtMetric, fmtTime, metricLabel } from '../../lib/format';
import { useResearch } from '../../store/research';
import { client } from '../../store/wire';
import { initialSweepForm, JobControls, ResearchTab, ResultHead, startJob, SummaryCards, SweepFields, useJobCompletion, useKeptState, useSweepDefaults } from './common';
import { buildWalkForwardRequest, type WalkForwardFormState } from './researchForm';

function WalkForwardForm() {
  const [f, setF] = useKeptState<WalkForwardFormState>('walkforward', () => ({ ...initialSweepForm(), train: '2000', test: '1000', anchored: false, reservePct: '20', validate: false }));
  const strategies = useSweepDefaults(setF);
  const built = buildWalkForwardRequest(f, strategies);
  return (
    <form className="bt-form" aria-label="Walk-forward setup" onSubmit={(e) => e.preventDefault()}>
      <h2>Walk-forward</h2>
      <SweepFields f={f} setF={setF} strategies={strategies} />
      <fieldset>
        <legend>Windows (bars)</legend>
        <div className="form-grid">
          <label>
            Train
            <input inputMode="numeric" value={f.train} onChange={(e) => setF({ ...f, train: e.target.value })} />
          </label>
          <label>
            Test (and step)
            <input inputMode="numeric" value={f.test} onChange={(e) => setF({ ...f, test: e.target.value })} />
          </label>
          <label>
            Reserve %
            <input inputMode="decimal" value={f.reservePct} onChange={(e) => setF({ ...f, reservePct: e.target.value })} />
          </label>
          <label className="check">
            <input type="checkbox" checked={f.anchored} onChange={(e) => setF({ ...f, anchored: e.target.checked })} />
            Anchored
          </label>
          <label className="check span2">
            <input type="checkbox" checked={f.validate} onChange={(e) => setF({ ...f, validate: e.target.checked })} />
            Validate on the reserve (once, at the end)
          </label>
        </div>
      </fieldset>
      <JobControls
        kind="walkforward"
        runLabel="Run walk-forward"
        canRun={'request' in built}
        errors={'errors' in built && strategies.length > 0 ? built.errors : []}
        onRun={async () => {
          if ('request' in built) await startJob('walkforward', () => client().call('research.walkforward', built.request));
        }}
      />
      <p className="dim small">Each window chooses its parameters on its training bars only; the reserve at the end is never touched unless you validate.</p>
    </form>
  );
}

type WindowRow = { n: number; testFrom: number; testTo: number; trainFrom: number; chosen: string } & Record<string, unknown>;

function WalkForwardResults({ r }: { r: WalkForwardResultDto }) {
  const rows = useMemo<WindowRow[]>(
    () =>
      r.windows.map((w, i) => ({
        n: i + 1,
        trainFrom: w.trainFrom,
        testFrom: w.testFrom,
        testTo: w.testTo,
        chosen: w.params ? Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(' ') : 'none qualified (flat)',
        ...Object.fromEntries(['total_return', 'sharpe', 'max_drawdown', 'trades'].map((k) => [`m_${k}`, w.metrics?.[k] ?? null])),
      })),
    [r],
  );
  const cols = useMemo<ColDef<WindowRow>[]>(
    () => [
      { field: 'n', headerName: '#', maxWidth: 50 },
      { field: 'trainFrom', headerName: 'Train from', valueFormatter: (p) => fmtTime(p.value as number).slice(0, 16) },
      { field: 'testFrom', headerName: 'Test from', valueFormatter: (p) => fmtTime(p.value as number).slice(0, 16) },
      { field: 'testTo', headerName: 'Test to', valueFormatter: (p) => fmtTime(p.value as number).slice(0, 16) },
      { field: 'chosen', headerName: 'Chosen parameters', flex: 2 },
      ...['total_return', 'sharpe', 'max_drawdown', 'trades'].map(
        (k) => ({ field: `m_${k}`, headerName: metricLabel(k), type: 'rightAligned', cellClass: 'num', valueFormatter: (p) => fmtMetric(k, p.value as number | null) }) as ColDef<WindowRow>,
      ),
    ],
    [],
  );
  const m = r.oosMetrics;
  const cards: [string, string][] = [
    ['Windows', String(r.windows.length)],
    ['OOS return', fmtMetric('total_return', m.total_return ?? null)],
    ['OOS Sharpe', fmtMetric('sharpe', m.sharpe ?? null)],
    ['OOS max drawdown', fmtMetric('max_drawdown', m.max_drawdown ?? null)],
    ['WF efficiency', r.efficiency === null ? '—' : r.efficiency.toFixed(2)],
    ['Reserve', r.reserve.bars ? `${r.reserve.bars.toLocaleString('en-US')} bars kept back` : 'none'],
  ];
  if (r.validation) cards.push(['Validation return', fmtMetric('total_return', r.validation.total_return ?? null)]);
  return (
    <div className="bt-results">
      <ResultHead label={r.label} runId={r.runId} />
      <SummaryCards label="Walk-forward summary" cards={cards} wide="Reserve" />
      <EquityChart result={{ runId: r.runId ?? r.jobId, equity: r.oos }} label="Stitched out-of-sample equity and drawdown" />
      <div className="bt-trades">
        <Grid label="Walk-forward windows" rows={rows} columns={cols} rowId={(w) => String(w.n)} empty="No windows" />
      </div>
    </div>
  );
}

export function WalkForward() {
  useJobCompletion('walkforward');
  const r = useResearch((s) => s.results.walkforward);
  return (
    <ResearchTab id="walkforward" what="walk-forward" form={<WalkForwardForm />} result={r?.kind === 'walkforward' ? <WalkForwardResults r={r} /> : undefined} empty="Set the windows and run a walk-forward." />
  );
}
