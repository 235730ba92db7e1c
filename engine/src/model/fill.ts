import type { Side } from './order';

/** One execution against an order. fee is in quote currency (the PnL's); a venue may charge another asset, kept in feeAsset and feeNative. */
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
  /**
   * What the venue charged, in its own asset (a buy on Binance pays in the base asset): what
   * reconciling balances adds up. `fee` is the same charge in quote currency.
   */
  feeAsset?: string;
  feeNative?: number;
}

export function signedQty(f: Pick<Fill, 'side' | 'qty'>): number {
  return f.side === 'buy' ? f.qty : -f.qty;
}
