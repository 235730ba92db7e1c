import type { FlattenResult, OrderSnapshot, TicketOrder } from '../../../engine/protocol';
import { fmtQty } from '../lib/format';
import { denialText, orderText } from '../lib/orderText';
import { useUi } from '../store/ui';
import { client, errorText } from '../store/wire';

/** One sentence per position a flatten touched; a close that was refused makes the whole message an error. */
export function flattenMessage(results: FlattenResult[]): { kind: 'ok' | 'error'; text: string } {
  if (results.length === 0) return { kind: 'ok', text: 'Nothing to flatten: no open position' };
  const parts = results.map((r) => {
    const cancelled = r.cancelled > 0 ? `cancelled ${r.cancelled} working order${r.cancelled === 1 ? '' : 's'}, ` : '';
    return r.result.ok
      ? `Flattened ${r.symbol}: ${cancelled}sent a ${r.side} of ${fmtQty(r.qty)}`
      : `Flatten ${r.symbol} FAILED (${denialText(r.result.check, r.result.reason)}); the position of ${fmtQty(r.qty)} is still open`;
  });
  return { kind: results.every((r) => r.result.ok) ? 'ok' : 'error', text: parts.join('; ') };
}

/** Flattens one symbol, one ledger's position in it, or everything (the desk's positions.flatten). */
export async function flatten(label: string, symbol?: string, ledger?: string): Promise<void> {
  try {
    const m = flattenMessage(await client().call('positions.flatten', { ...(symbol !== undefined && { symbol }), ...(ledger !== undefined && { ledger }) }));
    useUi.getState().notify(m.kind, m.text);
  } catch (e) {
    useUi.getState().notify('error', `${label}: ${errorText(e)}`);
  }
}

export const newClientOrderId = (): string => `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Places an order from the chart or a hotkey and says what happened (a denial as a sentence). True when it went out. */
export async function placeOrder(order: TicketOrder): Promise<boolean> {
  const what = orderText({ side: order.side, type: order.type, qty: order.size, symbol: order.symbol, price: order.price, stopPrice: order.stopPrice });
  try {
    const r = await client().call('orders.place', { ...order, clientOrderId: newClientOrderId() });
    if (r.ok) useUi.getState().notify('ok', `Sent: ${what}`);
    else useUi.getState().notify('error', `Not sent: ${what}. ${denialText(r.check, r.reason)}`);
    return r.ok;
  } catch (e) {
    useUi.getState().notify('error', `Not sent: ${what}. ${errorText(e)}`);
    return false;
  }
}

/**
 * Changes a working order through the desk's one modify (chart drag, blotter edit, ticket).
 * Resolves with undefined when the desk took the change (the venue's confirmation follows as
 * an order event), else with the refusal as a sentence.
 */
export async function modifyOrder(o: Pick<OrderSnapshot, 'id'>, changes: { price?: number; stopPrice?: number; qty?: number }): Promise<string | undefined> {
  try {
    const r = await client().call('orders.modify', { orderId: o.id, ...changes });
    return r.ok ? undefined : denialText(r.check, r.reason);
  } catch (e) {
    return errorText(e);
  }
}

export async function cancelOrder(o: Pick<OrderSnapshot, 'id'>): Promise<void> {
  try {
    const { cancelled } = await client().call('orders.cancel', { orderId: o.id });
    if (!cancelled) useUi.getState().notify('error', `Order ${o.id} was not working any more`);
  } catch (e) {
    useUi.getState().notify('error', `Cancel: ${errorText(e)}`);
  }
}
