import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useState } from 'react';
import type { HeatmapDto, OptimizeResultDto } from '../../../../engine/protocol';
import { EquityChart } from '../../chart/EquityChart';
import { Heatmap } from '../../chart/Heatmap';
import { Grid } from '../../components/Grid';
import { fmtMetric, metricLabel } from '../../lib/format';
import { useResearch } from '../../store/research';
import { client, errorText } from '../../store/wire';
import { initialSweepForm, JobControls, ResearchTab, ResultHead, startJob, SummaryCards, SweepFields, useJobCompletion, useKeptState, useSweepDefaults } from './common';
import { buildOptimizeRequest, OBJECTIVES, type SweepFormState } from './researchForm';

type TrialRow = { n: number; score: number | null } & Record<string, unknown>;

function OptimiseForm() {
  const [f, setF] = useKeptState<SweepFormState>('optimize', initialSweepForm);
  const strategies = useSweepDefaults(setF);
  const built = buildOptimizeRequest(f, strategies);
  return (
    <form className="bt-form" aria-label="Optimisation setup" onSubmit={(e) => e.preventDefault()}>
      <h2>Optimise</h2>
      <SweepFields f={f} setF={setF} strategies={strategies} />
      <JobControls
        kind="optimize"
        runLabel="Run optimisation"
        canRun={'request' in built}
        errors={'errors' in built && strategies.length > 0 ? built.errors : []}
        onRun={async () => {
          if ('request' in built) await startJob('optimize', () => client().call('research.optimize', built.request));
        }}
      />
      <p className="dim small">Every trial is a plain backtest, run on every core; indicators the trials share are computed once.</p>
    </form>
  );
}

const check = (c: { ok: boolean; summary: string } | null) => (c ? `${c.ok ? 'ok' : 'FLAGGED'}: ${c.summary}` : 'n/a');

function OptimiseResults({ r }: { r: OptimizeResultDto }) {
  const [axes, setAxes] = useState<{ x: string; y: string }>({ x: r.searched[0] ?? r.params[0]!, y: r.searched[1] ?? r.params[1] ?? r.params[0]! });
  const [hm, setHm] = useState<HeatmapDto | undefined>();
  const [hmError, setHmError] = useState<string | undefined>();
  useEffect(() => setAxes({ x: r.searched[0] ?? r.params[0]!, y: r.searched[1] ?? r.params[1] ?? r.params[0]! }), [r]);
  useEffect(() => {
    let live = true;
    client()
      .call('research.heatmap', { jobId: r.jobId, x: axes.x, y: axes.y })
      .then((d) => live && (setHm(d), setHmError(undefined)))
      .catch((e) => live && setHmError(errorText(e)));
    return () => {
      live = false;
    };
  }, [r.jobId, axes.x, axes.y]);
  const objectiveLabel = OBJECTIVES.find((o) => o.key === r.objective)?.label ?? r.objective;
  const rows = useMemo<TrialRow[]>(() => r.trials.map((t, i) => ({ n: i, score: t.score, ...t.params, ...Object.fromEntries(['total_return', 'max_drawdown', 'sharpe', 'trades'].map((k) => [`m_${k}`, t.metrics[k] ?? null])) })), [r]);
  const cols = useMemo<ColDef<TrialRow>[]>(
    () => [
      { field: 'n', headerName: '#', maxWidth: 60 },
      ...r.params.map((p) => ({ field: p, headerName: p, maxWidth: 110 }) as ColDef<TrialRow>),
      { field: 'score', headerName: objectiveLabel, sort: 'desc', type: 'rightAligned', cellClass: 'num', valueFormatter: (p) => (typeof p.value === 'number' ? p.value.toFixed(3) : '—') },
      ...['total_return', 'max_drawdown', 'sharpe', 'trades'].filter((k) => k !== r.objective).map(
        (k) => ({ field: `m_${k}`, headerName: metricLabel(k), type: 'rightAligned', cellClass: 'num', valueFormatter: (p) => fmtMetric(k, p.value as number | null) }) as ColDef<TrialRow>,
      ),
    ],
    [r, objectiveLabel],
  );
  const best = r.best;
  const cards: [string, string][] = [
    ['Best', best ? Object.entries(best.params).map(([k, v]) => `${k}=${v}`).join(' ') : 'none qualified'],
    [objectiveLabel, best ? fmtMetric(r.objective, best.metrics[r.objective] ?? null) : '—'],
    ['Trials', `${r.trials.length}${r.skipped ? ` (+${r.skipped} skipped)` : ''}`],
    ['Deflated Sharpe', r.deflatedSharpe === null ? '—' : r.deflatedSharpe.toFixed(3)],
    ['PBO', r.pbo === null ? '—' : r.pbo.toFixed(3)],
  ];
  return (
    <div className="bt-results">
      <ResultHead label={r.label} runId={r.runId} />
      <SummaryCards label="Sweep summary" cards={cards} wide="Best" />
      <ul className="notes small dim" aria-label="Checks">
        <li>Warm-up check: {check(r.warmup)}</li>
        <li>Look-ahead check: {check(r.lookahead)}</li>
      </ul>
      <div className="research-row">
        <div className="research-heatmap">
          <div className="row">
            <label>
              X
              <select aria-label="Heatmap x" value={axes.x} onChange={(e) => setAxes({ ...axes, x: e.target.value })}>
                {r.params.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
            <label>
              Y
              <select aria-label="Heatmap y" value={axes.y} onChange={(e) => setAxes({ ...axes, y: e.target.value })}>
                {r.params.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
          </div>
          {hmError ? <p className="down small">{hmError}</p> : hm && <Heatmap data={hm} objective={objectiveLabel} highlight={best ? { x: best.params[hm.x], y: best.params[hm.y] } : undefined} />}
        </div>
        {r.bestEquity && (
          <div className="research-curve">
            <EquityChart result={{ runId: r.runId ?? r.jobId, equity: r.bestEquity }} label="Equity and drawdown of the best trial" />
          </div>
        )}
      </div>
      <div className="bt-trades">
        <Grid label="Trials" rows={rows} columns={cols} rowId={(t) => String(t.n)} empty="No trials" />
      </div>
    </div>
  );
}

export function Optimise() {
  useJobCompletion('optimize');
  const r = useResearch((s) => s.results.optimize);
  return (
    <ResearchTab id="optimize" what="optimisation" form={<OptimiseForm />} result={r?.kind === 'optimize' ? <OptimiseResults r={r} /> : undefined} empty="Set the ranges and run an optimisation." />
  );
}
