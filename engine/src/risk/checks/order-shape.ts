import type { RiskView } from '../../execution/types';
import { roundToStep, type Instrument } from '../../model/instrument';
import { needsLimitPrice, needsStopPrice, ORDER_TYPES, SIDES, type OrderRequest } from '../../model/order';

export const ORDER_SHAPE = 'order_shape';

const SIDE_SET: ReadonlySet<string> = new Set(SIDES);
const TYPE_SET: ReadonlySet<string> = new Set(ORDER_TYPES);
const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

export type Shaped = { ok: true; req: OrderRequest; instrument: Instrument } | { ok: false; reason: string };

/**
 * Checks the request is a well-formed order and rounds it to what the venue accepts.
 * Rounding never makes an order worse for the trader than asked:
 * - quantity rounds DOWN to the lot size (never more than asked);
 * - a buy limit rounds DOWN and a sell limit UP to the tick (never a worse price);
 * - a buy stop rounds DOWN and a sell stop UP (a protective stop never triggers later than asked).
 */
export function shapeOrder(req: OrderRequest, view: RiskView): Shaped {
  if (typeof req?.symbol !== 'string' || req.symbol === '') return { ok: false, reason: 'symbol is missing' };
  if (!SIDE_SET.has(req.side)) return { ok: false, reason: `side must be ${SIDES.join(' or ')}, got ${String(req.side)}` };
  if (!TYPE_SET.has(req.type)) return { ok: false, reason: `type ${String(req.type)} is not an order type` };
  let instrument: Instrument;
  try {
    instrument = view.instrument(req.symbol);
  } catch {
    return { ok: false, reason: `${req.symbol} is not a known instrument` };
  }
  if (!instrument) return { ok: false, reason: `${req.symbol} is not a known instrument` };

  const hasQty = req.qty !== undefined;
  const hasQuote = req.quoteQty !== undefined;
  if (hasQty === hasQuote) return { ok: false, reason: 'exactly one of qty and quoteQty must be given' };
  if (hasQty && !positive(req.qty)) return { ok: false, reason: `qty must be a positive number, got ${req.qty}` };
  if (hasQuote && !positive(req.quoteQty)) return { ok: false, reason: `quoteQty must be a positive number, got ${req.quoteQty}` };
  if (hasQuote && req.type !== 'market') return { ok: false, reason: 'quoteQty is only for market orders; give qty for other types' };

  const needsPrice = needsLimitPrice(req.type);
  const needsStop = needsStopPrice(req.type);
  if (needsPrice && !positive(req.price)) return { ok: false, reason: `a ${req.type} order needs a positive price, got ${req.price}` };
  if (!needsPrice && req.price !== undefined) return { ok: false, reason: `a ${req.type} order takes no price` };
  if (needsStop && !positive(req.stopPrice)) return { ok: false, reason: `a ${req.type} order needs a positive stopPrice, got ${req.stopPrice}` };
  if (!needsStop && req.stopPrice !== undefined) return { ok: false, reason: `a ${req.type} order takes no stopPrice` };
  if (req.type === 'trailing_stop' && !positive(req.trailingPercent) && !positive(req.trailingAmount)) {
    return { ok: false, reason: 'a trailing_stop needs a positive trailingPercent or trailingAmount' };
  }

  const buy = req.side === 'buy';
  const out: OrderRequest = { ...req };
  if (hasQty) out.qty = roundToStep(req.qty as number, instrument.lotSize, 'down');
  if (needsPrice) {
    out.price = roundToStep(req.price as number, instrument.tickSize, buy ? 'down' : 'up');
    if (!(out.price > 0)) return { ok: false, reason: `price ${req.price} rounds to 0 at tick ${instrument.tickSize}` };
  }
  if (needsStop) {
    out.stopPrice = roundToStep(req.stopPrice as number, instrument.tickSize, buy ? 'down' : 'up');
    if (!(out.stopPrice > 0)) return { ok: false, reason: `stopPrice ${req.stopPrice} rounds to 0 at tick ${instrument.tickSize}` };
  }
  return { ok: true, req: out, instrument };
}
