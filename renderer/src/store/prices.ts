import { create } from 'zustand';

/**
 * The latest price seen per symbol (a live or replayed bar, a chart's last bar, a watchlist
 * quote): the last one to arrive, not the one with the latest bar time, since a replay goes
 * back in time and its prices are the market while it plays.
 */
interface PricesStore {
  last: Record<string, { price: number; ts: number }>;
  note(symbol: string, price: number, ts: number): void;
}

/** How often bar pushes reach the store: a price changing every frame cannot be read, and each change re-renders its readers. */
export const PRICE_FLUSH_MS = 250;

export const usePrices = create<PricesStore>((set, get) => ({
  last: {},
  note: (symbol, price, ts) => {
    const have = get().last[symbol];
    if (have && have.ts === ts && have.price === price) return;
    set((s) => ({ last: { ...s.last, [symbol]: { price, ts } } }));
  },
}));

const pending = new Map<string, { price: number; ts: number }>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** A price from a bar push: gathered and handed to the store at most every PRICE_FLUSH_MS. */
export function notePrice(symbol: string, price: number, ts: number): void {
  pending.set(symbol, { price, ts });
  timer ??= setTimeout(() => {
    timer = undefined;
    const batch = [...pending];
    pending.clear();
    for (const [sym, p] of batch) usePrices.getState().note(sym, p.price, p.ts);
  }, PRICE_FLUSH_MS);
}
