/**
 * Run-time schemas for every request's params. The engine parses params with these before
 * a handler runs, so a handler only ever sees well-formed input; a malformed request gets
 * a BAD_INPUT WireError whose `where` is the dotted path of the offending param.
 * Objects are strict: an unknown key is an error, because a typo'd limit silently ignored
 * is worse than a refusal.
 */
import { z } from 'zod';
import type { MethodName, Params, WireError } from './index';

const empty = z.strictObject({});
const text = z.string().trim().min(1).max(200);
const symbol = z.string().trim().min(1).max(64);
const timeframe = z.string().regex(/^\d+[smhdw]$/, 'expected a timeframe such as 1m, 5m, 1h, 1d');
const epochMs = z.number().int().min(0);
const limit = z.number().int().min(1).max(1_000_000);
const positive = z.number().positive();
const fraction = z.number().min(0).max(1);
const paramValue = z.union([z.number(), z.boolean(), z.string().max(200)]);
const side = z.enum(['buy', 'sell']);
const orderType = z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const tif = z.enum(['GTC', 'IOC', 'FOK', 'DAY']);

const ticketOrder = z
  .strictObject({
    symbol,
    side,
    type: orderType,
    size: positive,
    sizeMode: z.enum(['qty', 'notional', 'riskPercent']),
    price: positive.optional(),
    stopPrice: positive.optional(),
    riskStop: positive.optional(),
    tif: tif.optional(),
    reduceOnly: z.boolean().optional(),
    clientOrderId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.type === 'limit' || o.type === 'stop_limit') && o.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: `a ${o.type} order needs a price` });
    }
    if ((o.type === 'stop' || o.type === 'stop_limit') && o.stopPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${o.type} order needs a stop price` });
    }
    if (o.sizeMode === 'riskPercent') {
      if (o.riskStop === undefined) ctx.addIssue({ code: 'custom', path: ['riskStop'], message: 'risk-percent sizing needs a protective stop' });
      if (o.size > 100) ctx.addIssue({ code: 'custom', path: ['size'], message: 'risk percent must be at most 100' });
    }
  });

const riskLimits = z.strictObject({
  maxOrderQty: positive,
  maxOrderNotional: positive,
  priceCollarPct: z.number().min(0).max(100),
  maxPriceAgeMs: z.number().int().positive(),
  maxPositionNotional: positive,
  maxExposurePct: z.number().min(0).max(10_000),
  maxOpenPositions: z.number().int().min(0),
  ordersPerSecond: positive,
  orderBurst: z.number().int().min(1),
  duplicateWindowMs: z.number().int().min(0),
  maxDailyLossPct: z.number().min(0).max(100),
  maxDrawdownPct: z.number().min(0).max(100),
  breakerAction: z.enum(['REDUCING', 'HALTED']),
  dayBoundaryUtcOffsetMinutes: z.number().int().min(-720).max(840),
  watchdogSilenceMs: z.number().int().min(0),
});

const range = { from: epochMs.optional(), to: epochMs.optional() };

/** A run over stored bars: the strategy, the data and the costs (backtests and research jobs alike). */
const runFields = { strategy: text, symbol, timeframe, ...range, capital: positive, fee: fraction, slippage: fraction };

const finite = z.number().finite();
const optimizeFields = {
  ...runFields,
  ranges: z.record(z.string().min(1).max(100), z.strictObject({ lo: finite, hi: finite, step: positive.optional() })),
  fixed: z.record(z.string().min(1).max(100), paramValue).optional(),
  method: z.enum(['grid', 'random', 'tpe']),
  trials: z.number().int().min(1).max(100_000).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  objective: z.enum(['sharpe', 'sortino', 'calmar', 'total_return', 'profit_factor']),
  minTrades: z.number().int().min(0).max(1_000_000).optional(),
};

type Schemas = { [M in MethodName]: z.ZodType<Params<M>, unknown> };

export const paramSchemas: Schemas = {
  'engine.info': empty as unknown as Schemas['engine.info'],
  'system.status': empty as unknown as Schemas['system.status'],
  'system.logs': z.strictObject({ limit: z.number().int().min(1).max(10_000).optional() }),
  'ui.heartbeat': empty as unknown as Schemas['ui.heartbeat'],

  'data.datasets': empty as unknown as Schemas['data.datasets'],
  'data.bars': z.strictObject({ symbol, timeframe, ...range, limit: limit.optional() }),
  'data.importFile': z.strictObject({ path: z.string().min(1).max(4096), symbol: symbol.optional(), timeframe: timeframe.optional() }),
  'data.importText': z.strictObject({
    name: z.string().min(1).max(255),
    // 64 MiB of text: a year of 1m bars is ~30 MB of CSV; beyond that, import by path.
    content: z.string().max(64 * 1024 * 1024),
    symbol: symbol.optional(),
    timeframe: timeframe.optional(),
  }),
  'data.export': z.strictObject({ symbol, timeframe, format: z.enum(['csv', 'parquet']), path: z.string().min(1).max(4096).optional() }),

  'indicators.catalogue': empty as unknown as Schemas['indicators.catalogue'],
  'indicators.compute': z.strictObject({
    symbol,
    timeframe,
    id: text,
    params: z.record(z.string(), z.number()),
    ...range,
  }),

  'strategies.list': empty as unknown as Schemas['strategies.list'],
  'backtest.run': z.strictObject({ ...runFields, params: z.record(z.string(), paramValue) }),
  'backtest.cancel': z.strictObject({ runId: text }),
  'backtest.list': empty as unknown as Schemas['backtest.list'],
  'backtest.get': z.strictObject({ runId: text }),

  'research.optimize': z.strictObject(optimizeFields),
  'research.walkforward': z.strictObject({
    ...optimizeFields,
    train: z.number().int().min(2),
    test: z.number().int().min(1),
    anchored: z.boolean().optional(),
    reserve: z.number().min(0).lt(1).optional(),
    validate: z.boolean().optional(),
  }),
  'research.montecarlo': z.strictObject({
    source: text,
    runs: z.number().int().min(1).max(1_000_000),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    method: z.enum(['shuffle', 'bootstrap', 'both']),
    confidence: z.number().gt(0).lt(1).optional(),
    drawdown: z.number().gt(0).max(1).optional(),
  }),
  'research.cancel': z.strictObject({ jobId: text }),
  'research.list': empty as unknown as Schemas['research.list'],
  'research.get': z.strictObject({ jobId: text }),
  'research.heatmap': z.strictObject({ jobId: text, x: text, y: text }),
  'research.sources': empty as unknown as Schemas['research.sources'],

  'orders.preview': ticketOrder,
  'orders.place': ticketOrder,
  'orders.cancel': z.strictObject({ orderId: text }),
  'orders.cancelAll': z.strictObject({ symbol: symbol.optional() }),
  'orders.list': z.strictObject({ scope: z.enum(['working', 'all']), limit: limit.optional() }),
  'fills.list': z.strictObject({ limit: limit.optional() }),
  'positions.list': empty as unknown as Schemas['positions.list'],
  'positions.flatten': z.strictObject({ symbol: symbol.optional() }),
  'account.get': empty as unknown as Schemas['account.get'],

  'risk.state': empty as unknown as Schemas['risk.state'],
  'risk.setLimits': riskLimits.partial(),
  'risk.killSwitch': z.strictObject({ engage: z.boolean(), flatten: z.boolean().optional(), reason: z.string().max(500).optional() }),
  'risk.analytics': z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('portfolio') }),
    z.strictObject({ source: z.literal('backtest'), runId: text }),
  ]),

  'replay.start': z.strictObject({ symbol, timeframe, from: epochMs.optional(), speed: z.number().positive().max(1000).optional() }),
  'replay.control': z.strictObject({ action: z.enum(['pause', 'resume', 'stop', 'step']), speed: z.number().positive().max(1000).optional() }),
  'replay.state': empty as unknown as Schemas['replay.state'],
};

export function isMethodName(m: unknown): m is MethodName {
  return typeof m === 'string' && Object.prototype.hasOwnProperty.call(paramSchemas, m);
}

/** Dotted path of a param, `params` for the whole object: what WireError.where carries. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'params' : path.map(String).join('.');
}

export type ParseOutcome<M extends MethodName> = { ok: true; params: Params<M> } | { ok: false; error: WireError };

/** Validates a request's params; missing params count as `{}` so argument-less calls may omit them. */
export function parseParams<M extends MethodName>(method: M, raw: unknown): ParseOutcome<M> {
  const r = paramSchemas[method].safeParse(raw === undefined ? {} : raw);
  if (r.success) return { ok: true, params: r.data as Params<M> };
  const first = r.error.issues[0]!;
  // An unknown key is reported at the key itself, so a UI can highlight the field.
  const path = first.code === 'unrecognized_keys' ? [...first.path, first.keys[0] ?? ''] : first.path;
  const where = pathOf(path);
  return {
    ok: false,
    error: {
      code: 'BAD_INPUT',
      message: `${method}: ${where}: ${first.message}`,
      where,
      details: { issues: r.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })) },
    },
  };
}
