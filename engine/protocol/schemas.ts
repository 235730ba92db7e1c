/**
 * Run-time schemas for every request's params. The engine parses params with these before
 * a handler runs, so a handler only ever sees well-formed input; a malformed request gets
 * a BAD_INPUT WireError whose `where` is the dotted path of the offending param.
 * Objects are strict: an unknown key is an error, because a typo'd limit silently ignored
 * is worse than a refusal.
 */
import { z } from 'zod';
import {
  ACCOUNT_NAME_PATTERN,
  ACCOUNT_NAME_RULE,
  EXCHANGE_ID_PATTERN,
  credentialProblem,
  ALERT_MODES,
  CHART_COUNTS,
  CROSSINGS,
  DRAWING_KINDS,
  DRAWING_TEXT_MAX,
  HOTKEY_ACTIONS,
  INDICATOR_OPS,
  KEY_COMBO_PATTERN,
  LIMIT_KEYS,
  STRATEGY_ACTIONS,
  STRATEGY_EVENTS,
  LINE_STYLES,
  MAX_CHARTS,
  ORDER_TYPES,
  PRICE_SOURCES,
  RISK_EVENTS,
  RISK_LIMIT_SPECS,
  SIDES,
  SIZE_MODES,
  TIMES_IN_FORCE,
  WORKSPACE_LIMITS,
  limitRangeText,
  needsLimitPrice,
  needsStopPrice,
  type LimitSpec,
} from './definitions';
import type { MethodName, Params, RiskLimits, WireError } from './index';

const empty = z.strictObject({});
const text = z.string().trim().min(1).max(200);
const symbol = z.string().trim().min(1).max(64);
const timeframe = z.string().regex(/^\d+[smhdw]$/, 'expected a timeframe such as 1m, 5m, 1h, 1d');
const epochMs = z.number().int().min(0);
const limit = z.number().int().min(1).max(1_000_000);
const positive = z.number().positive();
const fraction = z.number().min(0).max(1);
const paramValue = z.union([z.number(), z.boolean(), z.string().max(200)]);
const side = z.enum(SIDES);
const orderType = z.enum(ORDER_TYPES);
const tif = z.enum(TIMES_IN_FORCE);

const ticketOrder = z
  .strictObject({
    symbol,
    side,
    type: orderType,
    size: positive,
    sizeMode: z.enum(SIZE_MODES),
    price: positive.optional(),
    stopPrice: positive.optional(),
    riskStop: positive.optional(),
    tif: tif.optional(),
    reduceOnly: z.boolean().optional(),
    clientOrderId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').optional(),
  })
  .superRefine((o, ctx) => {
    if (needsLimitPrice(o.type) && o.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: `a ${o.type} order needs a price` });
    }
    if (needsStopPrice(o.type) && o.stopPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${o.type} order needs a stop price` });
    }
    if (o.sizeMode === 'riskPercent') {
      if (o.riskStop === undefined) ctx.addIssue({ code: 'custom', path: ['riskStop'], message: 'risk-percent sizing needs a protective stop' });
      if (o.size > 100) ctx.addIssue({ code: 'custom', path: ['size'], message: 'risk percent must be at most 100' });
    }
  });

/** A limit's schema, built from its one definition (engine/src/model/risk-limits.ts) with the same words as the engine's check. */
function limitSchema(spec: LimitSpec): z.ZodType {
  const message = `must be ${limitRangeText(spec)}`;
  if (spec.kind === 'enum') return z.enum(spec.values as [string, ...string[]], message);
  let n = z.number(message);
  if (spec.kind === 'int') n = n.int(message);
  n = spec.min.inclusive ? n.gte(spec.min.value, message) : n.gt(spec.min.value, message);
  return spec.max.inclusive ? n.lte(spec.max.value, message) : n.lt(spec.max.value, message);
}

/** Any subset of the limits; the engine merges it over the current ones. */
const riskLimitsPatch = z.strictObject(Object.fromEntries(LIMIT_KEYS.map((k) => [k, limitSchema(RISK_LIMIT_SPECS[k]).optional()]))) as unknown as z.ZodType<
  Partial<RiskLimits>
>;

const range = { from: epochMs.optional(), to: epochMs.optional() };
/** A ccxt exchange id (lower-case letters and digits) and a unified symbol (BASE/QUOTE). */
const exchangeId = z.string().trim().toLowerCase().regex(EXCHANGE_ID_PATTERN, 'a ccxt exchange id, e.g. binance');
const accountName = z.string().regex(ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE);
/** A key, secret or passphrase: checked by the model's rule, whose messages never quote the value. */
const credential = (field: string, required: boolean) =>
  z.string().superRefine((v, ctx) => {
    const problem = credentialProblem(field, v, required);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const unifiedSymbol = z.string().trim().min(3).max(64).regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+$/, 'a unified symbol such as BTC/USDT');
const apiUrl = z.string().trim().max(300).regex(/^https?:\/\/[^/?#\s]+\/?$/, 'scheme, host and port only, e.g. http://127.0.0.1:9000');
const feeFraction = z.number().min(0).max(0.1);

/** Snapping moves bars onto a grid the trader names: it needs the timeframe. */
function snapNeedsTimeframe(p: { snap?: boolean; timeframe?: string }, ctx: z.RefinementCtx): void {
  if (p.snap && p.timeframe === undefined) ctx.addIssue({ code: 'custom', path: ['timeframe'], message: 'snap needs the timeframe whose grid to snap the bars onto' });
}

// ---------- workspace ----------

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour as #rrggbb');
const priceSource = z.enum(PRICE_SOURCES);
const indicatorParams = z.record(z.string().max(64), z.number());
const indicatorSetting = z.strictObject({
  key: z.string().min(1).max(64),
  id: text,
  params: indicatorParams,
  source: priceSource.optional(),
  colors: z.array(color).max(16).optional(),
  lineStyle: z.enum(LINE_STYLES).optional(),
  lineWidth: z.number().int().min(1).max(4).optional(),
});
const chartLayout = z.strictObject({
  count: z.literal(CHART_COUNTS),
  linkSymbol: z.boolean(),
  linkCrosshair: z.boolean(),
  active: z.number().int().min(0).max(MAX_CHARTS - 1),
  charts: z
    .array(z.strictObject({ symbol: symbol.optional(), timeframe: timeframe.optional(), indicators: z.array(indicatorSetting).max(WORKSPACE_LIMITS.indicatorsPerChart) }))
    .min(1)
    .max(MAX_CHARTS),
});
const keyCombo = z.string().max(40).regex(KEY_COMBO_PATTERN, 'expected a key such as Shift+B');
const tradingPrefs = z.strictObject({
  oneClick: z.boolean(),
  quantity: positive,
  hotkeys: z.strictObject({
    enabled: z.boolean(),
    keys: z.strictObject(Object.fromEntries(HOTKEY_ACTIONS.map((a) => [a, keyCombo])) as Record<(typeof HOTKEY_ACTIONS)[number], typeof keyCombo>),
  }),
});
const layoutName = z.string().trim().min(1).max(WORKSPACE_LIMITS.layoutName);
const drawingPoint = z.strictObject({ ts: epochMs, price: positive });
const crossing = z.enum(CROSSINGS);
const alertCondition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('price'), symbol, level: positive, cross: crossing }),
  z.strictObject({ kind: z.literal('drawing'), symbol, drawingId: text, cross: crossing }),
  z.strictObject({
    kind: z.literal('indicator'),
    symbol,
    timeframe,
    indicator: text,
    params: indicatorParams,
    source: priceSource.optional(),
    output: text,
    op: z.enum(INDICATOR_OPS),
    value: z.number(),
  }),
  z.strictObject({ kind: z.literal('strategy'), strategy: text.optional(), event: z.enum(STRATEGY_EVENTS).optional() }),
  z.strictObject({ kind: z.literal('risk'), event: z.enum(RISK_EVENTS), count: z.number().int().min(1).max(1000).optional(), windowSec: z.number().int().min(1).max(86_400).optional() }),
]);
const note = z.string().max(500);

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
  'system.backup': empty as unknown as Schemas['system.backup'],
  'system.diagnostics': empty as unknown as Schemas['system.diagnostics'],
  'ui.heartbeat': empty as unknown as Schemas['ui.heartbeat'],

  'data.datasets': empty as unknown as Schemas['data.datasets'],
  'data.bars': z.strictObject({ symbol, timeframe, ...range, limit: limit.optional() }),
  'data.importFile': z.strictObject({ path: z.string().min(1).max(4096), symbol: symbol.optional(), timeframe: timeframe.optional(), snap: z.boolean().optional() }).superRefine(snapNeedsTimeframe),
  'data.importText': z
    .strictObject({
      name: z.string().min(1).max(255),
      // 64 MiB of text: a year of 1m bars is ~30 MB of CSV; beyond that, import by path.
      content: z.string().max(64 * 1024 * 1024),
      symbol: symbol.optional(),
      timeframe: timeframe.optional(),
      snap: z.boolean().optional(),
    })
    .superRefine(snapNeedsTimeframe),
  'data.export': z.strictObject({ symbol, timeframe, format: z.enum(['csv', 'parquet']), path: z.string().min(1).max(4096).optional(), overwrite: z.boolean().optional() }),

  'indicators.catalogue': empty as unknown as Schemas['indicators.catalogue'],
  'indicators.compute': z.strictObject({
    symbol,
    timeframe,
    id: text,
    params: z.record(z.string(), z.number()),
    source: priceSource.optional(),
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
  'orders.modify': z
    .strictObject({ orderId: text, price: positive.optional(), stopPrice: positive.optional(), qty: positive.optional() })
    .refine((p) => p.price !== undefined || p.stopPrice !== undefined || p.qty !== undefined, { message: 'give a price, a stop price or a quantity to change', path: ['price'] }),
  'orders.cancelAll': z.strictObject({ symbol: symbol.optional() }),
  'orders.list': z.strictObject({ scope: z.enum(['working', 'all']), limit: limit.optional() }),
  'fills.list': z.strictObject({ limit: limit.optional() }),
  'positions.list': empty as unknown as Schemas['positions.list'],
  'positions.flatten': z.strictObject({ symbol: symbol.optional(), ledger: text.optional() }),

  'ledgers.list': empty as unknown as Schemas['ledgers.list'],
  'ledgers.equity': z.strictObject({ since: epochMs.optional() }),
  'strategies.start': z.strictObject({
    strategy: text,
    path: z.string().min(1).max(4096).optional(),
    params: z.record(z.string(), paramValue),
    symbol,
    timeframe,
    allocation: positive,
    limits: z.strictObject({ maxExposure: positive.optional(), maxDailyLossPct: z.number().positive().max(100).optional() }).optional(),
    account: accountName.optional(),
    confirm: z.string().max(100).optional(),
  }),
  'strategies.control': z.strictObject({ id: text, action: z.enum(STRATEGY_ACTIONS) }),
  'strategies.instances': empty as unknown as Schemas['strategies.instances'],
  'strategies.logs': z.strictObject({ id: text, limit: z.number().int().min(1).max(2_000).optional() }),
  'strategies.gap': z.strictObject({ id: text }),
  'account.get': empty as unknown as Schemas['account.get'],

  'risk.state': empty as unknown as Schemas['risk.state'],
  'risk.setLimits': riskLimitsPatch,
  'risk.killSwitch': z.strictObject({ engage: z.boolean(), flatten: z.boolean().optional(), reason: z.string().max(500).optional() }),
  'risk.analytics': z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('portfolio') }),
    z.strictObject({ source: z.literal('backtest'), runId: text }),
  ]),

  'replay.start': z.strictObject({ symbol, timeframe, from: epochMs.optional(), speed: z.number().positive().max(1000).optional() }),
  'replay.control': z.strictObject({ action: z.enum(['pause', 'resume', 'stop', 'step']), speed: z.number().positive().max(1000).optional() }),
  'replay.state': empty as unknown as Schemas['replay.state'],

  'workspace.get': empty as unknown as Schemas['workspace.get'],
  'workspace.set': z.strictObject({
    watchlist: z.array(symbol).max(WORKSPACE_LIMITS.watchlist).optional(),
    timeframes: z.record(symbol, timeframe).optional(),
    layout: chartLayout.optional(),
    trading: tradingPrefs.optional(),
  }),
  'layouts.save': z.strictObject({ name: layoutName, layout: chartLayout }),
  'layouts.delete': z.strictObject({ name: layoutName }),
  'watchlist.quotes': z.strictObject({ symbols: z.array(symbol).max(WORKSPACE_LIMITS.watchlist) }),

  'drawings.list': z.strictObject({ symbol }),
  'drawings.save': z.strictObject({
    id: text.optional(),
    symbol,
    kind: z.enum(DRAWING_KINDS),
    points: z.array(drawingPoint).min(1).max(2),
    text: z.string().max(DRAWING_TEXT_MAX).optional(),
    color: color.optional(),
  }),
  'drawings.delete': z.strictObject({ id: text }),

  'alerts.list': empty as unknown as Schemas['alerts.list'],
  'alerts.create': z.strictObject({ condition: alertCondition, mode: z.enum(ALERT_MODES), note: note.optional() }),
  'alerts.update': z.strictObject({ id: text, enabled: z.boolean().optional(), mode: z.enum(ALERT_MODES).optional(), note: note.optional() }),
  'alerts.delete': z.strictObject({ id: text }),
  'alerts.log': z.strictObject({ limit: z.number().int().min(1).max(5_000).optional() }),
  'exchanges.list': z.strictObject({ ids: z.array(exchangeId).max(50).optional() }),
  'exchanges.setApiUrl': z.strictObject({ exchange: exchangeId, apiUrl: z.union([apiUrl, z.literal('')]).optional() }),
  'accounts.list': empty as unknown as Schemas['accounts.list'],
  'accounts.add': z.strictObject({
    exchange: exchangeId,
    name: accountName,
    testnet: z.boolean().optional(),
    apiUrl: apiUrl.optional(),
    apiKey: credential('apiKey', true),
    secret: credential('secret', true),
    password: credential('password', false).optional(),
    check: z.boolean().optional(),
  }),
  'accounts.remove': z.strictObject({ name: accountName }),
  'live.status': empty as unknown as Schemas['live.status'],
  'live.resolve': z.strictObject({ account: accountName, clientOrderId: z.string().min(1).max(100), action: z.enum(['adopt', 'cancel', 'ignore']) }),
  'live.place': z.strictObject({ account: accountName, order: ticketOrder }),
  'live.cancel': z.strictObject({ account: accountName, orderId: text }),
  'live.orders': z.strictObject({ account: accountName, limit: limit.optional() }),
  'accounts.setLive': z.strictObject({ name: accountName, live: z.boolean(), confirm: z.string().max(100).optional() }),
  'download.start': z
    .strictObject({ exchange: exchangeId, symbol: unifiedSymbol, timeframe, from: epochMs, to: epochMs.optional(), apiUrl: apiUrl.optional(), trades: z.boolean().optional() })
    .refine((d) => d.to === undefined || d.to > d.from, { path: ['to'], message: 'must be after from' }),
  'download.cancel': z.strictObject({ downloadId: text }),
  'download.list': empty as unknown as Schemas['download.list'],
  'data.quality': z.strictObject({ symbol, timeframe, buckets: z.number().int().min(10).max(2000).optional() }),
  'stream.start': z.strictObject({ exchange: exchangeId, symbol: unifiedSymbol, timeframe, apiUrl: apiUrl.optional() }),
  'stream.stop': z.strictObject({ id: z.string().min(1).max(120) }),
  'stream.list': empty as unknown as Schemas['stream.list'],
  'spread.analyze': z.strictObject({
    a: z.strictObject({ symbol, timeframe }),
    b: z.strictObject({ symbol, timeframe }),
    feeA: feeFraction,
    feeB: feeFraction,
    slippage: feeFraction,
    threshold: z.number().min(-1).max(1),
    participation: z.number().gt(0).max(1).optional(),
    ...range,
  }),
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
