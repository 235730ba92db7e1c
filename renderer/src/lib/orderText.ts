import type { OrderSnapshot, Topics } from '../../../engine/protocol';
import { fmtPrice, fmtQty } from './format';

/** What each risk check stops, as a trader reads it. An id not listed reads as its own words. */
const CHECK_LABELS: Record<string, string> = {
  order_shape: 'The order is not valid',
  stale_price: 'No fresh price',
  price_collar: 'Price too far from the market',
  min_qty: 'Order too small',
  min_notional: 'Order too small',
  max_order_qty: 'Order too large',
  max_order_notional: 'Order too large',
  max_position: 'Position limit',
  max_exposure: 'Exposure limit',
  max_open_positions: 'Too many open positions',
  working_notional: 'Not enough free balance',
  order_rate: 'Too many orders',
  duplicate: 'Looks like a duplicate',
  self_match: 'Would trade against your own order',
  reduce_only: 'Reduce-only',
  kill_switch: 'Kill switch',
  trading_halted: 'Trading halted',
  trading_reducing: 'Trading is reducing only',
  modify: 'Cannot change the order',
  oco: 'OCO refused',
  venue: 'The venue refused',
};

/** A number in a sentence with its thousands grouped ("23100.5" -> "23,100.5"); years and ids are left alone. */
function groupNumbers(text: string): string {
  return text.replace(/(?<![\w.-])(\d{4,})(\.\d+)?(?![\w-])/g, (_m, int: string, frac: string | undefined) => {
    const n = Number(int);
    // A four-digit number between 1900 and 2100 is more often a year than a price.
    if (int.length === 4 && n >= 1900 && n <= 2100 && !frac) return int;
    return `${n.toLocaleString('en-US')}${frac ?? ''}`;
  });
}

/** A denial as a sentence: what stopped the order, then why, with numbers grouped ("Price too far from the market: price 25,000 is 8.23% …"). */
export function denialText(check: string, reason: string): string {
  const label = CHECK_LABELS[check] ?? check.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const why = groupNumbers(reason.trim()).replace(/\.$/, '');
  return `${label}: ${why}.`;
}

const TYPE_WORDS: Record<string, string> = { market: 'market', limit: 'limit', stop: 'stop', stop_limit: 'stop-limit', trailing_stop: 'trailing stop' };

/** "Buy limit 0.01 BTC/USDT @ 21,500.00" */
export function orderText(o: Pick<OrderSnapshot, 'side' | 'type' | 'qty' | 'symbol' | 'price' | 'stopPrice'>): string {
  const side = o.side === 'buy' ? 'Buy' : 'Sell';
  const at = o.price !== undefined ? ` @ ${fmtPrice(o.price)}` : '';
  const stop = o.stopPrice !== undefined ? ` stop ${fmtPrice(o.stopPrice)}` : '';
  return `${side} ${TYPE_WORDS[o.type] ?? o.type} ${fmtQty(o.qty)} ${o.symbol}${at}${stop}`;
}

/** The toast for an order event that answers a change: confirmed by the venue, or refused. Undefined for other events. */
export function orderEventText(e: Topics['order']): string | undefined {
  if (e.kind === 'modified') return `Modified at the venue: ${orderText(e.order)}`;
  if (e.kind === 'modify_rejected') return `Change refused for ${orderText(e.order)}: ${e.reason ?? 'no reason given'}`;
  if (e.kind === 'cancel_rejected') return `Cancel refused for ${orderText(e.order)}: ${e.reason ?? 'no reason given'}`;
  return undefined;
}
