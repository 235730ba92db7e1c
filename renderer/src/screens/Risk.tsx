import { Fragment, useEffect, useState } from 'react';
import type { RiskLimits } from '../../../engine/protocol';
import { LIMIT_KEYS, limitInputAttributes, limitRangeText, RISK_LIMIT_SPECS, type LimitKey } from '../../../engine/protocol/definitions';
import { limitChanges } from './limits';
import { Meter } from '../components/Meter';
import { fmtMoney, fmtTime } from '../lib/format';
import { LiveDesks } from './LiveDesks';
import { RiskAnalytics } from './RiskAnalytics';
import { useRisk } from '../store/risk';
import { useTrading } from '../store/trading';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { denialText } from '../lib/orderText';

function LimitsForm({ limits }: { limits: RiskLimits }) {
  const setRisk = useRisk((s) => s.setRisk);
  const notify = useUi((s) => s.notify);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setDraft({}), [limits]);
  const value = (k: LimitKey) => draft[k] ?? String(limits[k]);
  const { changes, problems } = limitChanges(limits, draft);
  const problemOf = new Map(problems.map((p) => [p.key, p.message]));
  const dirty = Object.keys(changes).length > 0;
  const edit = (k: LimitKey, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  const save = async () => {
    if (problems.length > 0 || !dirty) return;
    setError(undefined);
    try {
      await client().call('risk.setLimits', changes);
      setRisk(await client().call('risk.state', {}));
      notify('ok', 'Risk limits saved');
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <form
      className="limits"
      aria-label="Risk limits"
      // The one definition's check speaks for itself below each field; the browser's own bubbles would say less.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Limits</h2>
      <div className="limits-grid">
        {LIMIT_KEYS.map((k) => {
          const spec = RISK_LIMIT_SPECS[k];
          const problem = problemOf.get(k);
          const help = `${spec.help} Allowed: ${limitRangeText(spec)}.`;
          const describedBy = problem ? `limit-${k}-problem` : undefined;
          return (
            <Fragment key={k}>
              <label title={help}>
                <span>{spec.label}</span>
                {spec.kind === 'enum' ? (
                  <select name={k} value={value(k)} onChange={(e) => edit(k, e.target.value)}>
                    {spec.values.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    name={k}
                    {...limitInputAttributes(spec)}
                    inputMode={spec.kind === 'int' && spec.min.value >= 0 ? 'numeric' : 'decimal'}
                    value={value(k)}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={describedBy}
                    onChange={(e) => edit(k, e.target.value)}
                  />
                )}
                <span className="dim unit">{spec.kind === 'enum' ? '' : spec.unit}</span>
              </label>
              {problem && (
                <span id={describedBy} className="down limit-problem" role="alert">
                  {problem}
                </span>
              )}
            </Fragment>
          );
        })}
      </div>
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={!dirty || problems.length > 0}>
          Save limits
        </button>
        <button type="button" disabled={Object.keys(draft).length === 0} onClick={() => setDraft({})}>
          Discard changes
        </button>
      </div>
    </form>
  );
}

export function Risk() {
  const risk = useRisk((s) => s.risk);
  const denials = useTrading((s) => s.denials);
  const openKill = useUi((s) => s.setKillConfirm);
  // Re-asked when fills change the book, not on every risk push.
  const fillCount = useTrading((s) => s.fills.length);
  const setRisk = useRisk((s) => s.setRisk);
  // Fresh gauges on opening the screen, whatever the last push carried.
  useEffect(() => {
    client()
      .call('risk.state', {})
      .then(setRisk)
      .catch(() => undefined);
  }, [setRisk, fillCount]);
  if (!risk) return <div className="panel pad dim">Waiting for the risk engine…</div>;
  const g = risk.gauges;
  const l = risk.limits;
  return (
    <div className="risk-screen">
      <div className="panel pad">
        <h2>Risk state</h2>
        <div className="risk-state">
          <span className={`state-badge big state-${risk.tradingState}`}>{risk.tradingState}</span>
          <div>
            <div>
              Kill switch:{' '}
              {risk.killSwitch.engaged ? (
                <strong className="down">ENGAGED since {fmtTime(risk.killSwitch.since)}</strong>
              ) : (
                <strong className="up">off</strong>
              )}
            </div>
            {risk.killSwitch.reason && <div className="dim">{risk.killSwitch.reason}</div>}
          </div>
          <button className={`kill ${risk.killSwitch.engaged ? 'engaged' : ''}`} onClick={() => openKill(true)}>
            {risk.killSwitch.engaged ? 'Reset kill switch…' : 'Engage kill switch…'}
          </button>
        </div>
        <div className="meters">
          <Meter label="Daily loss used" value={g.dailyLossUsedPct} detail={`${g.dailyLossPct.toFixed(2)}% of equity today; limit ${l.maxDailyLossPct}%`} />
          <Meter label="Exposure used" value={g.exposureUsedPct} detail={`${fmtMoney(g.exposure)} of ${fmtMoney(g.exposureLimit)} (${l.maxExposurePct}% of equity)`} />
          <Meter label="Open positions" value={l.maxOpenPositions > 0 ? (g.openPositions / l.maxOpenPositions) * 100 : 0} detail={`${g.openPositions} of ${l.maxOpenPositions}`} />
          <Meter label="Drawdown" value={l.maxDrawdownPct > 0 ? (g.drawdownPct / l.maxDrawdownPct) * 100 : 0} detail={`${g.drawdownPct.toFixed(2)}% of ${l.maxDrawdownPct}% allowed`} />
        </div>
        <LiveDesks />
        <h3>Recent denials</h3>
        {risk.lastDenial || denials.length ? (
          <ul className="denials">
            {(denials.length ? denials : [risk.lastDenial!]).slice(0, 8).map((d, i) => (
              <li key={i}>
                <span className="dim">{fmtTime(d.ts)}</span> {denialText(d.check, d.reason)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="dim">None.</p>
        )}
        <RiskAnalytics title="Portfolio VaR and stress" request={{ source: 'portfolio' }} refresh={fillCount} />
      </div>
      <div className="panel pad">
        <LimitsForm limits={l} />
      </div>
    </div>
  );
}
