import type { Instrument } from '../../model/instrument';
import type { OrderRequest } from '../../model/order';
import type { RiskLimits } from '../limits';
import type { Book } from './book';

/** Everything a check may look at for one order, computed once per check() call. */
export interface CheckInput {
  /** The request after shape checks and rounding: what would go out. */
  req: OrderRequest;
  limits: RiskLimits;
  instrument: Instrument;
  now: number;
  /** The reference price if one exists, fresh or not; stale_price decides whether it may be used. */
  ref: { price: number; ts: number } | undefined;
  /** Quantity the order is for (estimated at the reference price for quote-quantity orders). */
  qty: number;
  /** Price the order's notional is valued at: limit price, else stop price, else reference price. */
  price: number;
  notional: number;
  /** +qty for a buy, −qty for a sell. */
  signed: number;
  equity: number;
  /** Positions and working orders, per symbol, at this moment. */
  book: Book;
}

/** A pre-trade check. `run` returns a reason when the order must be denied. Ids are stable: they appear in denials, audit rows and docs. */
export interface RiskCheck {
  readonly id: string;
  run(c: CheckInput): string | undefined;
  /** Told when an order passed every check, for checks that keep a memory (rate, duplicates). */
  accepted?(c: CheckInput): void;
}
