import type { Side } from './order';

/** One execution against an order. fee is in quote currency. */
export interface Fill {
  id: string;
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  fee: number;
  liquidity: 'maker' | 'taker';
  ts: number;
  /** Venue's trade id for live fills; reconciliation matches on it. */
  venueTradeId?: string;
  /** The ledger of the order it filled (see OrderRequest.ledger). */
  ledger?: string;
}

export function signedQty(f: Pick<Fill, 'side' | 'qty'>): number {
  return f.side === 'buy' ? f.qty : -f.qty;
}
