/**
 * Best bid and offer at one moment, as a ccxt ticker or order-book stream gives them. Sizes
 * are in base units, absent when the feed has none.
 */
export interface Quote {
  ts: number;
  bid: number;
  ask: number;
  bidSize?: number;
  askSize?: number;
}
