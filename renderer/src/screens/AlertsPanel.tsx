import { useState } from 'react';
import {
  ALERT_KIND_LABELS,
  ALERT_KINDS,
  ALERT_MODES,
  CROSSINGS,
  DENIAL_BURST_DEFAULT,
  INDICATOR_OPS,
  LINE_DRAWINGS,
  RISK_EVENT_LABELS,
  RISK_EVENTS,
  STRATEGY_EVENTS,
  describeCondition,
} from '../../../engine/protocol/definitions';
import type { AlertCondition, AlertKind, AlertMode, AlertRule, Drawing, StrategyEventKind } from '../../../engine/protocol';
import { fmtTime } from '../lib/format';
import { numberProblem } from '../lib/numbers';
import { createAlert, deleteAlert, updateAlert, useAlerts } from '../store/alerts';
import { useBacktest } from '../store/backtest';
import { useDesk } from '../store/desk';
import { useDrawings } from '../store/drawings';
import { isPattern, useMarket } from '../store/market';
import { usePrices } from '../store/prices';
import { useUi } from '../store/ui';
import { errorText } from '../store/wire';
import { drawingName } from './DrawingTools';

const CROSS_LABELS = { any: 'either way', up: 'upward', down: 'downward' } as const;
const OP_LABELS = { crosses_above: 'crosses above', crosses_below: 'crosses below', above: 'is above', below: 'is below' } as const;
const NONE: Drawing[] = [];

/** How a rule reads in the list: a drawing is named by what it is and where. */
function ruleText(r: AlertRule, drawings: Record<string, Drawing[]>): string {
  const c = r.condition;
  if (c.kind !== 'drawing') return describeCondition(c);
  const d = (drawings[c.symbol] ?? []).find((x) => x.id === c.drawingId);
  return describeCondition(c, d ? `the ${drawingName(d).toLowerCase()}` : undefined);
}

/** The form of a new alert: a field set per kind of condition, then once or every time. */
function NewAlert() {
  const symbol = useMarket((s) => s.symbol);
  const timeframe = useMarket((s) => s.timeframe);
  const catalogue = useMarket((s) => s.catalogue);
  const strategies = useBacktest((s) => s.strategies);
  const instances = useDesk((s) => s.instances);
  const drawings = useDrawings((s) => (symbol ? (s.bySymbol[symbol] ?? NONE) : NONE));
  const lastPrice = usePrices((s) => (symbol ? s.last[symbol]?.price : undefined));
  const notify = useUi((s) => s.notify);
  const [kind, setKind] = useState<AlertKind>('price');
  const [level, setLevel] = useState('');
  const [cross, setCross] = useState<(typeof CROSSINGS)[number]>('any');
  const [drawingId, setDrawingId] = useState('');
  const [indicator, setIndicator] = useState('rsi');
  const [params, setParams] = useState<Record<string, string>>({});
  const [output, setOutput] = useState('value');
  const [op, setOp] = useState<(typeof INDICATOR_OPS)[number]>('crosses_above');
  const [value, setValue] = useState('70');
  const [strategy, setStrategy] = useState('');
  const [event, setEvent] = useState<StrategyEventKind | ''>('');
  const [riskEvent, setRiskEvent] = useState<(typeof RISK_EVENTS)[number]>('breaker');
  const [burst, setBurst] = useState({ count: String(DENIAL_BURST_DEFAULT.count), windowSec: String(DENIAL_BURST_DEFAULT.windowSec) });
  const [mode, setMode] = useState<AlertMode>('once');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const lines = drawings.filter((d) => LINE_DRAWINGS.includes(d.kind));
  const entry = catalogue.find((c) => c.id === indicator);
  const indicators = catalogue.filter((c) => !isPattern(c));

  /** The condition the form describes, or what is wrong with it. */
  const build = (): { condition: AlertCondition } | { problem: string } => {
    switch (kind) {
      case 'price': {
        if (!symbol) return { problem: 'open a symbol on the chart first' };
        const p = numberProblem('the level', level) ?? (level.trim() === '' ? 'the level is missing' : undefined);
        return p ? { problem: p } : { condition: { kind, symbol, level: Number(level), cross } };
      }
      case 'drawing':
        if (!symbol || !drawingId) return { problem: 'draw a horizontal line, a trend line or a ray first, then pick it' };
        return { condition: { kind, symbol, drawingId, cross } };
      case 'indicator': {
        if (!symbol || !timeframe || !entry) return { problem: 'pick an indicator' };
        const v = numberProblem('the value', value, { positive: false }) ?? (value.trim() === '' ? 'the value is missing' : undefined);
        if (v) return { problem: v };
        const ps: Record<string, number> = {};
        for (const p of entry.params) {
          const raw = params[p.name] ?? String(p.default);
          const n = Number(raw);
          if (raw.trim() === '' || !Number.isFinite(n)) return { problem: `${p.label} must be a number` };
          ps[p.name] = n;
        }
        const out = entry.outputs.some((o) => o.name === output) ? output : entry.outputs[0]!.name;
        return { condition: { kind, symbol, timeframe, indicator, params: ps, output: out, op, value: Number(value) } };
      }
      case 'strategy':
        return { condition: { kind, ...(strategy && { strategy }), ...(event && { event }) } };
      case 'risk': {
        if (riskEvent !== 'denial_burst') return { condition: { kind, event: riskEvent } };
        const c = Number(burst.count);
        const w = Number(burst.windowSec);
        if (!Number.isInteger(c) || c < 1) return { problem: 'the number of denials must be a whole number above 0' };
        if (!Number.isInteger(w) || w < 1) return { problem: 'the window must be a whole number of seconds above 0' };
        return { condition: { kind, event: riskEvent, count: c, windowSec: w } };
      }
    }
  };
  const built = build();

  return (
    <form
      className="form-grid alert-form"
      aria-label="New alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (!('condition' in built)) return;
        setBusy(true);
        createAlert({ condition: built.condition, mode, ...(note.trim() && { note: note.trim() }) })
          .then((r) => {
            notify('ok', `Alert set: ${describeCondition(r.condition)}`);
            setNote('');
          })
          .catch((err) => notify('error', `Alert not set: ${errorText(err)}`))
          .finally(() => setBusy(false));
      }}
    >
      <label className="span2">
        Alert on
        <select value={kind} onChange={(e) => setKind(e.target.value as AlertKind)}>
          {ALERT_KINDS.map((k) => (
            <option key={k} value={k}>
              {ALERT_KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      {kind === 'price' && (
        <label>
          Level ({symbol})
          <input inputMode="decimal" value={level} placeholder={lastPrice ? String(lastPrice) : ''} onChange={(e) => setLevel(e.target.value)} />
        </label>
      )}
      {kind === 'drawing' && (
        <label>
          Line on {symbol}
          <select value={drawingId} onChange={(e) => setDrawingId(e.target.value)}>
            <option value="">{lines.length ? 'Pick a line…' : 'no lines drawn'}</option>
            {lines.map((d) => (
              <option key={d.id} value={d.id}>
                {drawingName(d)}
              </option>
            ))}
          </select>
        </label>
      )}
      {(kind === 'price' || kind === 'drawing') && (
        <label>
          Crossing
          <select value={cross} onChange={(e) => setCross(e.target.value as typeof cross)}>
            {CROSSINGS.map((c) => (
              <option key={c} value={c}>
                {CROSS_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'indicator' && (
        <>
          <label>
            Indicator ({timeframe})
            <select
              value={indicator}
              onChange={(e) => {
                setIndicator(e.target.value);
                setParams({});
                setOutput(catalogue.find((c) => c.id === e.target.value)?.outputs[0]?.name ?? 'value');
              }}
            >
              {indicators.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          {entry && entry.outputs.length > 1 && (
            <label>
              Output
              <select value={output} onChange={(e) => setOutput(e.target.value)}>
                {entry.outputs.map((o) => (
                  <option key={o.name} value={o.name}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {entry?.params.map((p) => (
            <label key={p.name}>
              {p.label}
              <input inputMode="decimal" value={params[p.name] ?? String(p.default)} onChange={(e) => setParams({ ...params, [p.name]: e.target.value })} />
            </label>
          ))}
          <label>
            Condition
            <select value={op} onChange={(e) => setOp(e.target.value as typeof op)}>
              {INDICATOR_OPS.map((o) => (
                <option key={o} value={o}>
                  {OP_LABELS[o]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Value
            <input inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />
          </label>
        </>
      )}
      {kind === 'strategy' && (
        <>
          <label>
            Strategy
            <select value={strategy} onChange={(e) => setStrategy(e.target.value)}>
              <option value="">any strategy</option>
              {strategies.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} (every run)
                </option>
              ))}
              {Object.values(instances).map((i) => (
                <option key={i.id} value={i.id}>
                  {i.id} (running on {i.symbol} {i.timeframe})
                </option>
              ))}
            </select>
          </label>
          <label>
            Event
            <select value={event} onChange={(e) => setEvent(e.target.value as StrategyEventKind | '')}>
              <option value="">any event</option>
              {STRATEGY_EVENTS.map((ev) => (
                <option key={ev} value={ev}>
                  {ev}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {kind === 'risk' && (
        <>
          <label className={riskEvent === 'denial_burst' ? undefined : 'span2'}>
            Event
            <select value={riskEvent} onChange={(e) => setRiskEvent(e.target.value as typeof riskEvent)}>
              {RISK_EVENTS.map((r) => (
                <option key={r} value={r}>
                  {RISK_EVENT_LABELS[r]}
                </option>
              ))}
            </select>
          </label>
          {riskEvent === 'denial_burst' && (
            <label>
              Denials / seconds
              <span className="row tight">
                <input aria-label="Denials" inputMode="numeric" value={burst.count} onChange={(e) => setBurst({ ...burst, count: e.target.value })} />
                <input aria-label="Seconds" inputMode="numeric" value={burst.windowSec} onChange={(e) => setBurst({ ...burst, windowSec: e.target.value })} />
              </span>
            </label>
          )}
        </>
      )}
      <label>
        Fires
        <select value={mode} onChange={(e) => setMode(e.target.value as AlertMode)}>
          {ALERT_MODES.map((m) => (
            <option key={m} value={m}>
              {m === 'once' ? 'once' : 'every time'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note
        <input value={note} maxLength={500} placeholder="optional" onChange={(e) => setNote(e.target.value)} />
      </label>
      {'problem' in built && <p className="span2 dim small">{built.problem}</p>}
      <button type="submit" className="primary span2" disabled={busy || !('condition' in built)}>
        Set alert
      </button>
    </form>
  );
}

/** Alerts: a new one, the rules set (on/off, delete) and the log of what fired. */
export function AlertsPanel() {
  const rules = useAlerts((s) => s.rules);
  const log = useAlerts((s) => s.log);
  const drawings = useDrawings((s) => s.bySymbol);
  const notify = useUi((s) => s.notify);
  return (
    <section className="alerts-panel" aria-label="Alerts">
      <NewAlert />
      <h3>Alerts set</h3>
      {rules.length === 0 && <p className="dim small">None yet.</p>}
      <ul className="rule-list" aria-label="Alert rules">
        {rules.map((r) => (
          <li key={r.id} className={r.enabled ? '' : 'off'}>
            <label className="check" title={r.enabled ? 'On: switch off' : 'Off: switch on'}>
              <input type="checkbox" checked={r.enabled} aria-label={`Alert on: ${ruleText(r, drawings)}`} onChange={(e) => void updateAlert({ id: r.id, enabled: e.target.checked }).catch((err) => notify('error', errorText(err)))} />
              <span>
                {ruleText(r, drawings)}
                <span className="dim small">
                  {' '}
                  · {r.mode === 'once' ? 'once' : 'every time'}
                  {r.fired > 0 ? ` · fired ${r.fired}×, last ${fmtTime(r.lastFiredAt)}` : ''}
                  {r.note ? ` · ${r.note}` : ''}
                </span>
              </span>
            </label>
            <button className="cell-btn" aria-label={`Delete alert: ${ruleText(r, drawings)}`} onClick={() => void deleteAlert(r.id).catch((err) => notify('error', errorText(err)))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <h3>Fired</h3>
      {log.length === 0 && <p className="dim small">Nothing has fired.</p>}
      <ul className="alert-log" aria-label="Alert log">
        {log.slice(0, 30).map((e) => (
          <li key={`${e.id}-${e.ts}`}>
            <span className="dim">{fmtTime(e.ts)}</span> <b>{e.title}</b> <span>{e.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
