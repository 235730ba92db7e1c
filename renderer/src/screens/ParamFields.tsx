import type { StrategyInfo } from '../../../engine/protocol';
import { rangeHint, type ParamValue } from './backtestForm';

/** A strategy's parameters as form fields, each with the range it accepts; one for every form that starts a strategy. */
export function ParamFields({ strategy, values, onChange }: { strategy: StrategyInfo; values: Record<string, ParamValue>; onChange(next: Record<string, ParamValue>): void }) {
  if (strategy.params.length === 0) return null;
  return (
    <fieldset>
      <legend>Parameters</legend>
      <div className="form-grid">
        {strategy.params.map((p) => {
          const v = values[p.name] ?? p.default;
          const setV = (nv: ParamValue) => onChange({ ...values, [p.name]: nv });
          return (
            <label key={p.name} title={p.description} className={p.kind === 'bool' ? 'check' : undefined}>
              {p.kind === 'bool' ? (
                <>
                  <input type="checkbox" checked={Boolean(v)} onChange={(e) => setV(e.target.checked)} />
                  {p.name}
                </>
              ) : (
                <>
                  <span>
                    {p.name} <span className="dim small">{rangeHint(p)}</span>
                  </span>
                  {p.kind === 'choice' ? (
                    <select value={String(v)} onChange={(e) => setV(e.target.value)} aria-label={p.name}>
                      {(p.choices ?? []).map((c) => (
                        <option key={c}>{c}</option>
                      ))}
                    </select>
                  ) : (
                    <input type="number" aria-label={p.name} value={String(v)} min={p.min} max={p.max} step={p.step ?? (p.kind === 'int' ? 1 : 'any')} onChange={(e) => setV(e.target.value)} />
                  )}
                </>
              )}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
