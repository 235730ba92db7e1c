import type { ExchangeAccounts } from '../exchange/accounts';
import type { LiveDesks } from './live-desks';
import type {
  AccountSnapshot,
  BacktestRequest,
  BacktestResult,
  BacktestSummary,
  DatasetInfo,
  DownloadProgressDto,
  DownloadRequestDto,
  ExchangeInfoDto,
  Fill,
  ImportReportDto,
  IndicatorCatalogueEntry,
  Metrics,
  OrderPreview,
  OrderSnapshot,
  Params,
  PlaceOrderResult,
  FlattenResult,
  ModifyResult,
  PositionDto,
  EquitySeriesDto,
  LedgerDto,
  StrategyAction,
  StrategyInstanceDto,
  StrategyLogEntry,
  StrategyStartRequest,
  GapReportDto,
  PositionSnapshot,
  PriceSource,
  QualityReportDto,
  RiskLimits,
  RiskStateDto,
  SpreadRequestDto,
  SpreadResultDto,
  StrategyInfo,
  StreamStatusDto,
  TicketOrder,
} from '../../protocol/index';
import type { BarSeries } from '../model/bar';
import type { AlertService } from './alerts';
import type { WorkspaceService } from './workspace';
import type { Bar } from '../model/bar';
import type { StrategyInstanceRow } from '../state/store';
import type { ResearchService } from '../research/service';
import type { BacktestResult as BacktestRun } from '../backtest/engine';

/**
 * The seams between the facade and the engine's pieces. Each is implemented by a thin
 * adapter over one module (DuckDB store, indicators, backtester, risk, paper session), so
 * EngineApp stays a router and a piece that is missing shows up as UNAVAILABLE.
 */
export interface MarketService {
  datasets(): Promise<DatasetInfo[]>;
  bars(q: Params<'data.bars'>): Promise<{ series: BarSeries; resampledFrom?: string }>;
  importFile(p: Params<'data.importFile'>): Promise<ImportReportDto>;
  importText(p: Params<'data.importText'>): Promise<ImportReportDto>;
  exportData(p: Params<'data.export'> & { path: string }): Promise<{ path: string; rows: number }>;
  quality(q: Params<'data.quality'>): Promise<QualityReportDto>;
  spread(q: SpreadRequestDto): Promise<SpreadResultDto>;
  /** A consistent copy of the market store in a new file, taken while it serves. */
  backupTo(file: string): Promise<void>;
  close(): Promise<void>;
}

/** Exchanges: the capability table, the API URL setting, history downloads, live streams. */
export interface ExchangeService {
  list(ids?: string[]): Promise<ExchangeInfoDto[]>;
  setApiUrl(exchange: string, apiUrl: string | undefined): { exchange: string; apiUrl?: string };
  startDownload(req: DownloadRequestDto): { downloadId: string; symbol: string };
  cancelDownload(id: string): boolean;
  listDownloads(): DownloadProgressDto[];
  startStream(p: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }): Promise<StreamStatusDto>;
  stopStream(id: string): Promise<boolean>;
  listStreams(): StreamStatusDto[];
  /** Exchange accounts: metadata in SQLite, keys in the OS keychain (exchange/accounts.ts). */
  accounts: ExchangeAccounts;
  close(): Promise<void>;
}

export interface IndicatorService {
  catalogue(): IndicatorCatalogueEntry[];
  compute(series: BarSeries, id: string, params: Record<string, number>, source?: PriceSource): Record<string, ArrayLike<number>>;
}

export type BacktestOutcome = Pick<BacktestResult, 'equity' | 'trades' | 'notes' | 'periods'> & { metrics: Metrics };

export interface BacktestService {
  strategies(): StrategyInfo[];
  run(req: BacktestRequest, series: BarSeries, opts: { signal: AbortSignal; onProgress(done: number, total: number): void; onRun?(run: BacktestRun): void }): Promise<BacktestOutcome>;
}

export interface TradingService {
  preview(t: TicketOrder): Promise<OrderPreview>;
  place(t: TicketOrder): Promise<PlaceOrderResult>;
  cancel(orderId: string): Promise<boolean>;
  modify(orderId: string, changes: { price?: number; stopPrice?: number; qty?: number }): Promise<ModifyResult>;
  cancelAll(symbol?: string): Promise<number>;
  orders(scope: 'working' | 'all', limit: number): OrderSnapshot[];
  fills(limit: number): Fill[];
  positions(): PositionDto[];
  account(): AccountSnapshot;
  flatten(symbol?: string, ledger?: string): Promise<FlattenResult[]>;
  close(): Promise<void>;
}

export interface RiskService {
  state(): RiskStateDto;
  setLimits(l: Partial<RiskLimits>): RiskLimits;
  killSwitch(p: { engage: boolean; flatten?: boolean; reason?: string }): RiskStateDto;
  /** The UI is alive; the watchdog trips when these stop while trading is active. */
  heartbeat(ts: number): void;
  close(): Promise<void>;
}

/** Strategies running forward on the desk, each on its own ledger. */
export interface StrategyService {
  start(req: StrategyStartRequest): Promise<StrategyInstanceDto>;
  control(id: string, action: StrategyAction): Promise<StrategyInstanceDto>;
  instances(): StrategyInstanceDto[];
  logs(id: string, limit?: number): StrategyLogEntry[];
  /** What was run (strategy, params, symbol, timeframe, bars seen). */
  row(id: string): StrategyInstanceRow | undefined;
  /** Its forward trades against a backtest over the same bars. */
  gap(id: string): Promise<GapReportDto>;
}

/** The desk's ledgers and their equity over time (the dashboard). */
export interface DeskService {
  ledgers(): LedgerDto[];
  equity(since?: number): EquitySeriesDto[];
}

/** Finished backtest runs kept across restarts (the state database). */
export interface BacktestArchive {
  save(run: BacktestResult): void;
  /** Newest first. */
  list(limit: number): BacktestSummary[];
  get(runId: string): BacktestResult | undefined;
}

/** What a market replay drives on the paper desk (PaperDesk implements it). */
export interface ReplayTarget {
  /** One print at `ts`, the replay's market time: fills working orders it reaches (stamped then), refreshes reference price and marks. */
  print(symbol: string, price: number, ts: number): void;
  /** A replayed bar has closed: strategies running on it see it. */
  closedBar(symbol: string, timeframe: string, bar: Bar): void;
  /**
   * The replay owns `symbol`'s prices ('playing', 'paused': orders price from its latest print)
   * or no longer ('off': back to the last stored bar). The watchdog watches the stream only while it plays.
   */
  replayFeed(symbol: string, state: 'playing' | 'paused' | 'off', cursorTs?: number): void;
  dataBeat(): void;
  publishBookNow(): void;
}

/** The paper book, for the portfolio risk report. */
export interface PortfolioView {
  exposures(): { symbol: string; value: number }[];
  equity(): number;
}

export interface Services {
  market: MarketService;
  indicators: IndicatorService;
  backtest: BacktestService;
  trading: TradingService;
  risk: RiskService;
  /** The paper desk itself: replay target and portfolio for analytics. */
  desk: ReplayTarget & PortfolioView;
  strategies: StrategyService;
  ledgers: DeskService;
  runs: BacktestArchive;
  /** Drawings, layouts, the watchlist and chart-trading preferences (state database). */
  workspace: WorkspaceService;
  /** The trader's alerts and their log (state database). */
  alerts: AlertService;
  exchanges: ExchangeService;
  /** Optimisation, walk-forward and Monte Carlo jobs (research/service.ts). */
  research: ResearchService;
  /** The desks of the accounts that are live (app/live-desks.ts). */
  live: LiveDesks;
}
