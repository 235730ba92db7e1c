import { needsLimitPrice, needsStopPrice, ORDER_TYPES } from '../../../engine/protocol/definitions';
import type { OrderType, Side, SizeMode, TicketOrder, TimeInForce } from '../../../engine/protocol';
import { numberProblem } from '../lib/numbers';

/** The types a ticket can describe: all but the trailing stop, whose distance has no field here. */
export type TicketType = Exclude<OrderType, 'trailing_stop'>;
export const TICKET_TYPES: readonly TicketType[] = ORDER_TYPES.filter((t): t is TicketType => t !== 'trailing_stop');

/** The ticket's form: strings, as typed, until turned into an order. */
export interface TicketForm {
  side: Side;
  type: TicketType;
  sizeMode: SizeMode;
  size: string;
  price: string;
  stopPrice: string;
  riskStop: string;
  tif: TimeInForce;
  reduceOnly: boolean;
}

export const emptyTicket: TicketForm = {
  side: 'buy',
  type: 'market',
  sizeMode: 'qty',
  size: '',
  price: '',
  stopPrice: '',
  riskStop: '',
  tif: 'GTC',
  reduceOnly: false,
};

function positive(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The ticket's numeric fields. */
export type TicketField = 'size' | 'price' | 'stopPrice' | 'riskStop';

/** How each numeric field is named in what the ticket says about it. */
export function fieldName(k: TicketField, f: Pick<TicketForm, 'sizeMode'>): string {
  if (k === 'size') return f.sizeMode === 'qty' ? 'quantity' : f.sizeMode === 'notional' ? 'notional' : 'risk %';
  return k === 'price' ? 'limit price' : k === 'stopPrice' ? 'stop price' : 'protective stop';
}

/** What is wrong with each numeric field the order uses, in words ("limit price must be above 0"). */
export function ticketProblems(f: TicketForm): Partial<Record<TicketField, string>> {
  const used: TicketField[] = ['size'];
  if (needsLimitPrice(f.type)) used.push('price');
  if (needsStopPrice(f.type)) used.push('stopPrice');
  if (f.sizeMode === 'riskPercent') used.push('riskStop');
  const out: Partial<Record<TicketField, string>> = {};
  for (const k of used) {
    const p = numberProblem(fieldName(k, f), f[k]);
    if (p) out[k] = p;
  }
  if (!out.size && f.sizeMode === 'riskPercent' && Number(f.size) > 100) out.size = 'risk % must be at most 100';
  return out;
}

/**
 * The order the form describes, the first thing wrong with it, or the first thing missing.
 * The engine checks again; this stops the ticket from asking for a preview of something
 * incomplete or malformed, and says what to fix.
 */
export function ticketToOrder(symbol: string | undefined, f: TicketForm): { order: TicketOrder } | { missing: string } | { problem: string } {
  if (!symbol) return { missing: 'a symbol' };
  const problem = Object.values(ticketProblems(f))[0];
  if (problem) return { problem };
  const size = positive(f.size);
  if (size === undefined) return { missing: f.sizeMode === 'qty' ? 'a quantity' : f.sizeMode === 'notional' ? 'a notional' : 'a risk %' };
  const order: TicketOrder = { symbol, side: f.side, type: f.type, size, sizeMode: f.sizeMode, tif: f.tif };
  if (f.reduceOnly) order.reduceOnly = true;
  if (needsLimitPrice(f.type)) {
    const p = positive(f.price);
    if (p === undefined) return { missing: 'a limit price' };
    order.price = p;
  }
  if (needsStopPrice(f.type)) {
    const p = positive(f.stopPrice);
    if (p === undefined) return { missing: 'a stop price' };
    order.stopPrice = p;
  }
  if (f.sizeMode === 'riskPercent') {
    const p = positive(f.riskStop);
    if (p === undefined) return { missing: 'a protective stop for % risk sizing' };
    order.riskStop = p;
  }
  return { order };
}

export const TYPE_LABELS: Record<TicketType, string> = { market: 'Market', limit: 'Limit', stop: 'Stop', stop_limit: 'Stop-limit' };
export const SIZE_LABELS: Record<SizeMode, string> = { qty: 'Quantity', notional: 'Notional', riskPercent: '% risk' };
