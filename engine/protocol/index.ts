/**
 * The one contract between the engine and every UI (Electron renderer over a MessagePort,
 * a browser over the headless WebSocket). Requests are a typed RPC: method name -> params
 * and result. The engine pushes topics in batches. Errors keep their code and `where`
 * across the boundary. Everything here is plain data: JSON-safe, no classes, no Node.
 *
 * The engine validates every request's params at run time (schemas.ts) before it acts.
 */
import type { AccountSnapshot } from '../src/model/account';
import type { BacktestRun, BacktestRunSummary, BacktestRunTrade, Metrics, RunStatus } from '../src/model/backtest-run';
import type { Fill } from '../src/model/fill';
import type { AlertCondition, AlertKind, AlertLogEntry, AlertMode, AlertRule, StrategyEventKind } from '../src/model/alert';
import type { Drawing, DrawingKind, DrawingPoint } from '../src/model/drawing';
import type { IndicatorGroup, IndicatorKind, LineStyleName, OutputStyle, PriceSource } from '../src/model/indicator';
import type { OrderSnapshot, OrderType, Side, SizeMode, TimeInForce } from '../src/model/order';
import type { PositionSnapshot } from '../src/model/position';
import type { LedgerKind, LedgerLimits, LedgerSnapshot, StrategyAction, StrategyInstanceView, StrategyState } from '../src/model/ledger';
import type { GapCauses, GapTrade, RunGap, SignalGap, TradeGap } from '../src/model/gap';
import type { BreakerAction, RiskLimits } from '../src/model/risk-limits';
import type { RiskState, TradingState } from '../src/model/risk-state';
import type { ChartLayout, ChartPaneState, IndicatorSetting, TradingPrefs, Workspace } from '../src/model/workspace';
import type { ErrorCode } from '../src/core/errors';
import type { BookSnapshot, FeedStatus, StreamState } from '../src/model/stream';
import type { DownloadRequest } from '../src/model/download';
import type { ExchangeAccount } from '../src/model/exchange-account';

// The domain's types, carried as they are: the protocol maps the domain, never the reverse.
export type { AccountSnapshot, Fill, OrderSnapshot, OrderType, PositionSnapshot, Side, SizeMode, TimeInForce, ErrorCode, StreamState };
export type { BreakerAction, Metrics, RiskLimits, TradingState };
export type { AlertCondition, AlertKind, AlertLogEntry, AlertMode, AlertRule, StrategyEventKind, Drawing, DrawingKind, DrawingPoint, LineStyleName, PriceSource };
export type { ChartLayout, ChartPaneState, IndicatorSetting, TradingPrefs, Workspace };
export type { LedgerKind, LedgerLimits, StrategyAction, StrategyState };
export type LedgerDto = LedgerSnapshot;
export type StrategyInstanceDto = StrategyInstanceView;
export type GapReportDto = RunGap;
export type { GapCauses, GapTrade, SignalGap, TradeGap };
export type RiskStateDto = RiskState;
/** An exchange account as a UI may see it: the key masked, the secret never. */
export type ExchangeAccountDto = ExchangeAccount;

/** An order as the exchange reports it, found by reconciliation. */
export interface ExchangeOrderDto {
  clientOrderId: string;
  /** Not placed by Keel: never touched until the trader adopts or cancels it. */
  external?: boolean;
  venueOrderId: string | undefined;
  symbol: string;
  side: Side;
  type: OrderType;
  qty: number;
  filledQty: number;
  price: number | undefined;
  status: string;
  ts: number;
}

/** A live account's desk: its reconciliation with the exchange and what it found. */
export interface LiveAccountStatusDto {
  account: string;
  exchange: string;
  /** 'ready' takes orders; anything else holds them (why in `reason`). */
  state: string;
  reason?: string;
  /** Whether the exchange cancels this account's orders if Keel is cut off (a dead man's switch, where it offers one), in words. */
  cancelOnDisconnect?: string;
  report?: {
    at: number;
    acknowledged: number;
    fills: number;
    closed: number;
    unresolved: { orderId: string; clientOrderId: string; reason: string }[];
    external: ExchangeOrderDto[];
    /** Open under this instance's prefix, not in its journal. */
    strays: ExchangeOrderDto[];
    /** Assets where the exchange's balance is not what the journal accounts for. */
    balances: { asset: string; venue: number; keel: number; diff: number }[];
  };
}
export type BacktestSummary = BacktestRunSummary;
export type BacktestResult = BacktestRun;
export type BacktestTradeDto = BacktestRunTrade;

export const PROTOCOL_VERSION = 1;

// ---------- data ----------

export interface DatasetInfo {
  symbol: string;
  timeframe: string;
  from: number;
  to: number;
  rows: number;
  gaps: number;
}

/** Bars in columns; JSON arrays of numbers (ms timestamps). */
export interface BarsPayload {
  symbol: string;
  timeframe: string;
  ts: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  /** Set when the store resampled a lower timeframe to answer. */
  resampledFrom?: string;
}

export interface ImportReportDto {
  file: string;
  symbol: string;
  timeframe: string;
  layout: string;
  rowsRead: number;
  rowsStored: number;
  duplicatesMerged: number;
  gaps: number;
  rejected: { line: number; reason: string }[];
  notes: string[];
  alreadyImported: boolean;
}

export type { IndicatorGroup, IndicatorKind, OutputStyle };

export interface IndicatorCatalogueEntry {
  id: string;
  name: string;
  group: IndicatorGroup;
  /** Which pane every output is drawn in: the price pane (overlay) or one of its own (pane). */
  kind: IndicatorKind;
  params: { name: string; label: string; default: number; min: number; max: number; step: number; integer: boolean }[];
  /** In the order `indicators.compute` returns them; a chart draws each as its style says. */
  outputs: { name: string; label: string; style: OutputStyle }[];
  /** Reads one price, which `indicators.compute` may take from another source than the close. */
  sourced: boolean;
  /** Levels a chart draws as guides in the indicator's pane (RSI 30 and 70). */
  guides?: number[];
}

// ---------- strategies and backtests ----------

export interface ParamSpecDto {
  name: string;
  kind: 'int' | 'float' | 'bool' | 'choice';
  default: number | boolean | string;
  min?: number;
  max?: number;
  step?: number;
  choices?: string[];
  description?: string;
}

export interface StrategyInfo {
  id: string;
  name: string;
  description: string;
  params: ParamSpecDto[];
}

export interface BacktestRequest {
  strategy: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  from?: number;
  to?: number;
  capital: number;
  /** Fee per fill as a fraction of notional (0.001 = 0.1 %). */
  fee: number;
  /** Slippage per fill as a fraction of price (0.0005 = 5 bps). */
  slippage: number;
}

export interface JobProgress {
  jobId: string;
  kind: 'backtest' | 'import' | ResearchKind;
  done: number;
  total: number;
  status: RunStatus;
  message?: string;
}

// ---------- research: optimisation, walk-forward, Monte Carlo ----------

export type ResearchKind = 'optimize' | 'walkforward' | 'montecarlo';
export type ResearchMethod = 'grid' | 'random' | 'tpe';
export type ResearchObjective = 'sharpe' | 'sortino' | 'calmar' | 'total_return' | 'profit_factor';
export type ParamValueDto = number | boolean | string;

/** A sweep over stored bars, as `keel optimize` over a file: the UI's Optimise tab. Data and costs as a backtest's. */
export interface OptimizeRequest extends Omit<BacktestRequest, 'params'> {
  /** Searched parameters: lo..hi by step (the strategy's step where omitted). */
  ranges: Record<string, { lo: number; hi: number; step?: number }>;
  /** Parameters held at one value. Those in neither are searched over their declared range. */
  fixed?: Record<string, ParamValueDto>;
  method: ResearchMethod;
  /** For random and tpe. */
  trials?: number;
  seed?: number;
  objective: ResearchObjective;
  minTrades?: number;
}

export interface WalkForwardRequest extends OptimizeRequest {
  train: number;
  test: number;
  anchored?: boolean;
  /** Fraction of bars kept back at the end (default 0.2). */
  reserve?: number;
  validate?: boolean;
}

/** Monte Carlo of a recorded run's trades; `source` is an id from research.sources. */
export interface MonteCarloRequest {
  source: string;
  runs: number;
  seed: number;
  method: 'shuffle' | 'bootstrap' | 'both';
  confidence?: number;
  drawdown?: number;
}

export interface ResearchSummary {
  jobId: string;
  kind: ResearchKind;
  /** What ran, in a line ("sma-cross on BTC/USDT 5m, grid"). */
  label: string;
  startedAt: number;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  /** The recorded run (under $KEEL_HOME/runs; `keel rerun`, `keel report`). */
  runId?: string;
  error?: string;
}

export interface CurveDto {
  ts: number[];
  equity: number[];
  drawdown: number[];
}

export interface CheckDto {
  ok: boolean;
  summary: string;
}

export interface OptimizeResultDto extends ResearchSummary {
  kind: 'optimize';
  /** Every parameter of the strategy, in its declared order; `searched` are those that varied. */
  params: string[];
  searched: string[];
  objective: ResearchObjective;
  trials: { params: Record<string, ParamValueDto>; score: number | null; metrics: Metrics }[];
  best: { index: number; params: Record<string, ParamValueDto>; metrics: Metrics } | null;
  bestEquity: CurveDto | null;
  deflatedSharpe: number | null;
  pbo: number | null;
  skipped: number;
  warmup: CheckDto | null;
  lookahead: CheckDto | null;
}

export interface WalkForwardResultDto extends ResearchSummary {
  kind: 'walkforward';
  params: string[];
  windows: { trainFrom: number; trainTo: number; testFrom: number; testTo: number; params: Record<string, ParamValueDto> | null; metrics: Metrics | null }[];
  oos: CurveDto;
  oosMetrics: Metrics;
  efficiency: number | null;
  reserve: { bars: number; from: number | null };
  validation: Metrics | null;
}

export interface MonteCarloMethodDto {
  method: 'shuffle' | 'bootstrap';
  /** Trades compounded at each fan point, and the paths' equity (start 1) quantiles there. */
  steps: number[];
  p5: number[];
  p25: number[];
  p50: number[];
  p75: number[];
  p95: number[];
  finalReturn: { lower: number; median: number; upper: number };
  maxDrawdown: { lower: number; median: number; upper: number };
  probDrawdown: number;
}

export interface MonteCarloResultDto extends ResearchSummary {
  kind: 'montecarlo';
  trades: number;
  original: { finalReturn: number; maxDrawdown: number };
  confidence: number;
  drawdown: number;
  methods: MonteCarloMethodDto[];
}

export type ResearchResultDto = OptimizeResultDto | WalkForwardResultDto | MonteCarloResultDto;

export interface HeatmapDto {
  x: string;
  y: string;
  xs: ParamValueDto[];
  ys: ParamValueDto[];
  /** z[j][i]: the best objective at (xs[i], ys[j]); null where no trial there qualified. */
  z: (number | null)[][];
}

/** A recorded run with trades to resample: a backtest, a sweep's best, a walk-forward's out-of-sample. */
export interface ResearchSource {
  id: string;
  label: string;
  created: string;
}

// ---------- trading ----------

/** What the order ticket sends. Size is resolved to a quantity by the engine (same sizers as strategies). */
export interface TicketOrder {
  symbol: string;
  side: Side;
  type: OrderType;
  size: number;
  sizeMode: SizeMode;
  price?: number;
  stopPrice?: number;
  /** For riskPercent sizing: the protective stop the risk is measured to. */
  riskStop?: number;
  tif?: TimeInForce;
  reduceOnly?: boolean;
  clientOrderId?: string;
}

export interface OrderPreview {
  qty: number;
  notional: number;
  estimatedFee: number;
  referencePrice: number | undefined;
  verdict: { ok: true } | { ok: false; check: string; reason: string };
}

export type PlaceOrderResult = { ok: true; orderId: string } | { ok: false; check: string; reason: string };

export type ModifyResult = { ok: true; orderId: string; mode: 'amend' | 'replace' } | { ok: false; check: string; reason: string };

/** A position of one ledger: the account's positions are the sum of these. */
export type PositionDto = PositionSnapshot & { ledger: string };

/** What a flatten did to one position of one ledger: working orders it cancelled first, then the closing order and its fate. */
export interface FlattenResult {
  ledger: string;
  symbol: string;
  /** Working orders on the symbol cancelled before the close went out. */
  cancelled: number;
  side: Side;
  qty: number;
  result: PlaceOrderResult;
}

/**
 * Something the trader must see and acknowledge: an engine alert (a flatten that failed, a
 * journal that refused a write) or one of the trader's own alerts firing (`ruleId`).
 */
export interface Alert {
  level: 'info' | 'warn' | 'error';
  title: string;
  message: string;
  ts: number;
  /** Set when the trader's alert rule fired. */
  ruleId?: string;
  kind?: AlertKind;
}

// ---------- the desk: ledgers and strategies running forward ----------

export interface StrategyStartRequest {
  /** A shipped strategy's id, or a trader's own .ts file by `path`. */
  strategy: string;
  path?: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  /** Cash moved from the manual ledger into the strategy's own. */
  allocation: number;
  limits?: LedgerLimits;
  /** A live exchange account to run on, at the exchange; absent: the paper desk. */
  account?: string;
  /** With `account`: the trader's typed confirmation, exactly `LIVE <account>` (liveConfirmation). */
  confirm?: string;
}

/** A ledger's equity over time (the account's is ledger '*'). */
export interface EquitySeriesDto {
  ledger: string;
  label: string;
  ts: number[];
  equity: number[];
}

export interface StrategyLogEntry {
  ts: number;
  kind: string;
  message: string;
}

// ---------- workspace: drawings, watchlist, layouts, alerts ----------

/** A drawing as the chart sends it: no id creates one, an id replaces that drawing. */
export interface DrawingInput {
  id?: string;
  symbol: string;
  kind: DrawingKind;
  points: DrawingPoint[];
  text?: string;
  color?: string;
}

/** One watchlist row: the latest stored price, the change over the last 24 h and a sparkline of closes over them. */
export type WatchQuote =
  | { symbol: string; missing: true }
  | { symbol: string; missing?: undefined; timeframe: string; ts: number; last: number; base: number; change: number; changePct: number; spark: number[] };

// ---------- market replay ----------

/**
 * A simulated live feed from stored bars, for paper trading offline. The chart shows
 * history up to `cursorTs` and then receives replayed bars on the 'bar' topic.
 * `index` counts bars already replayed out of `total`; `speed` is bars per second.
 */
export interface ReplayState {
  status: 'idle' | 'playing' | 'paused' | 'done';
  symbol?: string;
  timeframe?: string;
  index: number;
  total: number;
  speed: number;
  /** Open time (ms) of the next bar to replay (of the last bar once done). */
  cursorTs?: number;
}

// ---------- risk analytics ----------

export interface RiskAnalyticsDto {
  source: 'portfolio' | 'backtest';
  asOf: number;
  /** Returns the figures were estimated from. */
  observations: number;
  /** The horizon of VaR/ES in bars of the underlying series (1 = one bar). */
  horizonBars: number;
  /** VaR and ES as positive loss fractions of portfolio value (0.03 = a 3 % loss); confidence as a fraction (0.95). */
  rows: { method: 'historical' | 'gaussian' | 'cornish-fisher' | 'monte-carlo'; confidence: number; var: number; es: number }[];
  /** Worst historical days replayed on today's book: pnl in account currency, pnlPct as a fraction of value. */
  stress: { day: string; pnl: number; pnlPct: number }[];
  /** Correlation of the symbols' returns (null where undefined, e.g. a constant series). */
  correlation?: { symbols: string[]; matrix: (number | null)[][] };
  notes: string[];
}

// ---------- exchanges, downloads, live streams, quality, spread ----------

/** A row of the exchange capability table: ccxt's `has` flags with Keel's notes. */
export interface ExchangeInfoDto {
  id: string;
  name: string;
  has: Record<string, boolean>;
  timeframes: string[];
  ohlcvPageLimit: number;
  /** The candle endpoint reaches back only this many bars (null: to the listing). */
  historyCandles: number | null;
  tradesForLongHistory: boolean;
  notes: string[];
  /** The saved API URL override (scheme, host and port), if any. */
  apiUrl?: string;
}

/** A download (data/download.ts), or with `trades` one that builds its bars from trades (Kraken's long histories). */
export type DownloadRequestDto = DownloadRequest & { trades?: boolean };

export interface GapDto {
  from: number;
  to: number;
  missing: number;
}

export interface DownloadReportDto {
  symbol: string;
  timeframe: string;
  from: number;
  to: number;
  alreadyHeld: number;
  stored: number;
  pages: number;
  retries: number;
  gaps: GapDto[];
  duplicatesMerged: number;
  outOfOrder: number;
  rejected: number;
  elapsedMs: number;
  notes: string[];
  /** Worker threads that fetched pages (0: all on the engine's thread), and the pages they fetched. */
  threads: number;
  pagesOnThreads: number;
}

/** A download's progress (the 'download' topic, one item per downloadId). */
export interface DownloadProgressDto {
  downloadId: string;
  exchange: string;
  /** The dataset it fills, e.g. binance:BTC/USDT. */
  symbol: string;
  timeframe: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Bar times settled (stored, or known missing at the exchange) of `expected`. */
  done: number;
  expected: number;
  stored: number;
  ratePerSec: number;
  etaMs?: number;
  message?: string;
  report?: DownloadReportDto;
}

/**
 * A live stream's status (model/stream.ts) as the wire shows it: `id` is `${symbol}|${timeframe}`
 * and `symbol` the dataset's name (e.g. binance:BTC/USDT), not ccxt's.
 */
export type StreamStatusDto = Omit<FeedStatus, 'venueSymbol'> & { id: string };

/** The top of a live book, best first: [price, size] per level. */
export type BookDto = BookSnapshot;

export interface QualitySpanDto {
  from: number;
  to: number;
  bars: number;
}

export interface QualityReportDto {
  symbol: string;
  timeframe: string;
  from: number | null;
  to: number | null;
  rows: number;
  gaps: { count: number; missingBars: number; atExchange: number; spans: QualitySpanDto[] };
  duplicatesMerged: number;
  outOfOrder: number;
  rejected: number;
  stale: { count: number; bars: number; spans: QualitySpanDto[] };
  outliers: { count: number; k: number; window: number; points: { ts: number; price: number; deviations: number }[] };
  /** Where the problems are along the dataset's time: one bucket of `bucketMs` each. */
  strip: { from: number; bucketMs: number; buckets: { gaps: number; stale: number; outliers: number; duplicates: number }[] };
}

export interface SpreadRequestDto {
  a: { symbol: string; timeframe: string };
  b: { symbol: string; timeframe: string };
  /** Fractions of notional: fees per fill on each venue, slippage per leg. */
  feeA: number;
  feeB: number;
  slippage: number;
  /** Net spread an opportunity must exceed, a fraction. */
  threshold: number;
  participation?: number;
  from?: number;
  to?: number;
}

export interface OpportunityDto {
  start: number;
  end: number;
  durationMs: number;
  bars: number;
  direction: 'buy-a-sell-b' | 'buy-b-sell-a';
  peakNet: number;
  meanNet: number;
  size: number;
  pnl: number;
}

export interface SpreadResultDto {
  symbolA: string;
  symbolB: string;
  timeframe: string;
  aligned: number;
  onlyA: number;
  onlyB: number;
  cost: number;
  /** The aligned series, thinned to at most a few thousand points for the chart (every k-th, and the extremes of each stretch). */
  ts: number[];
  gross: number[];
  net: number[];
  opportunities: OpportunityDto[];
  totalPnl: number;
  totalSize: number;
}

// ---------- system ----------

export interface EngineInfo {
  version: string;
  protocol: number;
  mode: 'electron' | 'headless';
  /** Where orders go: always the paper desk today. */
  tradingMode: 'paper' | 'live';
  home: string;
  startedAt: number;
}

export interface SystemStatus {
  state: 'starting' | 'ready' | 'degraded';
  uptimeMs: number;
  eventLoopLagMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface LogEntry {
  ts: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  source: string;
  message: string;
}

/** A backup the engine wrote into <home>/backups (`system.backup`; `keel backup` moves it to --out; engine/src/app/backup.ts). */
export interface BackupDto {
  dir: string;
  createdAt: string;
  files: { path: string; bytes: number }[];
}

/** An Export diagnostics zip the engine wrote into <home>/exports (engine/src/app/diagnostics.ts). */
export interface DiagnosticsDto {
  path: string;
  entries: string[];
  /** The crash folder it read: where crash records of this engine are kept. */
  crashDir: string;
}

// ---------- the RPC table ----------

type Empty = Record<string, never>;

export interface Methods {
  'engine.info': { params: Empty; result: EngineInfo };
  'system.status': { params: Empty; result: SystemStatus };
  'system.logs': { params: { limit?: number }; result: LogEntry[] };
  'system.backup': { params: Empty; result: BackupDto };
  'system.diagnostics': { params: Empty; result: DiagnosticsDto };
  'ui.heartbeat': { params: Empty; result: { ts: number } };

  'data.datasets': { params: Empty; result: DatasetInfo[] };
  'data.bars': { params: { symbol: string; timeframe: string; from?: number; to?: number; limit?: number }; result: BarsPayload };
  /**
   * Import a file the engine can read (Electron file dialog, CLI, drag-and-drop with a path).
   * `snap` moves bars off the `timeframe`'s grid onto it (it needs `timeframe`) instead of
   * rejecting them. The engine's own files (token, databases, logs) are refused, and an error
   * about a file that is not market data never quotes its content.
   */
  'data.importFile': { params: { path: string; symbol?: string; timeframe?: string; snap?: boolean }; result: ImportReportDto };
  /** Import file content sent by the UI (browser drag-and-drop, where no path exists). */
  'data.importText': { params: { name: string; content: string; symbol?: string; timeframe?: string; snap?: boolean }; result: ImportReportDto };
  /**
   * Export a dataset. Headless, `path` is a file name (or a path) inside <home>/exports, the
   * default `<symbol>-<timeframe>.<format>` there; under Electron also a path the trader chose
   * in main's save dialog. An existing file is replaced only with `overwrite: true` (the save
   * dialog asks on its own).
   */
  'data.export': { params: { symbol: string; timeframe: string; format: 'csv' | 'parquet'; path?: string; overwrite?: boolean }; result: { path: string; rows: number } };

  'indicators.catalogue': { params: Empty; result: IndicatorCatalogueEntry[] };
  'indicators.compute': {
    params: { symbol: string; timeframe: string; id: string; params: Record<string, number>; source?: PriceSource; from?: number; to?: number };
    result: { ts: number[]; outputs: Record<string, (number | null)[]> };
  };

  'strategies.list': { params: Empty; result: StrategyInfo[] };
  'backtest.run': { params: BacktestRequest; result: { runId: string } };
  'backtest.cancel': { params: { runId: string }; result: { cancelled: boolean } };
  'backtest.list': { params: Empty; result: BacktestSummary[] };
  'backtest.get': { params: { runId: string }; result: BacktestResult };

  'research.optimize': { params: OptimizeRequest; result: { jobId: string } };
  'research.walkforward': { params: WalkForwardRequest; result: { jobId: string } };
  'research.montecarlo': { params: MonteCarloRequest; result: { jobId: string } };
  'research.cancel': { params: { jobId: string }; result: { cancelled: boolean } };
  'research.list': { params: Empty; result: ResearchSummary[] };
  'research.get': { params: { jobId: string }; result: ResearchResultDto };
  /** The best objective over any two parameters of a finished sweep. */
  'research.heatmap': { params: { jobId: string; x: string; y: string }; result: HeatmapDto };
  'research.sources': { params: Empty; result: ResearchSource[] };

  'orders.preview': { params: TicketOrder; result: OrderPreview };
  'orders.place': { params: TicketOrder; result: PlaceOrderResult };
  'orders.cancel': { params: { orderId: string }; result: { cancelled: boolean } };
  /**
   * Changes a working order's limit price, stop price or total quantity, risk-checked as the
   * order it would become. 'amend': changed in place (an 'order' push of kind 'modified'
   * confirms it). 'replace': the venue cannot amend, so it is cancelled and a new order whose
   * `replaces` names it goes out once the cancel is confirmed. A refusal says which check.
   */
  'orders.modify': { params: { orderId: string; price?: number; stopPrice?: number; qty?: number }; result: ModifyResult };
  'orders.cancelAll': { params: { symbol?: string }; result: { cancelled: number } };
  'orders.list': { params: { scope: 'working' | 'all'; limit?: number }; result: OrderSnapshot[] };
  'fills.list': { params: { limit?: number }; result: Fill[] };
  /** Open positions, one per ledger and symbol. */
  'positions.list': { params: Empty; result: PositionDto[] };
  /** Cancels the position's working orders, then closes it with a reduce-only market order that passes a kill switch or a halt. */
  'positions.flatten': { params: { symbol?: string; ledger?: string }; result: FlattenResult[] };

  'ledgers.list': { params: Empty; result: LedgerDto[] };
  /** Equity of the account ('*') and of each ledger, sampled over time (each minute, and at every fill). */
  'ledgers.equity': { params: { since?: number }; result: EquitySeriesDto[] };
  /** Starts a strategy forward on its own ledger, warmed up from stored history: on paper, or live on `account` with its confirmation. */
  'strategies.start': { params: StrategyStartRequest; result: StrategyInstanceDto };
  'strategies.control': { params: { id: string; action: StrategyAction }; result: StrategyInstanceDto };
  /** Every strategy run on this desk: running, paused, stopped and failed. */
  'strategies.instances': { params: Empty; result: StrategyInstanceDto[] };
  'strategies.logs': { params: { id: string; limit?: number }; result: StrategyLogEntry[] };
  /** The strategy's forward trades against a backtest of it over the same bars: per trade, and the PnL each cause explains. */
  'strategies.gap': { params: { id: string }; result: GapReportDto };
  'account.get': { params: Empty; result: AccountSnapshot };

  'risk.state': { params: Empty; result: RiskStateDto };
  'risk.setLimits': { params: Partial<RiskLimits>; result: RiskLimits };
  'risk.killSwitch': { params: { engage: boolean; flatten?: boolean; reason?: string }; result: RiskStateDto };
  'risk.analytics': { params: { source: 'portfolio' } | { source: 'backtest'; runId: string }; result: RiskAnalyticsDto };

  /** Starts a replay (replacing any running one); speed in bars per second, default 2, max 1000. */
  'replay.start': { params: { symbol: string; timeframe: string; from?: number; speed?: number }; result: ReplayState };
  'replay.control': { params: { action: 'pause' | 'resume' | 'stop' | 'step'; speed?: number }; result: ReplayState };
  'replay.state': { params: Empty; result: ReplayState };

  'workspace.get': { params: Empty; result: Workspace };
  /** Replaces the given parts (timeframes are merged per symbol). */
  'workspace.set': { params: Partial<Pick<Workspace, 'watchlist' | 'timeframes' | 'layout' | 'trading'>>; result: Workspace };
  'layouts.save': { params: { name: string; layout: ChartLayout }; result: Workspace };
  'layouts.delete': { params: { name: string }; result: Workspace };
  'watchlist.quotes': { params: { symbols: string[] }; result: WatchQuote[] };

  'drawings.list': { params: { symbol: string }; result: Drawing[] };
  'drawings.save': { params: DrawingInput; result: Drawing };
  'drawings.delete': { params: { id: string }; result: { deleted: boolean } };

  'alerts.list': { params: Empty; result: AlertRule[] };
  'alerts.create': { params: { condition: AlertCondition; mode: AlertMode; note?: string }; result: AlertRule };
  'alerts.update': { params: { id: string; enabled?: boolean; mode?: AlertMode; note?: string }; result: AlertRule };
  'alerts.delete': { params: { id: string }; result: { deleted: boolean } };
  /** Newest first: alerts that fired and engine alerts. */
  'alerts.log': { params: { limit?: number }; result: AlertLogEntry[] };
  /** The capability table of the exchanges Keel knows well (and any asked for by id). */
  'exchanges.list': { params: { ids?: string[] }; result: ExchangeInfoDto[] };
  /** Saves (or clears, with no apiUrl) an exchange's API URL override. */
  'exchanges.setApiUrl': { params: { exchange: string; apiUrl?: string }; result: { exchange: string; apiUrl?: string } };
  /** Exchange accounts for live trading (keys in the OS keychain; only masked keys come back). */
  'accounts.list': { params: Empty; result: ExchangeAccountDto[] };
  /** Stores the key in the OS keychain and the account in the state database; `check` (default true) asks the exchange whether the key may withdraw. */
  'accounts.add': {
    params: { exchange: string; name: string; testnet?: boolean; apiUrl?: string; apiKey: string; secret: string; password?: string; check?: boolean };
    result: { account: ExchangeAccountDto; canWithdraw?: boolean; checkProblem?: string };
  };
  'accounts.remove': { params: { name: string }; result: { removed: boolean } };
  /** The live accounts' desks: reconciled or not, and the diff (external orders, strays, balances). */
  'live.status': { params: Empty; result: LiveAccountStatusDto[] };
  /** The trader's decision on an order found at the exchange that Keel did not place. */
  'live.resolve': { params: { account: string; clientOrderId: string; action: 'adopt' | 'cancel' | 'ignore' }; result: { order?: OrderSnapshot } };
  /** An order to a live account's exchange (after the account's reconciliation; sized as a paper ticket). */
  'live.place': { params: { account: string; order: TicketOrder }; result: PlaceOrderResult };
  'live.cancel': { params: { account: string; orderId: string }; result: { cancelled: boolean } };
  'live.orders': { params: { account: string; limit?: number }; result: OrderSnapshot[] };
  /** Live on (with the typed confirmation `LIVE <name>`) or back to paper. */
  'accounts.setLive': { params: { name: string; live: boolean; confirm?: string }; result: ExchangeAccountDto };
  /** Starts a resumable history download; progress on the 'download' topic. */
  'download.start': { params: DownloadRequestDto; result: { downloadId: string; symbol: string } };
  'download.cancel': { params: { downloadId: string }; result: { cancelled: boolean } };
  'download.list': { params: Empty; result: DownloadProgressDto[] };
  'data.quality': { params: { symbol: string; timeframe: string; buckets?: number }; result: QualityReportDto };
  /** Starts a live stream (trades into candles, the book); state on 'stream', candles on 'bar', the book on 'book'. */
  'stream.start': { params: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }; result: StreamStatusDto };
  'stream.stop': { params: { id: string }; result: { stopped: boolean } };
  'stream.list': { params: Empty; result: StreamStatusDto[] };
  'spread.analyze': { params: SpreadRequestDto; result: SpreadResultDto };
}

export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

// ---------- pushed topics ----------

export interface Topics {
  /**
   * A live or replayed bar update for a chart: the latest (possibly still forming) bar. Live
   * bars carry the venue time of their newest trade (latency measurement) and, when closed
   * after a hole the feed could not repair, `gapBefore`.
   */
  bar: { symbol: string; timeframe: string; ts: number; open: number; high: number; low: number; close: number; volume: number; closed: boolean; lastTradeAt?: number; gapBefore?: boolean };
  order: { kind: string; order: OrderSnapshot; reason?: string; ts: number };
  denial: { check: string; reason: string; ts: number; symbol: string; side: Side };
  fill: Fill;
  positions: PositionDto[];
  ledgers: LedgerDto[];
  strategy: StrategyInstanceDto;
  strategyLog: StrategyLogEntry & { id: string };
  account: AccountSnapshot;
  risk: RiskStateDto;
  job: JobProgress;
  log: LogEntry;
  engine: { state: 'ready' | 'restarting' | 'stopped'; message?: string };
  replay: ReplayState;
  alert: Alert;
  download: DownloadProgressDto;
  stream: StreamStatusDto;
  book: BookDto;
}

export type TopicName = keyof Topics;

/**
 * Every topic, once. A Record keyed by TopicName, so adding a topic to Topics without adding
 * it here fails to compile: the server's subscription filter can never miss one.
 */
const TOPIC_TABLE: Record<TopicName, true> = {
  bar: true, order: true, denial: true, fill: true, positions: true, account: true,
  risk: true, job: true, log: true, engine: true, replay: true, alert: true,
  ledgers: true, strategy: true, strategyLog: true,
  download: true, stream: true, book: true,
};
export const TOPIC_NAMES: readonly TopicName[] = Object.keys(TOPIC_TABLE) as TopicName[];

// ---------- wire messages ----------

export interface WireError {
  code: ErrorCode;
  message: string;
  where?: string;
  details?: Record<string, unknown>;
}

/**
 * `sub` replaces the connection's whole subscription set (send the full list each time:
 * that makes re-subscribing after a reconnect the same message). Pushes reach a
 * connection only for topics it subscribed to.
 */
export type ClientMessage =
  | { t: 'req'; id: number; method: MethodName; params: unknown }
  | { t: 'sub'; topics: TopicName[] };

export type ServerMessage =
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: WireError }
  /** Updates of one topic gathered over a short window (coalesced where only the latest matters). */
  | { t: 'push'; topic: TopicName; items: unknown[] }
  | { t: 'hello'; protocol: number; info: EngineInfo }
  /**
   * The answer to a message the engine could not take and that carried no usable request id
   * (not JSON, not an object, an unknown `t`, a bad `id` or `topics`): there is nothing to
   * settle, but the sender learns what was wrong instead of hearing nothing.
   */
  | { t: 'error'; error: WireError };

// ---------- transports ----------

/**
 * Headless mode: the engine serves the UI over HTTP and the protocol over a WebSocket at
 * WS_PATH on 127.0.0.1. Messages are JSON text. The URL it prints carries the token in
 * the fragment (`http://127.0.0.1:PORT/#token=...`) so it never reaches a server log or a
 * referrer; the page passes it on the WebSocket as `?token=` or, preferably, as the
 * subprotocol `WS_TOKEN_SUBPROTOCOL_PREFIX + token` next to WS_SUBPROTOCOL. Without the
 * right token the upgrade is refused with HTTP 401.
 */
export const WS_PATH = '/ws';
export const WS_SUBPROTOCOL = 'keel.v1';
export const WS_TOKEN_SUBPROTOCOL_PREFIX = 'keel-token.';

/**
 * Electron: main hands the page a MessagePort to the engine. The preload forwards it with
 * window.postMessage(ENGINE_PORT_MESSAGE, '*', [port]) (contextBridge cannot carry
 * ports); the page takes `event.ports[0]` from the message event whose data is this
 * string. Messages on the port are structured-cloned objects, not JSON text. A new port
 * arrives after every engine restart (ENGINE_LOST_MESSAGE in bridge.ts comes before it).
 */
export const ENGINE_PORT_MESSAGE = 'keel:engine-port';

/** Topics whose pushes are coalesced: within one batch only the latest item per key survives. */
export const COALESCED_TOPICS: Partial<Record<TopicName, 'latest' | 'perKey'>> = {
  positions: 'latest',
  ledgers: 'latest',
  strategy: 'perKey',
  account: 'latest',
  risk: 'latest',
  engine: 'latest',
  replay: 'latest',
  bar: 'perKey',
  job: 'perKey',
  download: 'perKey',
  stream: 'perKey',
  book: 'perKey',
};

/** How often the engine flushes pushed topics (ms). */
export const PUSH_INTERVAL_MS = 50;

/**
 * Topics that flush sooner: a live candle should be on the chart within a frame of its
 * trade (the target is 50 ms from the exchange's websocket to the painted candle at p99), so
 * bars wait 4 ms, not a frame: the chart waits for its own frame anyway. Per-key coalescing
 * keeps a storm of ticks (an exchange that sends each trade alone) to one item per bar per
 * flush, at most 250 flushes a second.
 */
export const PUSH_INTERVAL_BY_TOPIC: Partial<Record<TopicName, number>> = { bar: 4 };

// ---------- the engine side ----------

/** What the engine implements: one handler per method, given validated params. */
export type MethodHandlers = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> | Result<M> };

/** How engine services push a topic item to every subscribed UI. */
export type Publish = <T extends TopicName>(topic: T, item: Topics[T]) => void;
