import { useEffect, useRef, useState } from 'react';
import { needsLimitPrice, needsStopPrice, SIZE_MODES, TIMES_IN_FORCE } from '../../../engine/protocol/definitions';
import type { OrderPreview, SizeMode, TimeInForce } from '../../../engine/protocol';
import { fmtMoney, fmtPrice, fmtQty } from '../lib/format';
import { useMarket } from '../store/market';
import { useRisk } from '../store/risk';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { emptyTicket, SIZE_LABELS, TICKET_TYPES, ticketToOrder, TYPE_LABELS, type TicketForm } from './ticket';

const PREVIEW_DEBOUNCE_MS = 250;

/**
 * Manual orders. The fee estimate and the risk verdict are shown before anything is sent:
 * every change asks the engine for a preview (debounced), and Place stays disabled until
 * the latest preview passed.
 */
export function OrderTicket() {
  const symbol = useMarket((s) => s.symbol);
  const tradingState = useRisk((s) => s.risk?.tradingState);
  const notify = useUi((s) => s.notify);
  const [f, setF] = useState<TicketForm>(emptyTicket);
  const [preview, setPreview] = useState<OrderPreview | undefined>();
  const [previewError, setPreviewError] = useState<string | undefined>();
  const [previewing, setPreviewing] = useState(false);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>();
  const seq = useRef(0);

  const built = ticketToOrder(symbol, f);
  const orderKey = 'order' in built ? JSON.stringify(built.order) : '';

  useEffect(() => {
    setPreview(undefined);
    setPreviewError(undefined);
    if (!('order' in built)) return;
    const my = ++seq.current;
    setPreviewing(true);
    const timer = setTimeout(() => {
      client()
        .call('orders.preview', built.order)
        .then((p) => my === seq.current && setPreview(p))
        .catch((e) => my === seq.current && setPreviewError(errorText(e)))
        .finally(() => my === seq.current && setPreviewing(false));
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orderKey, tradingState]);

  const set = <K extends keyof TicketForm>(k: K, v: TicketForm[K]) => {
    setResult(undefined);
    setF((old) => ({ ...old, [k]: v }));
  };

  const canPlace = 'order' in built && preview?.verdict.ok === true && !previewing && !sending;

  const place = async () => {
    if (!('order' in built)) return;
    setSending(true);
    try {
      const r = await client().call('orders.place', { ...built.order, clientOrderId: `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` });
      if (r.ok) {
        setResult({ ok: true, text: `Order ${r.orderId} sent` });
        notify('ok', `${f.side === 'buy' ? 'Buy' : 'Sell'} order sent`);
      } else {
        setResult({ ok: false, text: `Denied by ${r.check}: ${r.reason}` });
      }
    } catch (e) {
      setResult({ ok: false, text: errorText(e) });
    } finally {
      setSending(false);
      seq.current++; // the next change re-previews against the new state
      setF((old) => ({ ...old }));
    }
  };

  const sideWord = f.side === 'buy' ? 'Buy' : 'Sell';
  return (
    <form
      className={`ticket side-${f.side}`}
      aria-label="Order ticket"
      onSubmit={(e) => {
        e.preventDefault();
        if (canPlace) void place();
      }}
    >
      <h2>Order ticket</h2>
      <div className="seg wide" role="group" aria-label="Side">
        <button type="button" className="buy" aria-pressed={f.side === 'buy'} onClick={() => set('side', 'buy')}>
          Buy
        </button>
        <button type="button" className="sell" aria-pressed={f.side === 'sell'} onClick={() => set('side', 'sell')}>
          Sell
        </button>
      </div>
      <div className="form-grid">
        <label>
          Order type
          <select value={f.type} onChange={(e) => set('type', e.target.value as TicketForm['type'])}>
            {TICKET_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Size by
          <select value={f.sizeMode} onChange={(e) => set('sizeMode', e.target.value as SizeMode)}>
            {SIZE_MODES.map((m) => (
              <option key={m} value={m}>
                {SIZE_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <label className="span2">
          {SIZE_LABELS[f.sizeMode]}
          <input name="size" inputMode="decimal" value={f.size} onChange={(e) => set('size', e.target.value)} placeholder={f.sizeMode === 'riskPercent' ? 'e.g. 0.5' : '0'} />
        </label>
        {needsLimitPrice(f.type) && (
          <label>
            Limit price
            <input inputMode="decimal" value={f.price} onChange={(e) => set('price', e.target.value)} />
          </label>
        )}
        {needsStopPrice(f.type) && (
          <label>
            Stop price
            <input inputMode="decimal" value={f.stopPrice} onChange={(e) => set('stopPrice', e.target.value)} />
          </label>
        )}
        {f.sizeMode === 'riskPercent' && (
          <label>
            Protective stop
            <input inputMode="decimal" value={f.riskStop} onChange={(e) => set('riskStop', e.target.value)} />
          </label>
        )}
        <label>
          Time in force
          <select value={f.tif} onChange={(e) => set('tif', e.target.value as TimeInForce)}>
            {TIMES_IN_FORCE.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={f.reduceOnly} onChange={(e) => set('reduceOnly', e.target.checked)} />
          Reduce only
        </label>
      </div>

      <section className="preview" aria-label="Pre-trade check" aria-live="polite">
        {'missing' in built ? (
          <p className="dim">Enter {built.missing} to see the fee and risk check.</p>
        ) : previewError ? (
          <p className="down">{previewError}</p>
        ) : !preview ? (
          <p className="dim">Checking…</p>
        ) : (
          <>
            <dl>
              <dt>Quantity</dt>
              <dd className="num">{fmtQty(preview.qty)}</dd>
              <dt>Reference</dt>
              <dd className="num">{fmtPrice(preview.referencePrice)}</dd>
              <dt>Notional</dt>
              <dd className="num">{fmtMoney(preview.notional)}</dd>
              <dt>Est. fee</dt>
              <dd className="num">{fmtMoney(preview.estimatedFee, 4)}</dd>
            </dl>
            {preview.verdict.ok ? (
              <p className="verdict ok" role="status">
                Risk check passed
              </p>
            ) : (
              <p className="verdict bad" role="status">
                Blocked by {preview.verdict.check}: {preview.verdict.reason}
              </p>
            )}
          </>
        )}
      </section>

      <button type="submit" className={`place ${f.side}`} disabled={!canPlace} aria-label={`Place ${f.side} order`}>
        {sending ? 'Sending…' : `${sideWord} ${'order' in built ? fmtQty(preview?.qty ?? built.order.size) : ''} ${symbol ?? ''} · ${TYPE_LABELS[f.type]}`}
      </button>
      {result && (
        <p className={result.ok ? 'up' : 'down'} role="alert">
          {result.text}
        </p>
      )}
    </form>
  );
}
