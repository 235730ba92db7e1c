import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useState } from 'react';
import type { GapReportDto, StrategyAction, StrategyInstanceDto, TradeGap } from '../../../engine/protocol';
import { liveConfirmation } from '../../../engine/protocol/definitions';
import { Grid } from '../components/Grid';
import { Split } from '../components/Split';
import { Tabs } from '../components/Tabs';
import { fmtDuration, fmtMoney, fmtPrice, fmtQty, fmtSigned, fmtTime } from '../lib/format';
import { useBacktest } from '../store/backtest';
import { ledgerColor, useDesk } from '../store/desk';
import { DestinationPicker, marketProblem, useDestination } from '../components/Destination';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { checkParams, defaultParams, type ParamValue } from './backtestForm';
import { numCol } from './columns';
import { ParamFields } from './ParamFields';
import { DatasetSelect, offered, StrategySelect } from './RunFields';

interface StartForm {
  strategy: string;
  dataset: string;
  allocation: string;
  maxDailyLossPct: string;
  maxExposure: string;
  params: Record<string, ParamValue>;
}

/** A positive number from a field, '' for none, or the problem. */
function optionalPositive(text: string, label: string, errors: string[]): number | undefined {
  if (text.trim() === '') return undefined;
  const x = Number(text);
  if (!(x > 0 && Number.isFinite(x))) errors.push(`${label} must be a positive number`);
  return x;
}

/** Where a strategy runs, as its row says it: `LIVE · account` in red, or `PAPER`. */
function RunsOn({ account, label }: { account: string | undefined; label: string }) {
  return (
    <span className={`mode-badge mode-${account !== undefined ? 'LIVE' : 'PAPER'}`} role="status" aria-label={label}>
      {account !== undefined ? `LIVE · ${account}` : 'PAPER'}
    </span>
  );
}

function StrategyStartForm() {
  const strategies = useBacktest((s) => s.strategies);
  const datasets = useMarket((s) => s.datasets);
  const cash = useDesk((s) => s.ledgers.find((l) => l.id === 'manual')?.cash);
  const [f, setF] = useState<StartForm>({ strategy: '', dataset: '', allocation: '5000', maxDailyLossPct: '', maxExposure: '', params: {} });
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // Where it runs: the paper desk unless the trader picks a live account, and then only with
  // that start's own typed confirmation (the engine's phrase, which it checks again).
  const destination = useDestination();
  const { account, deskState } = destination;
  const [confirm, setConfirm] = useState('');
  const phrase = account ? liveConfirmation(account.name) : '';

  useEffect(() => {
    setF((old) => {
      const { strategy, dataset } = offered(old, strategies, datasets);
      return { ...old, strategy, dataset, params: strategy === old.strategy ? old.params : defaultParams(strategies.find((s) => s.id === strategy)) };
    });
  }, [strategies, datasets]);

  const strat = strategies.find((s) => s.id === f.strategy);
  const errors: string[] = [];
  const params = checkParams(strat, f.params, errors);
  const allocation = Number(f.allocation);
  if (!(allocation > 0)) errors.push('Allocation must be a positive amount');
  // A live account's free cash is at the exchange: its desk checks the allocation against it.
  else if (!account && cash !== undefined && allocation > cash) errors.push(`Allocation is more than the manual ledger's free cash (${fmtMoney(cash)})`);
  const maxDailyLossPct = optionalPositive(f.maxDailyLossPct, 'Max daily loss', errors);
  if (maxDailyLossPct !== undefined && maxDailyLossPct > 100) errors.push('Max daily loss is a percentage up to 100');
  const maxExposure = optionalPositive(f.maxExposure, 'Max exposure', errors);
  const [symbol, timeframe] = f.dataset.split('|');
  const wrongVenue = marketProblem(account, symbol);
  if (wrongVenue) errors.push(wrongVenue);
  const held = account && deskState?.state !== 'ready' ? `${account.name} is ${deskState?.state ?? 'opening'}${deskState?.reason ? ` (${deskState.reason})` : ''}: a live strategy starts once it has reconciled` : undefined;
  const confirmed = !account || confirm === phrase;

  const start = async () => {
    if (errors.length > 0 || !strat || !symbol || !timeframe) return;
    setBusy(true);
    setError(undefined);
    try {
      const limits = { ...(maxDailyLossPct !== undefined && { maxDailyLossPct }), ...(maxExposure !== undefined && { maxExposure }) };
      const where = account ? { account: account.name, confirm } : {};
      const i = await client().call('strategies.start', { strategy: strat.id, params, symbol, timeframe, allocation, limits, ...where }, { timeoutMs: 120_000 });
      useDesk.getState().upsertInstance(i);
      useDesk.getState().select(i.id);
      setConfirm('');
      useUi.getState().notify('ok', `${i.id} is running${i.account !== undefined ? ` LIVE on ${i.account}` : ''} on ${i.symbol} ${i.timeframe}, warmed on ${i.warmup} bars`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={`bt-form ${account ? 'live-start' : ''}`}
      aria-label="Start a strategy"
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <h2>Run a strategy</h2>
      <DestinationPicker d={destination} badgeLabel="Where it runs" selectLabel="Runs on" title="Where the strategy's orders go" onPick={() => setConfirm('')} />
      <div className="form-grid">
        <StrategySelect strategies={strategies} value={f.strategy} onChange={(id) => setF({ ...f, strategy: id, params: defaultParams(strategies.find((s) => s.id === id)) })} />
        <DatasetSelect label="Market" rows={false} value={f.dataset} onChange={(dataset) => setF({ ...f, dataset })} />
        <label>
          Allocation
          <input inputMode="decimal" value={f.allocation} onChange={(e) => setF({ ...f, allocation: e.target.value })} />
        </label>
        <span className="dim small">{account ? `from ${account.name}'s manual ledger, at the exchange` : `from manual: ${fmtMoney(cash)} free`}</span>
        <label>
          Max daily loss %
          <input inputMode="decimal" placeholder="none" value={f.maxDailyLossPct} onChange={(e) => setF({ ...f, maxDailyLossPct: e.target.value })} />
        </label>
        <label>
          Max exposure
          <input inputMode="decimal" placeholder="none" value={f.maxExposure} onChange={(e) => setF({ ...f, maxExposure: e.target.value })} />
        </label>
      </div>
      {strat && <ParamFields strategy={strat} values={f.params} onChange={(p) => setF({ ...f, params: p })} />}
      {errors.length > 0 && strategies.length > 0 && <p className="down small">{errors[0]}</p>}
      {account ? (
        <>
          <p className="down small">
            LIVE: its orders go to {account.exchange} on account {account.name}, with real money, through the account&apos;s risk limits and kill switch. It is fed the exchange&apos;s live
            candles and warms up on the stored bars before now.
          </p>
          {held && <p className="warn small">{held}</p>}
          <label className="live-confirm">
            <span>
              Type <code>{phrase}</code> to start it live
            </span>
            <input aria-label="Live confirmation" autoComplete="off" spellCheck={false} value={confirm} placeholder={phrase} onChange={(e) => setConfirm(e.target.value)} />
          </label>
        </>
      ) : (
        <p className="dim small">It warms up on the stored bars before now (before a replay&apos;s cursor while one plays), then trades each closed bar on its own ledger.</p>
      )}
      <div className="row">
        <button type="submit" className={account ? 'danger' : 'primary'} disabled={busy || errors.length > 0 || !strat || !confirmed}>
          {account ? `Start LIVE on ${account.name}` : 'Start on paper'}
        </button>
      </div>
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const STATE_CLASS: Record<StrategyInstanceDto['state'], string> = { running: 'up', paused: 'warn', stopped: 'dim', failed: 'down' };

function position(i: StrategyInstanceDto): number {
  return i.ledger.positions.find((p) => p.symbol === i.symbol)?.qty ?? 0;
}

const ACTION_LABELS: Record<StrategyAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  stop_flatten: 'Stop & flatten',
  flatten: 'Flatten',
  takeover: 'Take over',
  release: 'Release capital',
};

/** What can be done to a strategy in its state: one rule for the buttons. */
function actionsFor(i: StrategyInstanceDto): StrategyAction[] {
  const live = i.state === 'running' || i.state === 'paused';
  const holds = i.ledger.positions.length > 0;
  const out: StrategyAction[] = [];
  if (i.state === 'running') out.push('pause');
  if (i.state === 'paused') out.push('resume');
  if (live) out.push('stop', 'stop_flatten');
  if (holds) out.push('flatten', 'takeover');
  if (!live && !holds && !i.ledger.closed && i.ledger.cash > 0) out.push('release');
  return out;
}

async function act(i: StrategyInstanceDto, action: StrategyAction): Promise<void> {
  try {
    const next = await client().call('strategies.control', { id: i.id, action });
    useDesk.getState().upsertInstance(next);
    useUi.getState().notify('ok', `${ACTION_LABELS[action]}: ${i.id} is ${next.state}`);
  } catch (e) {
    useUi.getState().notify('error', `${ACTION_LABELS[action]} ${i.id}: ${errorText(e)}`);
  }
}

function InstancesGrid({ rows, selected }: { rows: StrategyInstanceDto[]; selected: string | undefined }) {
  const cols = useMemo<ColDef<StrategyInstanceDto>[]>(
    () => [
      {
        field: 'id',
        headerName: 'Strategy',
        minWidth: 230,
        // Where it runs sits beside its name, so no row can be read without it.
        cellRenderer: (p: { data?: StrategyInstanceDto }) =>
          p.data ? (
            <span>
              <span className="swatch" style={{ background: ledgerColor(p.data.id) }} aria-hidden="true" /> {p.data.id} <RunsOn account={p.data.account} label={`${p.data.id} runs on`} />
            </span>
          ) : null,
      },
      { colId: 'market', headerName: 'Market', valueGetter: (p) => (p.data ? `${p.data.symbol} ${p.data.timeframe}` : ''), minWidth: 120 },
      { field: 'state', headerName: 'State', maxWidth: 90, cellClass: (p) => STATE_CLASS[p.value as StrategyInstanceDto['state']] },
      { colId: 'equity', headerName: 'Equity', type: 'rightAligned', cellClass: 'num', valueGetter: (p) => p.data?.ledger.equity, valueFormatter: (p) => fmtMoney(p.value as number) },
      {
        colId: 'pnl',
        headerName: 'PnL',
        type: 'rightAligned',
        valueGetter: (p) => (p.data ? p.data.ledger.realizedPnl + p.data.ledger.unrealizedPnl - p.data.ledger.fees : undefined),
        cellClass: (p) => ['num', (p.value as number) >= 0 ? 'up' : 'down'],
        valueFormatter: (p) => fmtSigned(p.value as number),
      },
      { colId: 'position', headerName: 'Position', type: 'rightAligned', cellClass: 'num', valueGetter: (p) => (p.data ? position(p.data) : undefined), valueFormatter: (p) => fmtQty(p.value as number) },
      numCol<StrategyInstanceDto>('workingOrders', 'Working', 'qty'),
      { colId: 'signal', headerName: 'Last signal', minWidth: 220, valueGetter: (p) => (p.data?.lastSignal ? `${fmtTime(p.data.lastSignal.ts)} ${p.data.lastSignal.text}` : '—') },
    ],
    [],
  );
  return (
    <Grid
      label="Strategies"
      rows={rows}
      columns={cols}
      rowId={(i) => i.id}
      empty="No strategy has run on this desk yet: start one on the left"
      onRowClicked={(i) => useDesk.getState().select(i.id)}
      rowClass={(i) => (i.id === selected ? 'selected-row' : undefined)}
    />
  );
}

function LogList({ id }: { id: string }) {
  const logs = useDesk((s) => s.logs[id]);
  useEffect(() => {
    client()
      .call('strategies.logs', { id, limit: 300 })
      .then((l) => useDesk.getState().setLogs(id, l))
      .catch(() => undefined);
  }, [id]);
  return (
    <ul className="logs pad" aria-label={`Log of ${id}`}>
      {[...(logs ?? [])].reverse().map((l, n) => (
        <li key={`${l.ts}-${n}`} className={`log-${l.kind === 'signal' ? 'info' : l.kind}`}>
          <span className="dim">{fmtTime(l.ts)}</span> <span className="lvl">{l.kind}</span> {l.message}
        </li>
      ))}
    </ul>
  );
}

const CAUSES: [keyof GapReportDto['causes'], string][] = [
  ['entryPrice', 'Entry prices'],
  ['exitPrice', 'Exit prices'],
  ['size', 'Sizes'],
  ['fees', 'Fees'],
  ['missed', 'Missed trades'],
  ['extra', 'Extra trades'],
  ['open', 'Open at the end'],
];

function GapReport({ id }: { id: string }) {
  const gap = useDesk((s) => s.gap[id]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      useDesk.getState().setGap(id, await client().call('strategies.gap', { id }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const cols = useMemo<ColDef<TradeGap>[]>(
    () => [
      { field: 'kind', headerName: 'Trade', maxWidth: 90, cellClass: (p) => (p.value === 'matched' ? '' : 'warn') },
      { field: 'side', headerName: 'Side', maxWidth: 70, valueFormatter: (p) => (p.value === 'buy' ? 'LONG' : 'SHORT') },
      { colId: 'entry', headerName: 'Entry', minWidth: 170, valueGetter: (p) => (p.data?.backtest ?? p.data?.forward)?.entryTime, valueFormatter: (p) => fmtTime(p.value as number) },
      { field: 'entryDelayMs', headerName: 'Late by', type: 'rightAligned', valueFormatter: (p) => (p.value === undefined ? '' : fmtDuration(p.value as number)) },
      { field: 'entrySlippage', headerName: 'Slip in', type: 'rightAligned', cellClass: 'num', valueFormatter: (p) => (p.value === undefined ? '' : fmtPrice(p.value as number)) },
      { field: 'exitSlippage', headerName: 'Slip out', type: 'rightAligned', cellClass: 'num', valueFormatter: (p) => (p.value === undefined ? '' : fmtPrice(p.value as number)) },
      { field: 'pnlDiff', headerName: 'PnL vs backtest', type: 'rightAligned', cellClass: (p) => ['num', (p.value as number) >= 0 ? 'up' : 'down'], valueFormatter: (p) => fmtSigned(p.value as number) },
      { field: 'note', headerName: 'Why', minWidth: 260, tooltipField: 'note' },
    ],
    [],
  );
  return (
    <div className="gap-report pad" aria-label="Gap report">
      <div className="row">
        <button className="primary" onClick={() => void run()} disabled={busy}>
          {gap ? 'Compare again' : 'Compare with its backtest'}
        </button>
        {gap && (
          <span className="small dim">
            {gap.bars.toLocaleString('en-US')} bars from {fmtTime(gap.from)} to {fmtTime(gap.to)} · fee {gap.fee * 100}% · slippage {gap.slippage * 100}%
          </span>
        )}
      </div>
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
      {gap && (
        <>
          <div className="metrics">
            <div className="metric">
              <div className="metric-label">Forward PnL</div>
              <div className={`metric-value ${gap.forwardPnl >= 0 ? 'up' : 'down'}`}>{fmtSigned(gap.forwardPnl)}</div>
            </div>
            <div className="metric">
              <div className="metric-label">Backtest PnL</div>
              <div className={`metric-value ${gap.backtestPnl >= 0 ? 'up' : 'down'}`}>{fmtSigned(gap.backtestPnl)}</div>
            </div>
            <div className="metric">
              <div className="metric-label">Gap</div>
              <div className={`metric-value ${gap.difference >= 0 ? 'up' : 'down'}`} aria-label="Gap in PnL">
                {fmtSigned(gap.difference)}
              </div>
            </div>
            {(['matched', 'missed', 'extra'] as const).map((k) => (
              <div className="metric" key={k}>
                <div className="metric-label">Trades {k}</div>
                <div className="metric-value">{gap.counts[k]}</div>
              </div>
            ))}
            <div className="metric">
              <div className="metric-label">Signals that differed</div>
              <div className="metric-value">{gap.signals.differing.length}</div>
            </div>
          </div>
          <table className="var-table" aria-label="What explains the gap">
            <thead>
              <tr>
                <th>Cause</th>
                <th className="num">PnL</th>
              </tr>
            </thead>
            <tbody>
              {CAUSES.map(([k, label]) => (
                <tr key={k}>
                  <td>{label}</td>
                  <td className={`num ${gap.causes[k] > 0 ? 'up' : gap.causes[k] < 0 ? 'down' : 'dim'}`}>{fmtSigned(gap.causes[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="gap-trades">
            <Grid label="Trades against the backtest" rows={gap.trades} columns={cols} rowId={(t) => `${t.kind}-${(t.backtest ?? t.forward)!.entryTime}-${t.side}`} empty="No trades on either side yet" />
          </div>
        </>
      )}
    </div>
  );
}

function Detail({ inst }: { inst: StrategyInstanceDto }) {
  const [tab, setTab] = useState<'log' | 'gap' | 'book'>('log');
  const l = inst.ledger;
  return (
    <Tabs<'log' | 'gap' | 'book'>
      label={`Strategy ${inst.id}`}
      active={tab}
      onChange={setTab}
      actions={
        <div className="cell-actions">
          <RunsOn account={inst.account} label="Selected strategy runs on" />
          {actionsFor(inst).map((a) => (
            <button key={a} className={a === 'stop_flatten' || a === 'flatten' ? 'danger' : undefined} aria-label={`${ACTION_LABELS[a]} ${inst.id}`} onClick={() => void act(inst, a)}>
              {ACTION_LABELS[a]}
            </button>
          ))}
        </div>
      }
      tabs={[
        { key: 'log', label: 'Log' },
        { key: 'gap', label: 'Gap report' },
        { key: 'book', label: 'Ledger' },
      ]}
    >
      {tab === 'log' && <LogList id={inst.id} />}
      {tab === 'gap' && <GapReport id={inst.id} />}
      {tab === 'book' && (
        <div className="pad">
          <p>
            <b>{inst.name}</b> · {inst.symbol} {inst.timeframe} · {Object.entries(inst.params).map(([k, v]) => `${k}=${v}`).join(' ')} · {inst.state}
            {inst.stateReason ? ` (${inst.stateReason})` : ''}
          </p>
          <dl className="kv" aria-label={`Ledger of ${inst.id}`}>
            <dt>Allocation</dt>
            <dd className="num">{fmtMoney(l.allocation)}</dd>
            <dt>Cash</dt>
            <dd className="num">{fmtMoney(l.cash)}</dd>
            <dt>Equity</dt>
            <dd className="num">{fmtMoney(l.equity)}</dd>
            <dt>Realized</dt>
            <dd className={`num ${l.realizedPnl >= 0 ? 'up' : 'down'}`}>{fmtSigned(l.realizedPnl)}</dd>
            <dt>Unrealized</dt>
            <dd className={`num ${l.unrealizedPnl >= 0 ? 'up' : 'down'}`}>{fmtSigned(l.unrealizedPnl)}</dd>
            <dt>Fees</dt>
            <dd className="num">{fmtMoney(l.fees)}</dd>
            <dt>Limits</dt>
            <dd>
              {l.limits.maxDailyLossPct !== undefined ? `daily loss ${l.limits.maxDailyLossPct}%` : 'no daily-loss limit'} · {l.limits.maxExposure !== undefined ? `exposure ${fmtMoney(l.limits.maxExposure)}` : 'exposure up to its cash'}
            </dd>
            <dt>Warm-up</dt>
            <dd>
              {inst.warmup} bars; first traded bar {fmtTime(inst.firstBarTs)}, last seen {fmtTime(inst.lastBarTs)}
            </dd>
          </dl>
        </div>
      )}
    </Tabs>
  );
}

/** Strategies running forward on paper or live on an exchange account, each on its own ledger: start, watch, pause, stop, take over, and the gap report. */
export function Strategies() {
  const instances = useDesk((s) => s.instances);
  const selected = useDesk((s) => s.selected);
  const rows = useMemo(() => Object.values(instances).sort((a, b) => b.createdAt - a.createdAt), [instances]);
  const inst = (selected && instances[selected]) || rows[0];
  useEffect(() => {
    client()
      .call('strategies.instances', {})
      .then((l) => useDesk.getState().setInstances(l))
      .catch(() => undefined);
  }, []);
  return (
    <Split id="strategies.side" direction="row" sized="first" initial={340} min={280} max={520} label="Resize strategy form">
      <div className="panel side-panel">
        <StrategyStartForm />
      </div>
      <Split id="strategies.detail" direction="column" sized="first" initial={240} min={120} max={700} label="Resize strategies list">
        <div className="panel">
          <InstancesGrid rows={rows} selected={inst?.id} />
        </div>
        <div className="panel">{inst ? <Detail key={inst.id} inst={inst} /> : <p className="pad dim">Start a strategy to see its log, its ledger and its gap report here.</p>}</div>
      </Split>
    </Split>
  );
}
