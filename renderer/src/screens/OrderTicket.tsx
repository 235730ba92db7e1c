import { useEffect, useRef, useState } from 'react';
import { needsLimitPrice, needsStopPrice, SIZE_MODES, TIMES_IN_FORCE } from '../../../engine/protocol/definitions';
import type { OrderPreview, OrderSnapshot, SizeMode, TimeInForce } from '../../../engine/protocol';
import { fmtMoney, fmtPrice, fmtQty } from '../lib/format';
import { acceptsNumberInput, numberProblem } from '../lib/numbers';
import { denialText, orderText } from '../lib/orderText';
import { DestinationPicker, marketProblem, useDestination } from '../components/Destination';
import { useMarket } from '../store/market';
import { usePrices } from '../store/prices';
import { useRisk } from '../store/risk';
import { isWorkingStatus, useTrading } from '../store/trading';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';
import { emptyTicket, fieldName, SIZE_LABELS, TICKET_TYPES, ticketProblems, ticketToOrder, TYPE_LABELS, type TicketField, type TicketForm } from './ticket';
import { modifyOrder, newClientOrderId } from './tradingActions';

const PREVIEW_DEBOUNCE_MS = 250;
/** The ticket's destination value for the paper desk (account names cannot be empty). */
/** While the market moves, the same order is previewed again at most this often. */
const MARKET_REPREVIEW_MS = 1000;

/** A numeric input that refuses letters as they are typed and says what is wrong with its number. */
function NumberField({ label, name, value, problem, onChange, placeholder }: { label: string; name: string; value: string; problem: string | undefined; onChange: (v: string) => void; placeholder?: string }) {
  const [refused, setRefused] = useState<string | undefined>();
  const shown = refused ?? problem;
  return (
    <div className="num-field">
      <label>
        {label}
        <input
        name={name}
        inputMode="decimal"
        value={value}
        placeholder={placeholder}
        aria-invalid={Boolean(shown)}
        onChange={(e) => {
          const next = e.target.value;
          if (!acceptsNumberInput(next)) {
            setRefused(`${name} takes digits and one decimal point; "${next.replace(/[0-9.]/g, '').slice(0, 8)}" was not typed in`);
            return;
          }
          setRefused(undefined);
          onChange(next);
        }}
        onBlur={() => setRefused(undefined)}
        />
      </label>
      {shown && (
        <span className="field-problem" role="alert">
          {shown}
        </span>
      )}
    </div>
  );
}

/** The ticket changing a working order: its quantity and prices, sent through the desk's one modify. */
function ModifyTicket({ order, onDone }: { order: OrderSnapshot; onDone: () => void }) {
  const [qty, setQty] = useState(String(order.qty));
  const [price, setPrice] = useState(order.price !== undefined ? String(order.price) : '');
  const [stop, setStop] = useState(order.stopPrice !== undefined ? String(order.stopPrice) : '');
  const [sending, setSending] = useState(false);
  const [refused, setRefused] = useState<string | undefined>();
  const notify = useUi((s) => s.notify);
  const problems = {
    qty: numberProblem('quantity', qty) ?? (qty.trim() === '' ? 'quantity is missing' : undefined),
    price: needsLimitPrice(order.type) ? (numberProblem('limit price', price) ?? (price.trim() === '' ? 'limit price is missing' : undefined)) : undefined,
    stop: needsStopPrice(order.type) ? (numberProblem('stop price', stop) ?? (stop.trim() === '' ? 'stop price is missing' : undefined)) : undefined,
  };
  const changes: { qty?: number; price?: number; stopPrice?: number } = {};
  if (!problems.qty && Number(qty) !== order.qty) changes.qty = Number(qty);
  if (needsLimitPrice(order.type) && !problems.price && Number(price) !== order.price) changes.price = Number(price);
  if (needsStopPrice(order.type) && !problems.stop && Number(stop) !== order.stopPrice) changes.stopPrice = Number(stop);
  const ok = !problems.qty && !problems.price && !problems.stop && Object.keys(changes).length > 0;
  const working = isWorkingStatus(order.status);
  return (
    <form
      className={`ticket side-${order.side}`}
      aria-label="Change order"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!ok || !working) return;
        setSending(true);
        setRefused(undefined);
        const refusal = await modifyOrder(order, changes);
        setSending(false);
        if (refusal) setRefused(refusal);
        else {
          notify('ok', `Change sent: ${orderText({ ...order, ...changes })}`);
          onDone();
        }
      }}
    >
      <h2>Change order</h2>
      <p className="dim">{orderText(order)}</p>
      {!working && <p className="down">The order is {order.status.replace('_', ' ')}: there is nothing to change.</p>}
      <div className="form-grid">
        <NumberField label="Quantity" name="quantity" value={qty} problem={problems.qty} onChange={setQty} />
        {needsLimitPrice(order.type) && <NumberField label="Limit price" name="limit price" value={price} problem={problems.price} onChange={setPrice} />}
        {needsStopPrice(order.type) && <NumberField label="Stop price" name="stop price" value={stop} problem={problems.stop} onChange={setStop} />}
      </div>
      {refused && (
        <p className="verdict bad" role="alert">
          {refused}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={onDone}>
          Back to a new order
        </button>
        <button type="submit" className={`place ${order.side}`} disabled={!ok || !working || sending} aria-label="Send the change">
          {sending ? 'Sending…' : 'Send change'}
        </button>
      </div>
    </form>
  );
}

/**
 * Manual orders. The fee estimate and the risk verdict are shown before anything is sent:
 * every change asks the engine for a preview (debounced), and so does every move of the
 * market while the ticket is open (its reference price follows); Place stays disabled until
 * the latest preview of this order passed. With an order to change (from the blotter or the
 * chart), the ticket changes it instead.
 */
export function OrderTicket() {
  const editing = useUi((s) => s.editingOrder);
  const editOrder = useUi((s) => s.editOrder);
  const editingOrder = useTrading((s) => (editing ? s.orders[editing] : undefined));
  if (editingOrder) return <ModifyTicket key={editingOrder.id} order={editingOrder} onDone={() => editOrder(undefined)} />;
  return <NewOrderTicket />;
}

function NewOrderTicket() {
  const symbol = useMarket((s) => s.symbol);
  const tradingState = useRisk((s) => s.risk?.tradingState);
  const market = usePrices((s) => (symbol ? s.last[symbol]?.price : undefined));
  const notify = useUi((s) => s.notify);
  const [f, setF] = useState<TicketForm>(emptyTicket);
  const [preview, setPreview] = useState<OrderPreview | undefined>();
  const [previewError, setPreviewError] = useState<string | undefined>();
  const [previewing, setPreviewing] = useState(false);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>();
  const seq = useRef(0);
  const previewedKey = useRef('');
  // Where Place sends: the paper desk unless the trader picks a live account here.
  const destination = useDestination();
  const { account, deskState } = destination;
  const wrongVenue = marketProblem(account, symbol);
  const liveHeld = account && deskState?.state !== 'ready' ? `${account.name} is ${deskState?.state ?? 'opening'}${deskState?.reason ? ` (${deskState.reason})` : ''}: orders are held` : undefined;

  const built = ticketToOrder(symbol, f);
  const problems = ticketProblems(f);
  const orderKey = 'order' in built ? JSON.stringify(built.order) : '';

  const ask = (order: NonNullable<Extract<typeof built, { order: unknown }>['order']>, key: string) => {
    const my = ++seq.current;
    client()
      .call('orders.preview', order)
      .then((p) => {
        if (my !== seq.current) return;
        previewedKey.current = key;
        setPreview(p);
        setPreviewError(undefined);
      })
      .catch((e) => my === seq.current && setPreviewError(errorText(e)))
      .finally(() => my === seq.current && setPreviewing(false));
  };

  // A changed order is previewed from scratch, once the typing pauses.
  useEffect(() => {
    setPreview(undefined);
    setPreviewError(undefined);
    previewedKey.current = '';
    ++seq.current;
    if (!('order' in built)) return;
    setPreviewing(true);
    const order = built.order;
    const timer = setTimeout(() => ask(order, orderKey), PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orderKey, tradingState]);

  // The same order while the market moves: previewed again (at most every MARKET_REPREVIEW_MS),
  // its last verdict kept on screen meanwhile; the engine checks again on Place anyway.
  const lastMarketPreview = useRef(0);
  useEffect(() => {
    if (!('order' in built) || previewedKey.current !== orderKey) return;
    const order = built.order;
    const wait = Math.max(0, lastMarketPreview.current + MARKET_REPREVIEW_MS - Date.now());
    const timer = setTimeout(() => {
      if (previewedKey.current !== orderKey) return;
      lastMarketPreview.current = Date.now();
      ask(order, orderKey);
    }, wait);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [market]);

  // A duplicate verdict holds only for the duplicate window (the order just sent is the one it
  // matches): once the window has passed, the same order is asked about again.
  const duplicateWindowMs = useRisk((s) => s.risk?.limits.duplicateWindowMs ?? 0);
  const duplicate = preview?.verdict.ok === false && preview.verdict.check === 'duplicate';
  useEffect(() => {
    if (!duplicate || !('order' in built) || previewedKey.current !== orderKey) return;
    const order = built.order;
    const timer = setTimeout(() => previewedKey.current === orderKey && ask(order, orderKey), duplicateWindowMs + 50);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [duplicate, preview, duplicateWindowMs]);

  const set = <K extends keyof TicketForm>(k: K, v: TicketForm[K]) => {
    setResult(undefined);
    setF((old) => ({ ...old, [k]: v }));
  };

  // The paper preview checks against the paper desk; a live account's own risk layer checks on
  // send (live.place), so its verdict there is the one that counts and the paper one is not shown.
  const canPlace = account ? 'order' in built && !wrongVenue && !liveHeld && !sending : 'order' in built && preview?.verdict.ok === true && !previewing && !sending;

  const place = async () => {
    if (!('order' in built)) return;
    setSending(true);
    try {
      const r = account ? await client().call('live.place', { account: account.name, order: built.order }) : await client().call('orders.place', { ...built.order, clientOrderId: newClientOrderId() });
      if (r.ok) {
        setResult({ ok: true, text: `Order ${r.orderId} sent` });
        notify('ok', `${f.side === 'buy' ? 'Buy' : 'Sell'} order sent${account ? ` to ${account.exchange} (LIVE · ${account.name})` : ' (paper)'}`);
      } else {
        setResult({ ok: false, text: `Denied. ${denialText(r.check, r.reason)}` });
      }
    } catch (e) {
      setResult({ ok: false, text: errorText(e) });
    } finally {
      setSending(false);
      // The same order again is previewed against the book as it is now.
      setPreviewing(true);
      ask(built.order, orderKey);
    }
  };

  const numberField = (k: TicketField, label: string, placeholder?: string) => (
    <NumberField label={label} name={fieldName(k, f)} value={f[k]} problem={problems[k]} onChange={(v) => set(k, v)} placeholder={placeholder} />
  );

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
      <h2>
        Order ticket <span className="dim small num" aria-label="Market price">{market !== undefined ? `${symbol} ${fmtPrice(market)}` : ''}</span>
      </h2>
      <DestinationPicker d={destination} badgeLabel="Ticket sends to" selectLabel="Send to" title="Where Place sends this order" />
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
        <div className="span2">{numberField('size', SIZE_LABELS[f.sizeMode], f.sizeMode === 'riskPercent' ? 'e.g. 0.5' : '0')}</div>
        {needsLimitPrice(f.type) && numberField('price', 'Limit price')}
        {needsStopPrice(f.type) && numberField('stopPrice', 'Stop price')}
        {f.sizeMode === 'riskPercent' && numberField('riskStop', 'Protective stop')}
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
        {account && 'order' in built ? (
          <p className={wrongVenue || liveHeld ? 'down' : 'dim'}>{wrongVenue ?? liveHeld ?? `Sized against ${account.name}'s equity at ${account.exchange}'s last price and risk-checked by its desk when sent.`}</p>
        ) : 'missing' in built ? (
          <p className="dim">Enter {built.missing} to see the fee and risk check.</p>
        ) : 'problem' in built ? (
          <p className="down">{built.problem.charAt(0).toUpperCase() + built.problem.slice(1)}.</p>
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
              <dd className="num" aria-label="Reference price">
                {fmtPrice(preview.referencePrice)}
              </dd>
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
                {denialText(preview.verdict.check, preview.verdict.reason)}
              </p>
            )}
          </>
        )}
      </section>

      <button type="submit" className={`place ${f.side}`} disabled={!canPlace} aria-label={`Place ${f.side} order`}>
        {sending ? 'Sending…' : `${account ? `LIVE ${account.name} · ` : ''}${sideWord} ${'order' in built ? fmtQty(preview?.qty ?? built.order.size) : ''} ${(account ? symbol?.slice(account.exchange.length + 1) : symbol) ?? ''} · ${TYPE_LABELS[f.type]}`}
      </button>
      {result && (
        <p className={result.ok ? 'up' : 'down'} role="alert">
          {result.text}
        </p>
      )}
    </form>
  );
}
