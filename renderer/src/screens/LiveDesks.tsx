import { useEffect, useState } from 'react';
import type { ExchangeOrderDto, LiveAccountStatusDto, OrderSnapshot } from '../../../engine/protocol';
import { fmtPrice, fmtQty, fmtTime } from '../lib/format';
import { useLive } from '../store/live';
import { isWorkingStatus } from '../store/trading';
import { useUi } from '../store/ui';
import { client, errorText, refreshLiveStatus } from '../store/wire';

type Action = 'adopt' | 'cancel' | 'ignore';

/**
 * The live accounts' desks on the Risk screen: each one's reconciliation with its exchange
 * (`live.status`), whether it takes orders, and what it found that Keel did not place, for the
 * trader to adopt, cancel or ignore (`live.resolve`). Nothing found is touched without that.
 */
export function LiveDesks() {
  const status = useLive((s) => s.status);
  useEffect(() => {
    void refreshLiveStatus().catch(() => undefined);
  }, []);
  if (status.length === 0) return null;
  return (
    <section aria-label="Live accounts">
      <h3>Live accounts</h3>
      {status.map((d) => (
        <LiveDesk key={d.account} d={d} />
      ))}
    </section>
  );
}

/** The session's states as a trader reads them: only `ready` takes orders. */
function stateWord(state: string): string {
  return state === 'ready' ? 'reconciled' : state === 'starting' || state === 'opening' ? 'reconciling' : state;
}

function LiveDesk({ d }: { d: LiveAccountStatusDto }) {
  const notify = useUi((s) => s.notify);
  const [busy, setBusy] = useState<string | undefined>();
  const [orders, setOrders] = useState<OrderSnapshot[]>([]);
  const ready = d.state === 'ready';
  const r = d.report;

  // The desk's own orders, for the working ones' Cancel: asked with each status poll.
  useEffect(() => {
    if (d.state === 'opening' || d.state === 'failed to open') return;
    client()
      .call('live.orders', { account: d.account, limit: 50 })
      .then(setOrders)
      .catch(() => undefined);
  }, [d]);

  const resolve = async (o: ExchangeOrderDto, action: Action) => {
    setBusy(o.clientOrderId);
    try {
      await client().call('live.resolve', { account: d.account, clientOrderId: o.clientOrderId, action });
      notify('ok', `${o.clientOrderId}: ${action === 'adopt' ? 'adopted into the manual ledger' : action === 'cancel' ? `cancelled at ${d.exchange}` : 'ignored until the next reconciliation'}`);
    } catch (e) {
      notify('error', errorText(e));
    }
    setBusy(undefined);
    await refreshLiveStatus().catch(() => undefined);
  };

  const cancel = async (o: OrderSnapshot) => {
    setBusy(o.id);
    try {
      const { cancelled } = await client().call('live.cancel', { account: d.account, orderId: o.id });
      notify(cancelled ? 'ok' : 'error', cancelled ? `Cancel of ${o.id} sent to ${d.exchange}` : `${o.id} could not be cancelled`);
    } catch (e) {
      notify('error', errorText(e));
    }
    setBusy(undefined);
    await refreshLiveStatus().catch(() => undefined);
  };

  const found: { kind: string; o: ExchangeOrderDto }[] = [...(r?.external ?? []).map((o) => ({ kind: 'external', o })), ...(r?.strays ?? []).map((o) => ({ kind: 'stray', o }))];
  const working = orders.filter((o) => isWorkingStatus(o.status));
  return (
    <div className="live-desk" role="region" aria-label={`Live account ${d.account}`}>
      <div className="row live-desk-head">
        <span className="mode-badge mode-LIVE">LIVE · {d.account}</span>
        <span className="dim">{d.exchange}</span>
        <span className={`state-pill ${ready ? 'ready' : d.state.includes('fail') ? 'degraded' : 'starting'}`} role="status" aria-label={`Reconciliation ${d.account}`}>
          {stateWord(d.state)}
        </span>
        <span className={ready ? 'up small' : 'down small'} aria-label={`Trading ${d.account}`}>
          {ready ? 'taking orders' : 'trading held'}
        </span>
      </div>
      {d.reason && <p className="dim small">{d.reason}</p>}
      {d.cancelOnDisconnect && (
        <p className="dim small" aria-label={`Cancel on disconnect ${d.account}`}>
          {d.cancelOnDisconnect}
        </p>
      )}
      {r && (
        <p className="dim small">
          Last reconciled {fmtTime(r.at)}: {r.acknowledged} acknowledged, {r.fills} fills and {r.closed} closed brought in.
        </p>
      )}
      {found.length > 0 ? (
        <table className="var-table" aria-label={`Found at ${d.exchange}`}>
          <thead>
            <tr>
              <th>Found</th>
              <th>Client id</th>
              <th>Symbol</th>
              <th>Side</th>
              <th className="num">Qty</th>
              <th className="num">Price</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {found.map(({ kind, o }) => (
              <tr key={o.clientOrderId} aria-label={`Found order ${o.clientOrderId}`}>
                <td title={kind === 'stray' ? 'open under this instance’s prefix, not in its journal' : 'not placed by Keel'}>{kind}</td>
                <td className="mono">{o.clientOrderId}</td>
                <td>{o.symbol}</td>
                <td className={o.side === 'buy' ? 'up' : 'down'}>{o.side}</td>
                <td className="num">
                  {fmtQty(o.filledQty)}/{fmtQty(o.qty)}
                </td>
                <td className="num">{o.price === undefined ? 'market' : fmtPrice(o.price)}</td>
                <td>{o.status}</td>
                <td className="actions">
                  {(['adopt', 'cancel', 'ignore'] as const).map((a) => (
                    <button key={a} type="button" className={a === 'cancel' ? 'danger' : ''} disabled={busy !== undefined} onClick={() => void resolve(o, a)}>
                      {a[0]!.toUpperCase() + a.slice(1)}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        r && <p className="dim small">Nothing at {d.exchange} that Keel did not place.</p>
      )}
      {r && r.unresolved.length > 0 && (
        <ul className="denials" aria-label={`Unresolved ${d.account}`}>
          {r.unresolved.map((u) => (
            <li key={u.clientOrderId}>
              <span className="mono">{u.clientOrderId}</span> <span className="down">{u.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {r && r.balances.length > 0 && (
        <table className="var-table" aria-label={`Balance differences ${d.account}`}>
          <thead>
            <tr>
              <th>Asset</th>
              <th className="num">Exchange</th>
              <th className="num">Keel</th>
              <th className="num">Diff</th>
            </tr>
          </thead>
          <tbody>
            {r.balances.map((b) => (
              <tr key={b.asset}>
                <td>{b.asset}</td>
                <td className="num">{fmtQty(b.venue)}</td>
                <td className="num">{fmtQty(b.keel)}</td>
                <td className="num down">{fmtQty(b.diff)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {working.length > 0 && (
        <table className="var-table" aria-label={`Working orders ${d.account}`}>
          <thead>
            <tr>
              <th>Order</th>
              <th>Symbol</th>
              <th>Side</th>
              <th className="num">Qty</th>
              <th className="num">Price</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {working.map((o) => (
              <tr key={o.id} aria-label={`Live order ${o.id}`}>
                <td className="mono">{o.id}</td>
                <td>{o.symbol}</td>
                <td className={o.side === 'buy' ? 'up' : 'down'}>{o.side}</td>
                <td className="num">{fmtQty(o.qty)}</td>
                <td className="num">{o.price === undefined ? 'market' : fmtPrice(o.price)}</td>
                <td>{o.status}</td>
                <td className="actions">
                  <button type="button" disabled={busy !== undefined} onClick={() => void cancel(o)}>
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
