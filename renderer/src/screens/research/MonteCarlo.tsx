import { useEffect } from 'react';
import type { MonteCarloResultDto } from '../../../../engine/protocol';
import { FanChart } from '../../chart/FanChart';
import { fmtPct } from '../../lib/format';
import { useResearch } from '../../store/research';
import { client, errorText } from '../../store/wire';
import { JobControls, ResearchTab, ResultHead, startJob, SummaryCards, useJobCompletion, useKeptState } from './common';

interface McForm {
  source: string;
  runs: string;
  seed: string;
  method: 'shuffle' | 'bootstrap' | 'both';
  confidencePct: string;
  drawdownPct: string;
}

async function refreshSources(): Promise<void> {
  try {
    useResearch.getState().setSources(await client().call('research.sources', {}));
  } catch (e) {
    useResearch.getState().setError('montecarlo', errorText(e));
  }
}

function McFormView() {
  const sources = useResearch((s) => s.sources);
  const results = useResearch((s) => s.results);
  const [f, setF] = useKeptState<McForm>('montecarlo', () => ({ source: '', runs: '10000', seed: '1', method: 'both', confidencePct: '95', drawdownPct: '20' }));
  // New runs (a sweep's best, a walk-forward's out-of-sample) become sources as they finish.
  useEffect(() => void refreshSources(), [results.optimize, results.walkforward]);
  useEffect(() => {
    if (sources.length && !sources.some((s) => s.id === f.source)) setF((o) => ({ ...o, source: sources[0]!.id }));
  }, [sources, f.source, setF]);
  const runs = Number(f.runs);
  const seed = Number(f.seed);
  const confidence = Number(f.confidencePct) / 100;
  const drawdown = Number(f.drawdownPct) / 100;
  const errors: string[] = [];
  if (!f.source) errors.push('Pick a run: run an optimisation or a walk-forward first, or a `keel backtest`');
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= 1_000_000)) errors.push('Paths must be a whole number from 1 to 1,000,000');
  if (!(Number.isInteger(seed) && seed >= 0)) errors.push('Seed must be a whole number ≥ 0');
  if (!(confidence > 0 && confidence < 1)) errors.push('Confidence must be a percent between 0 and 100');
  if (!(drawdown > 0 && drawdown <= 1)) errors.push('Drawdown must be a percent above 0, at most 100');
  return (
    <form className="bt-form" aria-label="Monte Carlo setup" onSubmit={(e) => e.preventDefault()}>
      <h2>Monte Carlo</h2>
      <div className="form-grid">
        <label className="span2">
          Run
          <select value={f.source} onChange={(e) => setF({ ...f, source: e.target.value })}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label} · {s.created.slice(0, 16).replace('T', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Paths
          <input inputMode="numeric" value={f.runs} onChange={(e) => setF({ ...f, runs: e.target.value })} />
        </label>
        <label>
          Seed
          <input inputMode="numeric" value={f.seed} onChange={(e) => setF({ ...f, seed: e.target.value })} />
        </label>
        <label>
          Method
          <select value={f.method} onChange={(e) => setF({ ...f, method: e.target.value as McForm['method'] })}>
            <option value="both">shuffle and bootstrap</option>
            <option value="shuffle">shuffle (reorder trades)</option>
            <option value="bootstrap">bootstrap (draw with replacement)</option>
          </select>
        </label>
        <label>
          Confidence %
          <input inputMode="decimal" value={f.confidencePct} onChange={(e) => setF({ ...f, confidencePct: e.target.value })} />
        </label>
        <label>
          Drawdown of %
          <input inputMode="decimal" value={f.drawdownPct} onChange={(e) => setF({ ...f, drawdownPct: e.target.value })} />
        </label>
      </div>
      <JobControls
        kind="montecarlo"
        runLabel="Run Monte Carlo"
        canRun={errors.length === 0}
        errors={errors}
        onRun={() => startJob('montecarlo', () => client().call('research.montecarlo', { source: f.source, runs, seed, method: f.method, confidence, drawdown }))}
      />
      <p className="dim small">A trade's return is its pnl over the equity when it was entered; a path compounds them. The same seed gives the same paths.</p>
    </form>
  );
}

function McResults({ r }: { r: MonteCarloResultDto }) {
  const pct = (x: number) => fmtPct(x, 2, true);
  return (
    <div className="bt-results">
      <ResultHead label={r.label} runId={r.runId} />
      <SummaryCards
        label="Monte Carlo summary"
        cards={[
          ['Trades', String(r.trades)],
          ['Run return', pct(r.original.finalReturn)],
          ['Run max drawdown', pct(r.original.maxDrawdown)],
        ]}
      />
      <table className="mc-table" aria-label="Monte Carlo intervals">
        <thead>
          <tr>
            <th>method</th>
            <th>final return ({Math.round(r.confidence * 100)}% interval)</th>
            <th>median</th>
            <th>max drawdown ({Math.round(r.confidence * 100)}% interval)</th>
            <th>median</th>
            <th>P(drawdown ≥ {pct(r.drawdown)})</th>
          </tr>
        </thead>
        <tbody>
          {r.methods.map((m) => (
            <tr key={m.method}>
              <th scope="row">{m.method}</th>
              <td className="num">
                {pct(m.finalReturn.lower)} … {pct(m.finalReturn.upper)}
              </td>
              <td className="num">{pct(m.finalReturn.median)}</td>
              <td className="num">
                {pct(m.maxDrawdown.lower)} … {pct(m.maxDrawdown.upper)}
              </td>
              <td className="num">{pct(m.maxDrawdown.median)}</td>
              <td className="num">{(m.probDrawdown * 100).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="research-row">
        {r.methods.map((m) => (
          <figure key={m.method} className="research-fan">
            <figcaption className="small dim">{m.method}: equity of the paths by trade (5–95% and 25–75% bands, median)</figcaption>
            <FanChart m={m} label={`Monte Carlo fan chart, ${m.method}`} />
          </figure>
        ))}
      </div>
    </div>
  );
}

export function MonteCarlo() {
  useJobCompletion('montecarlo');
  const r = useResearch((s) => s.results.montecarlo);
  return (
    <ResearchTab id="montecarlo" what="Monte Carlo" form={<McFormView />} result={r?.kind === 'montecarlo' ? <McResults r={r} /> : undefined} empty="Pick a run and resample its trades." />
  );
}
