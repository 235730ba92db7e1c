import { useEffect, useState, type ReactNode } from 'react';
import { Split } from '../../components/Split';
import type { ResearchKind, StrategyInfo } from '../../../../engine/protocol';
import { useBacktest } from '../../store/backtest';
import { useMarket } from '../../store/market';
import { useResearch } from '../../store/research';
import { client, errorText } from '../../store/wire';
import { rangeHint } from '../backtestForm';
import { DatasetSelect, offered, PeriodCostFields, StrategySelect } from '../RunFields';
import { defaultSettings, METHODS, OBJECTIVES, type SweepFormState } from './researchForm';

export const KIND_LABEL: Record<ResearchKind, string> = { optimize: 'Optimise', walkforward: 'Walk-forward', montecarlo: 'Monte Carlo' };

export function initialSweepForm(): SweepFormState {
  return { strategy: '', dataset: '', from: '', to: '', capital: '10000', feePct: '0.1', slippagePct: '0.05', settings: {}, method: 'grid', trials: '60', seed: '1', objective: 'sharpe', minTrades: '1' };
}

/** Keeps the form's strategy and dataset among what the engine offers, with first ranges for a new strategy. */
export function useSweepDefaults<F extends SweepFormState>(setF: (u: (f: F) => F) => void): StrategyInfo[] {
  const strategies = useBacktest((s) => s.strategies);
  const datasets = useMarket((s) => s.datasets);
  useEffect(() => {
    setF((old) => {
      const { strategy, dataset } = offered(old, strategies, datasets);
      const settings = strategy === old.strategy && Object.keys(old.settings).length ? old.settings : defaultSettings(strategies.find((s) => s.id === strategy));
      return { ...old, strategy, dataset, settings };
    });
  }, [strategies, datasets, setF]);
  return strategies;
}

/** Strategy, data, costs, the parameters (searched or held) and the search itself. */
export function SweepFields<F extends SweepFormState>({ f, setF, strategies }: { f: F; setF: (f: F) => void; strategies: StrategyInfo[] }) {
  const strat = strategies.find((s) => s.id === f.strategy);
  return (
    <>
      <div className="form-grid">
        <StrategySelect strategies={strategies} value={f.strategy} onChange={(id) => setF({ ...f, strategy: id, settings: defaultSettings(strategies.find((s) => s.id === id)) })} />
        <DatasetSelect value={f.dataset} onChange={(dataset) => setF({ ...f, dataset })} />
        <PeriodCostFields f={f} setF={setF} />
      </div>
      {strat && strat.params.length > 0 && (
        <fieldset>
          <legend>Parameters (tick to search, else held)</legend>
          <table className="param-ranges" aria-label="Parameter ranges">
            <thead>
              <tr>
                <th>search</th>
                <th>parameter</th>
                <th>from / value</th>
                <th>to</th>
                <th>step</th>
              </tr>
            </thead>
            <tbody>
              {strat.params.map((p) => {
                const s = f.settings[p.name];
                if (!s) return null;
                const put = (patch: Partial<typeof s>) => setF({ ...f, settings: { ...f.settings, [p.name]: { ...s, ...patch } } });
                const numeric = p.kind === 'int' || p.kind === 'float';
                return (
                  <tr key={p.name} title={p.description}>
                    <td>
                      <input type="checkbox" aria-label={`search ${p.name}`} checked={s.search} disabled={!numeric} onChange={(e) => put({ search: e.target.checked })} />
                    </td>
                    <td>
                      {p.name} <span className="dim small">{rangeHint(p)}</span>
                    </td>
                    {s.search ? (
                      <>
                        <td>
                          <input aria-label={`${p.name} from`} inputMode="decimal" value={s.lo} onChange={(e) => put({ lo: e.target.value })} />
                        </td>
                        <td>
                          <input aria-label={`${p.name} to`} inputMode="decimal" value={s.hi} onChange={(e) => put({ hi: e.target.value })} />
                        </td>
                        <td>
                          <input aria-label={`${p.name} step`} inputMode="decimal" value={s.step} onChange={(e) => put({ step: e.target.value })} />
                        </td>
                      </>
                    ) : (
                      <td colSpan={3}>
                        {p.kind === 'bool' ? (
                          <input type="checkbox" aria-label={`${p.name} value`} checked={Boolean(s.value)} onChange={(e) => put({ value: e.target.checked })} />
                        ) : p.kind === 'choice' ? (
                          <select aria-label={`${p.name} value`} value={String(s.value)} onChange={(e) => put({ value: e.target.value })}>
                            {(p.choices ?? []).map((c) => (
                              <option key={c}>{c}</option>
                            ))}
                          </select>
                        ) : (
                          <input aria-label={`${p.name} value`} inputMode="decimal" value={String(s.value)} onChange={(e) => put({ value: e.target.value })} />
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
      )}
      <div className="form-grid">
        <label>
          Method
          <select value={f.method} onChange={(e) => setF({ ...f, method: e.target.value as F['method'] })}>
            {METHODS.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Objective
          <select value={f.objective} onChange={(e) => setF({ ...f, objective: e.target.value as F['objective'] })}>
            {OBJECTIVES.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {f.method !== 'grid' && (
          <label>
            Trials
            <input inputMode="numeric" value={f.trials} onChange={(e) => setF({ ...f, trials: e.target.value })} />
          </label>
        )}
        {f.method !== 'grid' && (
          <label>
            Seed
            <input inputMode="numeric" value={f.seed} onChange={(e) => setF({ ...f, seed: e.target.value })} />
          </label>
        )}
        <label>
          Min. trades
          <input inputMode="numeric" value={f.minTrades} onChange={(e) => setF({ ...f, minTrades: e.target.value })} />
        </label>
      </div>
    </>
  );
}

/** Run and Cancel, the job's progress bar, and its error. */
export function JobControls({ kind, runLabel, canRun, errors, onRun }: { kind: ResearchKind; runLabel: string; canRun: boolean; errors: string[]; onRun: () => Promise<void> }) {
  const progress = useResearch((s) => s.progress[kind]);
  const error = useResearch((s) => s.errors[kind]);
  const active = useResearch((s) => s.active[kind]);
  const running = progress?.status === 'running';
  const pct = progress && progress.total > 0 ? Math.min(100, (progress.done / progress.total) * 100) : 0;
  const cancel = async () => {
    if (!active) return;
    try {
      await client().call('research.cancel', { jobId: active });
    } catch (e) {
      useResearch.getState().setError(kind, errorText(e));
    }
  };
  return (
    <>
      {errors.length > 0 && <p className="down small">{errors[0]}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={running || !canRun} onClick={() => void onRun()}>
          {runLabel}
        </button>
        {running && (
          <button type="button" onClick={() => void cancel()}>
            Cancel
          </button>
        )}
      </div>
      {progress && (
        <div className="progress-row">
          <div className="progress" role="progressbar" aria-label={`${KIND_LABEL[kind]} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress.status === 'done' ? 100 : pct)}>
            <div className={`progress-fill ${progress.status}`} style={{ width: `${progress.status === 'done' ? 100 : pct}%` }} />
          </div>
          <span className="small">
            {progress.status === 'running' ? (progress.total > 0 ? `${progress.done} / ${progress.total}` : 'starting') : progress.status}
            {progress.message && progress.status !== 'running' ? ` · ${progress.message}` : ''}
          </span>
        </div>
      )}
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** Starts a research job through `call` and follows it: its result is fetched when it ends. */
export async function startJob(kind: ResearchKind, call: () => Promise<{ jobId: string }>): Promise<void> {
  const r = useResearch.getState();
  r.setError(kind, undefined);
  try {
    const { jobId } = await call();
    r.started(kind, jobId);
  } catch (e) {
    r.setError(kind, errorText(e));
  }
}

/** When the tab's job ends, load its result; poll the job list meanwhile, in case a push is missed. */
export function useJobCompletion(kind: ResearchKind): void {
  const active = useResearch((s) => s.active[kind]);
  const status = useResearch((s) => s.progress[kind]?.status);
  useEffect(() => {
    if (!active) return;
    const r = useResearch.getState();
    if (status === 'done') {
      client()
        .call('research.get', { jobId: active })
        .then((res) => r.setResult(res))
        .catch((e) => r.setError(kind, errorText(e)));
      return;
    }
    if (status !== 'running') return;
    const timer = setInterval(async () => {
      try {
        const mine = (await client().call('research.list', {})).find((j) => j.jobId === active);
        if (mine && mine.status !== 'running') r.onJob([{ jobId: active, kind, done: 1, total: 1, status: mine.status, message: mine.error }]);
      } catch {
        // the job topic may still bring it
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [active, status, kind]);
}

/** A form's state that survives switching tabs (kept per tab in memory). */
const kept = new Map<string, unknown>();
export function useKeptState<T>(key: string, init: () => T): [T, (u: T | ((old: T) => T)) => void] {
  const [v, set] = useState<T>(() => (kept.get(key) as T | undefined) ?? init());
  useEffect(() => void kept.set(key, v), [key, v]);
  return [v, set];
}

/** A research result's title, with its run id (what `keel rerun` and `keel report` take). */
export function ResultHead({ label, runId }: { label: string; runId?: string }) {
  return (
    <div className="bt-results-head">
      <h2>
        {label} <span className="dim small">run {runId}</span>
      </h2>
    </div>
  );
}

/** The summary cards over a result; `wide` names the one card that takes two columns. */
export function SummaryCards({ label, cards, wide }: { label: string; cards: [string, string][]; wide?: string }) {
  return (
    <section className="metrics" aria-label={label}>
      {cards.map(([k, v]) => (
        <div className={`metric${k === wide ? ' wide' : ''}`} key={k} role="group" aria-label={k} title={v}>
          <div className="metric-label">{k}</div>
          <div className="metric-value num">{v}</div>
        </div>
      ))}
    </section>
  );
}

/** A research tab: its setup on the left (resizable, remembered by `id`), its result or what to do on the right. */
export function ResearchTab({ id, what, form, result, empty }: { id: string; what: string; form: ReactNode; result: ReactNode | undefined; empty: string }) {
  return (
    <Split id={`research.${id}.side`} direction="row" initial={400} min={300} max={640} sized="first" label={`Resize ${what} setup`}>
      <div className="panel side-panel">{form}</div>
      <div className="panel">{result ?? <div className="panel pad dim">{empty}</div>}</div>
    </Split>
  );
}
