import type { DatasetInfo, StrategyInfo } from '../../../engine/protocol';
import { fmtDate } from '../lib/format';
import { useMarket } from '../store/market';
import { datasetKey } from './backtestForm';

/**
 * The fields every form that runs a strategy over stored bars shares (backtest, the research
 * tabs, a strategy started on the desk), so they read and behave the same everywhere.
 */

/** The form's strategy and dataset kept among what the engine offers (the first of each until it answers). */
export function offered(old: { strategy: string; dataset: string }, strategies: readonly StrategyInfo[], datasets: readonly DatasetInfo[]): { strategy: string; dataset: string } {
  const strategy = old.strategy && strategies.some((s) => s.id === old.strategy) ? old.strategy : (strategies[0]?.id ?? '');
  const dataset = old.dataset && datasets.some((d) => datasetKey(d) === old.dataset) ? old.dataset : datasets[0] ? datasetKey(datasets[0]) : '';
  return { strategy, dataset };
}

export function StrategySelect({ strategies, value, onChange }: { strategies: readonly StrategyInfo[]; value: string; onChange: (id: string) => void }) {
  const strat = strategies.find((s) => s.id === value);
  return (
    <>
      <label className="span2">
        Strategy
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          {strategies.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {strat?.description && <p className="span2 dim small">{strat.description}</p>}
    </>
  );
}

/** A stored dataset; `rows` adds its bar count (what a backtest runs over). */
export function DatasetSelect({ label = 'Dataset', value, onChange, rows = true }: { label?: string; value: string; onChange: (key: string) => void; rows?: boolean }) {
  const datasets = useMarket((s) => s.datasets);
  return (
    <label className="span2">
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {datasets.map((d) => (
          <option key={datasetKey(d)} value={datasetKey(d)}>
            {d.symbol} · {d.timeframe}
            {rows ? ` · ${d.rows.toLocaleString('en-US')} bars` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface PeriodCosts {
  dataset: string;
  from: string;
  to: string;
  capital: string;
  feePct: string;
  slippagePct: string;
}

/** From and To within the dataset's span, then capital, fee and slippage. */
export function PeriodCostFields<F extends PeriodCosts>({ f, setF }: { f: F; setF: (f: F) => void }) {
  const ds = useMarket((s) => s.datasets.find((d) => datasetKey(d) === f.dataset));
  const min = ds ? fmtDate(ds.from) : undefined;
  const max = ds ? fmtDate(ds.to) : undefined;
  return (
    <>
      <label>
        From
        <input type="date" value={f.from} min={min} max={max} onChange={(e) => setF({ ...f, from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" value={f.to} min={min} max={max} onChange={(e) => setF({ ...f, to: e.target.value })} />
      </label>
      <label>
        Capital
        <input inputMode="decimal" value={f.capital} onChange={(e) => setF({ ...f, capital: e.target.value })} />
      </label>
      <label>
        Fee %
        <input inputMode="decimal" value={f.feePct} onChange={(e) => setF({ ...f, feePct: e.target.value })} />
      </label>
      <label>
        Slippage %
        <input inputMode="decimal" value={f.slippagePct} onChange={(e) => setF({ ...f, slippagePct: e.target.value })} />
      </label>
    </>
  );
}
