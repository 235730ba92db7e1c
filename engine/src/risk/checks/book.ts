import type { RiskView } from '../../execution/types';
import type { Order } from '../../model/order';

/** One symbol's open position and working orders, in quantities. */
export interface SymbolBook {
  position: number;
  /** Remaining quantity of working buy and sell orders: what could still fill, for exposure limits. */
  workingBuys: number;
  workingSells: number;
  /** The same without orders whose cancel is on its way: what still stands in front of a reducing order. */
  liveBuys: number;
  liveSells: number;
  /** Whether any working order may open or add (not reduce-only): such a symbol is "in play". */
  hasOpeningOrder: boolean;
  /** Price the symbol is valued at: reference price, else mark, else entry, else working order price. */
  price: number;
}

const orderPrice = (o: Pick<Order, 'price' | 'stopPrice'>): number | undefined => o.price ?? o.stopPrice;

/**
 * Positions and working orders grouped by symbol: the state every exposure check reads.
 * Built once per check() from the view; a few positions and orders make this cheap.
 */
export class Book {
  readonly symbols = new Map<string, SymbolBook>();
  readonly working: readonly Order[];

  /** `amends`: an order being changed, left out: the request checked is that order as it would become. */
  constructor(
    private readonly view: RiskView,
    working: readonly Order[],
    amends?: string,
  ) {
    this.working = amends === undefined ? working : working.filter((o) => o.id !== amends);
    const account = view.account;
    for (const p of account.openPositions()) {
      this.entry(p.symbol).position = p.qty;
    }
    for (const o of this.working) {
      const s = this.entry(o.symbol);
      const rem = o.remainingQty;
      if (o.side === 'buy') {
        s.workingBuys += rem;
        if (!o.cancelRequested) s.liveBuys += rem;
      } else {
        s.workingSells += rem;
        if (!o.cancelRequested) s.liveSells += rem;
      }
      if (!o.reduceOnly) s.hasOpeningOrder = true;
    }
    for (const [symbol, s] of this.symbols) {
      s.price = view.referencePrice(symbol)?.price ?? account.markPrice(symbol) ?? (s.position !== 0 ? account.position(symbol).avgPrice : NaN);
      if (!Number.isFinite(s.price)) {
        s.price = Math.max(0, ...this.working.filter((o) => o.symbol === symbol).map((o) => orderPrice(o) ?? 0));
      }
    }
  }

  /**
   * One ledger's position in `symbol` and its working orders there: what reduce-only and the
   * trading state measure an order against. A strategy's exit reduces its own position, even
   * when another ledger holds the opposite one and the account is net flat.
   */
  ledger(ledger: string, symbol: string): SymbolBook {
    const s: SymbolBook = { position: this.view.ledgerQty(ledger, symbol), workingBuys: 0, workingSells: 0, liveBuys: 0, liveSells: 0, hasOpeningOrder: false, price: this.get(symbol).price };
    for (const o of this.working) {
      if (o.symbol !== symbol || o.ledger !== ledger) continue;
      const rem = o.remainingQty;
      if (o.side === 'buy') {
        s.workingBuys += rem;
        if (!o.cancelRequested) s.liveBuys += rem;
      } else {
        s.workingSells += rem;
        if (!o.cancelRequested) s.liveSells += rem;
      }
      if (!o.reduceOnly) s.hasOpeningOrder = true;
    }
    return s;
  }

  private entry(symbol: string): SymbolBook {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = { position: 0, workingBuys: 0, workingSells: 0, liveBuys: 0, liveSells: 0, hasOpeningOrder: false, price: NaN };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  get(symbol: string): SymbolBook {
    return this.symbols.get(symbol) ?? { position: 0, workingBuys: 0, workingSells: 0, liveBuys: 0, liveSells: 0, hasOpeningOrder: false, price: NaN };
  }

  position(symbol: string): number {
    return this.symbols.get(symbol)?.position ?? 0;
  }
}

/**
 * The largest absolute position a symbol could reach if every working order on one side
 * filled, plus `extraBuy`/`extraSell` for an order being checked. Limits hold for this worst case.
 */
export function worstQty(s: Pick<SymbolBook, 'position' | 'workingBuys' | 'workingSells'>, extraBuy = 0, extraSell = 0): number {
  return Math.max(Math.abs(s.position + s.workingBuys + extraBuy), Math.abs(s.position - s.workingSells - extraSell));
}

/**
 * Whether an order of `signed` quantity only reduces a position without going past flat,
 * counting working orders on the same side that would reduce it first. Orders being
 * cancelled do not count: a stop whose cancel is on its way must not block the flatten that
 * replaces it (should both fill, the venue's reduce-only caps the second).
 */
export function onlyReduces(s: Pick<SymbolBook, 'position' | 'liveBuys' | 'liveSells'>, signed: number): boolean {
  if (s.position === 0 || Math.sign(signed) === Math.sign(s.position)) return false;
  const sameSideWorking = signed > 0 ? s.liveBuys : s.liveSells;
  return Math.abs(signed) + sameSideWorking <= Math.abs(s.position) * (1 + 1e-12);
}
