import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { needsLimitPrice, needsStopPrice } from '../../../engine/protocol/definitions';
import type { OrderSnapshot, OrderType, PositionDto, Side } from '../../../engine/protocol';
import { fmtPrice, fmtQty, fmtSigned, roundPrice } from '../lib/format';
import { orderText } from '../lib/orderText';
import { createAlert } from '../store/alerts';
import { ledgerColor } from '../store/desk';
import { saveDrawing } from '../store/drawings';
import { usePrices } from '../store/prices';
import { useTrading, workingOrders } from '../store/trading';
import { useUi } from '../store/ui';
import { errorText } from '../store/wire';
import { useWorkspace } from '../store/workspace';
import { cancelOrder, flatten, modifyOrder, placeOrder } from '../screens/tradingActions';
import type { ChartController } from './ChartController';

/** One price line of a working order: its limit or its stop (a stop-limit has both). */
interface OrderLine {
  id: string;
  order: OrderSnapshot;
  field: 'price' | 'stopPrice';
  price: number;
  /** The OCO pair or bracket it belongs to: its lines are drawn linked. */
  group: string | undefined;
}

/** How long a moved line waits at its new price for the venue's confirmation before it shows the order's price again. */
const CONFIRM_WAIT_MS = 5000;

/** The right-click menu's size (px), to keep it inside the chart. */
const MENU_SIZE = { width: 250, height: 130 };

const TYPE_TAGS: Record<string, string> = { market: 'MKT', limit: 'LMT', stop: 'STP', stop_limit: 'STP LMT', trailing_stop: 'TRAIL' };

/** The lines a symbol's working orders draw: a limit line, a stop line, or both; linked by OCO group or bracket. */
export function orderLines(orders: OrderSnapshot[]): OrderLine[] {
  const out: OrderLine[] = [];
  for (const o of orders) {
    const group = o.ocoGroup ?? o.parentId;
    if (needsLimitPrice(o.type) && o.price !== undefined) out.push({ id: `${o.id}:price`, order: o, field: 'price', price: o.price, group });
    if ((needsStopPrice(o.type) || o.type === 'trailing_stop') && o.stopPrice !== undefined) out.push({ id: `${o.id}:stopPrice`, order: o, field: 'stopPrice', price: o.stopPrice, group });
  }
  return out;
}

/** Groups with more than one line: the linked legs of OCO pairs and brackets. */
export function linkedGroups(lines: OrderLine[]): Map<string, OrderLine[]> {
  const by = new Map<string, OrderLine[]>();
  for (const l of lines) if (l.group) by.set(l.group, [...(by.get(l.group) ?? []), l]);
  for (const [g, ls] of by) if (ls.length < 2) by.delete(g);
  return by;
}

/** The orders a right-click at `price` offers, against the market at `last`: limits that wait for the price to come, stops that wait for it to break. */
export function chartOrderChoices(price: number, last: number | undefined): { side: Side; type: OrderType }[] {
  if (last === undefined) return [];
  return price < last
    ? [
        { side: 'buy', type: 'limit' },
        { side: 'sell', type: 'stop' },
      ]
    : [
        { side: 'sell', type: 'limit' },
        { side: 'buy', type: 'stop' },
      ];
}

/** A ledger other than the trader's own (a strategy's): its lines are named and drawn in its colour. */
const strategyLedger = (ledger: string | undefined): ledger is string => ledger !== undefined && ledger !== 'manual';

function lineLabel(l: OrderLine, price: number): string {
  const o = l.order;
  const tag = o.type === 'stop_limit' ? (l.field === 'price' ? 'LMT' : 'STP') : (TYPE_TAGS[o.type] ?? o.type);
  const leg = o.tag ? ` ${o.tag.replace(/_/g, ' ')}` : '';
  return `${o.side.toUpperCase()} ${tag}${leg} ${fmtQty(o.qty - o.filledQty)} · ${fmtPrice(price)}`;
}

/**
 * Trading on the chart: each working order of the symbol as a price line with its side, type
 * and quantity and a cancel ×, draggable (or moved with the arrow keys and Enter) to modify it
 * through the desk's one modify; a refused change snaps back and says why. A strategy's orders
 * are named by their ledger and drawn in its colour. Each ledger's position as a line at its
 * average price with live unrealised PnL and a flatten × (that ledger's); OCO pairs and brackets
 * linked. A right-click offers limit and stop orders at the price clicked, an alert and a
 * horizontal line there; one-click buttons when the trader turned them on.
 *
 * Lines are DOM over the chart's price pane, placed from prices on every redraw (onPaint), so
 * they can be focused, named and dragged like any control.
 */
export function ChartTrading({ ctrl, host, symbol }: { ctrl: ChartController; host: RefObject<HTMLDivElement | null>; symbol: string }) {
  const orders = useTrading((s) => s.orders);
  const positions = useTrading((s) => s.positions);
  const trading = useWorkspace((s) => s.trading);
  const last = usePrices((s) => s.last[symbol]?.price);
  const notify = useUi((s) => s.notify);
  const layer = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => orderLines(workingOrders(orders).filter((o) => o.symbol === symbol)), [orders, symbol]);
  const groups = useMemo(() => linkedGroups(lines), [lines]);
  // Each ledger holds its own position: the trader's and every strategy's are drawn apart.
  const held: PositionDto[] = useMemo(() => positions.filter((p) => p.symbol === symbol && p.qty !== 0), [positions, symbol]);
  /** Lines being moved or whose change is on its way: shown at the new price until the order says it moved. */
  const [moving, setMoving] = useState<Record<string, number>>({});
  const [refused, setRefused] = useState<{ line: string; text: string } | undefined>();
  const [menu, setMenu] = useState<{ x: number; y: number; price: number } | undefined>();
  const drag = useRef<{ line: OrderLine; pointer: number } | undefined>(undefined);

  /** Puts every line, connector and the layer itself where the chart draws their prices now. */
  const place = useCallback(() => {
    const el = layer.current;
    if (!el) return;
    const pane = ctrl.pricePane();
    // Written only when they change: a redraw per live tick must not restyle the layer.
    const w = `${pane.width}px`;
    const h = `${pane.height}px`;
    if (el.style.width !== w) el.style.width = w;
    if (el.style.height !== h) el.style.height = h;
    if (!el.firstChild) return;
    const yOf = (p: number): number | null => {
      const y = ctrl.priceToY(p);
      return y === null || y < 0 || y > pane.height ? null : y;
    };
    for (const node of el.querySelectorAll<HTMLElement>('[data-price]')) {
      const y = yOf(Number(node.dataset.price));
      node.style.visibility = y === null ? 'hidden' : 'visible';
      if (y !== null) node.style.transform = `translateY(${Math.round(y)}px)`;
    }
    for (const node of el.querySelectorAll<HTMLElement>('[data-prices]')) {
      const ys = node.dataset.prices!.split(',').map((p) => ctrl.priceToY(Number(p))).filter((y): y is number => y !== null);
      if (ys.length < 2) continue;
      node.style.top = `${Math.min(...ys)}px`;
      node.style.height = `${Math.max(...ys) - Math.min(...ys)}px`;
    }
  }, [ctrl]);

  useEffect(() => ctrl.onPaint(place), [ctrl, place]);
  useLayoutEffect(place);

  // A moved line whose order now stands at the new price (or is gone) no longer needs holding.
  useEffect(() => {
    setMoving((m) => {
      const keep = Object.entries(m).filter(([id, price]) => {
        const l = lines.find((x) => x.id === id);
        return l !== undefined && (l.price !== price || drag.current?.line.id === id);
      });
      return keep.length === Object.keys(m).length ? m : Object.fromEntries(keep);
    });
  }, [lines]);

  const commit = async (l: OrderLine, price: number): Promise<void> => {
    if (price === l.price) {
      setMoving(({ [l.id]: _, ...rest }) => rest);
      return;
    }
    setRefused(undefined);
    setMoving((m) => ({ ...m, [l.id]: price }));
    const refusal = await modifyOrder(l.order, { [l.field]: price });
    if (refusal) {
      // Snaps back to where the order is, and says why.
      setMoving(({ [l.id]: _, ...rest }) => rest);
      setRefused({ line: l.id, text: refusal });
      notify('error', `Modify refused: ${refusal}`);
    } else {
      // The venue's confirmation moves the order; if it never comes, the line goes back to the order's price.
      setTimeout(() => setMoving((m) => (m[l.id] === price ? Object.fromEntries(Object.entries(m).filter(([id]) => id !== l.id)) : m)), CONFIRM_WAIT_MS);
    }
  };

  const priceAt = (clientY: number): number | undefined => {
    const rect = host.current?.getBoundingClientRect();
    if (!rect) return undefined;
    const p = ctrl.yToPrice(clientY - rect.top);
    return p === null || !(p > 0) ? undefined : roundPrice(p);
  };

  const onLinePointerDown = (e: React.PointerEvent<HTMLElement>, l: OrderLine) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { line: l, pointer: e.pointerId };
    ctrl.setPanning(false);
    setRefused(undefined);
    setMoving((m) => ({ ...m, [l.id]: m[l.id] ?? l.price }));
  };
  const onLinePointerMove = (e: React.PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    const p = priceAt(e.clientY);
    if (p !== undefined) setMoving((m) => ({ ...m, [d.line.id]: p }));
  };
  const onLinePointerUp = (e: React.PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    drag.current = undefined;
    ctrl.setPanning(true);
    const p = priceAt(e.clientY) ?? moving[d.line.id] ?? d.line.price;
    void commit(d.line, p);
  };
  /** Arrow keys move a line a pixel's worth (Shift: ten), Enter sends, Escape puts it back. */
  const onLineKey = (e: React.KeyboardEvent<HTMLElement>, l: OrderLine) => {
    const shown = moving[l.id] ?? l.price;
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      e.stopPropagation();
      const y = ctrl.priceToY(shown);
      if (y === null) return;
      const p = ctrl.yToPrice(y + (e.key === 'ArrowUp' ? -1 : 1) * (e.shiftKey ? 10 : 1));
      if (p !== null && p > 0) setMoving((m) => ({ ...m, [l.id]: roundPrice(p) }));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void commit(l, shown);
    } else if (e.key === 'Escape') {
      setMoving(({ [l.id]: _, ...rest }) => rest);
    }
  };

  // Right-click on the price pane: orders, an alert or a line at the price under the cursor.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onMenu = (e: MouseEvent) => {
      const rect = el.getBoundingClientRect();
      const y = e.clientY - rect.top;
      if (y > ctrl.pricePane().height) return;
      const p = priceAt(e.clientY);
      if (p === undefined) return;
      e.preventDefault();
      // Inside the chart: a menu near its right or bottom edge opens towards the middle.
      setMenu({ x: Math.min(e.clientX - rect.left, rect.width - MENU_SIZE.width), y: Math.min(y, rect.height - MENU_SIZE.height), price: p });
    };
    el.addEventListener('contextmenu', onMenu);
    return () => el.removeEventListener('contextmenu', onMenu);
  });

  useEffect(() => {
    if (!menu) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e instanceof MouseEvent && (e.target as Element | null)?.closest?.('.chart-menu')) return;
      setMenu(undefined);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [menu]);

  const qty = trading.quantity;

  return (
    <>
      <div className="trade-layer" ref={layer} aria-label={`Trading on the chart of ${symbol}`} role="group">
        {[...groups].map(([g, ls]) => (
          <div key={g} className="tline-link" data-prices={ls.map((l) => moving[l.id] ?? l.price).join(',')} aria-hidden="true" />
        ))}
        {lines.map((l) => {
          const price = moving[l.id] ?? l.price;
          const what = orderText(l.order);
          const field = l.field === 'price' ? 'limit price' : 'stop price';
          return (
            <div key={l.id} className={`tline ${l.order.side} ${l.field === 'stopPrice' ? 'stop' : ''} ${moving[l.id] !== undefined ? 'moving' : ''}`} data-price={price}>
              <div className="tline-rule" />
              <div
                className="tline-label"
                role="slider"
                tabIndex={0}
                aria-label={`${field} of ${what}`}
                aria-valuenow={price}
                aria-valuetext={fmtPrice(price)}
                title="Drag to move the order (or arrow keys, then Enter)"
                onPointerDown={(e) => onLinePointerDown(e, l)}
                onPointerMove={onLinePointerMove}
                onPointerUp={onLinePointerUp}
                onPointerCancel={onLinePointerUp}
                onKeyDown={(e) => onLineKey(e, l)}
              >
                {lineLabel(l, price)}
                {l.group && groups.has(l.group) && <span className="tline-tag">{l.order.ocoGroup ? 'OCO' : 'bracket'}</span>}
                {strategyLedger(l.order.ledger) && (
                  <span className="tline-tag" style={{ color: ledgerColor(l.order.ledger) }} title="A strategy's order: moving it changes what the strategy has working">
                    {l.order.ledger}
                  </span>
                )}
              </div>
              <button className="tline-x" aria-label={`Cancel ${what}`} title="Cancel the order" onClick={() => void cancelOrder(l.order)}>
                ×
              </button>
              {refused?.line === l.id && (
                <div className="tline-refused" role="alert">
                  {refused.text}
                </div>
              )}
            </div>
          );
        })}
        {held.map((position) => {
          const mine = !strategyLedger(position.ledger);
          const upnl = last !== undefined ? (last - position.avgPrice) * position.qty : position.unrealizedPnl;
          const color = mine ? undefined : ledgerColor(position.ledger);
          return (
            <div key={position.ledger} className={`tline position ${position.qty > 0 ? 'long' : 'short'} ${mine ? '' : 'strategy'}`} data-price={position.avgPrice}>
              <div className="tline-rule" style={color ? { borderTopColor: color } : undefined} />
              <div className="tline-label" role="status" aria-label={mine ? `Position ${symbol}` : `Position ${symbol} of ${position.ledger}`} style={color ? { borderColor: color, color } : undefined}>
                {mine ? '' : `${position.ledger} `}
                {position.qty > 0 ? 'LONG' : 'SHORT'} {fmtQty(Math.abs(position.qty))} @ {fmtPrice(position.avgPrice)}{' '}
                <b className={upnl >= 0 ? 'up' : 'down'} aria-label="Unrealised PnL">
                  {fmtSigned(upnl)}
                </b>
              </div>
              <button
                className="tline-x"
                aria-label={mine ? `Flatten ${symbol}` : `Flatten ${symbol} of ${position.ledger}`}
                title={mine ? 'Flatten the position' : `Flatten ${position.ledger}'s position`}
                onClick={() => void flatten('Flatten', symbol, position.ledger)}
              >
                ×
              </button>
            </div>
          );
        })}
      </div>
      {trading.oneClick && (
        <div className="one-click" role="group" aria-label="One-click trading">
          {/* Chart trading sends to the paper desk only (live orders go through the ticket's "Send to"). */}
          <span className="mode-badge mode-PAPER" role="status" aria-label="One-click sends to">
            PAPER
          </span>
          <button className="sell" onClick={() => void placeOrder({ symbol, side: 'sell', type: 'market', size: qty, sizeMode: 'qty', tif: 'GTC' })}>
            Sell {fmtQty(qty)}
          </button>
          <span className="num">{fmtPrice(last)}</span>
          <button className="buy" onClick={() => void placeOrder({ symbol, side: 'buy', type: 'market', size: qty, sizeMode: 'qty', tif: 'GTC' })}>
            Buy {fmtQty(qty)}
          </button>
        </div>
      )}
      {menu && (
        <div className="menu chart-menu" role="menu" aria-label="Chart actions" style={{ left: menu.x, top: menu.y }}>
          {chartOrderChoices(menu.price, last).map((c) => (
            <button
              key={`${c.side}-${c.type}`}
              role="menuitem"
              className={c.side}
              onClick={() => {
                setMenu(undefined);
                void placeOrder({ symbol, side: c.side, type: c.type, size: qty, sizeMode: 'qty', tif: 'GTC', ...(c.type === 'limit' ? { price: menu.price } : { stopPrice: menu.price }) });
              }}
            >
              {c.side === 'buy' ? 'Buy' : 'Sell'} {c.type} {fmtQty(qty)} @ {fmtPrice(menu.price)}
            </button>
          ))}
          <button
            role="menuitem"
            onClick={() => {
              setMenu(undefined);
              createAlert({ condition: { kind: 'price', symbol, level: menu.price, cross: 'any' }, mode: 'once' })
                .then(() => notify('ok', `Alert set: ${symbol} crosses ${fmtPrice(menu.price)}`))
                .catch((e) => notify('error', `Alert not set: ${errorText(e)}`));
            }}
          >
            Alert when price crosses {fmtPrice(menu.price)}
          </button>
          <button
            role="menuitem"
            onClick={() => {
              setMenu(undefined);
              void saveDrawing({ symbol, kind: 'hline', points: [{ ts: ctrl.lastBarTime() ?? Date.now(), price: menu.price }] });
            }}
          >
            Horizontal line at {fmtPrice(menu.price)}
          </button>
        </div>
      )}
    </>
  );
}
