/**
 * The event-driven backtester: the same strategy runtime, risk hook and order manager as
 * paper and live, with a SimulatedClock and the SimulatedVenue swapped in.
 *
 * For each bar t, in this order:
 *   1. the clock moves to bar t's close (ts[t] + timeframe);
 *   2. the venue matches working orders against bar t (market orders placed at t−1's close
 *      fill at t's open); with an emulator, it is told of bar t first (so a bracket leg that
 *      fills inside it is checked against bar t for the one-bar ambiguity) and after (so its
 *      trails move on bar t);
 *   3. an open position is marked at t's close;
 *   4. indicators update and the strategy's onBar(t) runs (its orders work from t+1);
 *   5. equity[t] = cash + position × close[t].
 * The loop allocates nothing per bar: one reused bar object, equity in a Float64Array.
 */
import { SimulatedClock } from '../core/clock';
import { KeelError, badInput } from '../core/errors';
import { SequentialIds } from '../core/ids';
import { timeframeMs } from '../core/timeframe';
import { Account } from '../model/account';
import { readBar, type BarSeries } from '../model/bar';
import { researchInstrument, type Instrument } from '../model/instrument';
import { ORDER_TYPES } from '../model/order';
import type { Position } from '../model/position';
import { OrderEmulator } from '../execution/emulator/order-emulator';
import { OrderManager } from '../execution/order-manager';
import { SimulatedVenue } from '../execution/simulated-venue';
import { NO_JOURNAL, NO_RISK, type OrderEvent, type OrderJournal, type PreTradeRisk } from '../execution/types';
import type { StrategyModule } from '../../sdk';
import type { IndicatorSource } from '../strategy/indicators';
import { MutableBarView, StrategyRuntime, type LedgerView } from '../strategy/runtime';
import type { ParamValue, RawParams } from '../strategy/params';
import { benchmarkOf, computeMetrics, type Benchmark, type Metrics } from './metrics';
import { RoundTripLedger, type RoundTrip } from './round-trips';

export interface BacktestConfig {
  series: BarSeries;
  strategy: StrategyModule;
  params?: RawParams;
  capital: number;
  /** One fee fraction for maker and taker fills alike; makerFee/takerFee override it. */
  fee?: number;
  makerFee?: number;
  takerFee?: number;
  /** Fraction of price that market and stop fills lose to the market. */
  slippage?: number;
  /** For Sharpe and Sortino; default 365·86400000 / median bar spacing. */
  periodsPerYear?: number;
  risk?: PreTradeRisk;
  journal?: OrderJournal;
  instrument?: Instrument;
  /** Run an order emulator so the strategy can place brackets (ctx.bracket). Off by default: it costs per bar. */
  emulator?: boolean;
  /** Indicator outputs computed beforehand for this very series (a sweep shares them between trials). */
  indicators?: IndicatorSource;
  /** Bars between progress reports, cancellation checks and yields to the event loop. */
  progressEvery?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * Bars at the start of the series the strategy's indicators see before it may trade (its
   * onBar is not called for them), as a forward run's warm-up: a gap report's backtest starts
   * where its forward run started.
   */
  warmupBars?: number;
  /** Told of every order event (the gap report reads the strategy's signals from them). */
  onOrder?: (e: OrderEvent) => void;
  /**
   * Where the equity per bar is written (one value per bar of the series; every one is
   * overwritten), and what the result's equity is. A sweep's thread hands the same array to
   * trial after trial rather than collecting a new curve per trial. A new array by default.
   */
  equityInto?: Float64Array;
}

export interface BacktestResult {
  strategy: string;
  params: Record<string, ParamValue>;
  symbol: string;
  timeframe: string;
  /** Bar open times, the series' own array. */
  ts: Float64Array;
  /** Equity at each bar's close. */
  equity: Float64Array;
  trades: RoundTrip[];
  metrics: Metrics;
  /** Things a reader of the numbers should know (pessimistic fills, open position at the end). */
  notes: string[];
  fills: number;
}

const DEFAULT_CHUNK = 1 << 16;

function fraction(name: string, v: number | undefined): number {
  const x = v ?? 0;
  if (!(x >= 0 && x < 1)) throw badInput(`must be a fraction in [0, 1), got ${v}`, `backtest ${name}`);
  return x;
}

/** Series already checked: a sweep replays one series thousands of times. */
const checked = new WeakSet<BarSeries>();

/** Fails fast on a series the loop cannot replay honestly. */
function checkSeries(s: BarSeries): void {
  if (checked.has(s)) return;
  if (s.length === 0) throw badInput('the bar series is empty', `backtest data ${s.symbol}`);
  const { ts, open, high, low, close } = s;
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && !(ts[i]! > ts[i - 1]!)) throw badInput(`timestamps must increase: bar ${i} (${ts[i]}) follows ${ts[i - 1]}`, `backtest data ${s.symbol}`);
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && h < Infinity)) throw badInput(`bar ${i} has a price that is not a positive number`, `backtest data ${s.symbol}`);
    if (!(l <= o && l <= c && h >= o && h >= c)) throw badInput(`bar ${i} has open/close outside [low, high]`, `backtest data ${s.symbol}`);
  }
  checked.add(s);
}

/**
 * Buy and hold on a series, by capital: the same for every run on it, so a sweep's trials
 * measure it once (series are not changed once loaded, as checkSeries assumes too).
 */
const benchmarks = new WeakMap<BarSeries, Map<number, Benchmark | undefined>>();

function benchmarkFor(s: BarSeries, capital: number): Benchmark | undefined {
  let byCapital = benchmarks.get(s);
  if (!byCapital) benchmarks.set(s, (byCapital = new Map()));
  if (!byCapital.has(capital)) byCapital.set(capital, benchmarkOf(s.close, s.length, capital));
  return byCapital.get(capital);
}

class Replay {
  readonly equity: Float64Array;
  barsInMarket = 0;
  private readonly bar: MutableBarView;
  private readonly tfMs: number;

  constructor(
    private readonly s: BarSeries,
    private readonly clock: SimulatedClock,
    private readonly orders: OrderManager,
    private readonly account: Account,
    private readonly position: Position,
    private readonly runtime: StrategyRuntime,
    private readonly emulator: OrderEmulator | undefined,
    into: Float64Array | undefined,
  ) {
    this.equity = into ?? new Float64Array(s.length);
    this.bar = new MutableBarView(s.symbol);
    this.tfMs = timeframeMs(s.timeframe);
  }

  /** Bars [0, n): indicators only, equity at the starting capital (nothing can trade yet). */
  warm(n: number, capital: number): void {
    const s = this.s;
    const bar = this.bar;
    for (let t = 0; t < n; t++) {
      bar.index = t;
      readBar(s, t, bar);
      this.clock.set(bar.ts + this.tfMs);
      this.runtime.warm(bar);
      this.equity[t] = capital;
    }
  }

  run(from: number, to: number): void {
    const { ts, open, high, low, close, volume, symbol } = this.s;
    const bar = this.bar;
    const clock = this.clock;
    const orders = this.orders;
    const account = this.account;
    const position = this.position;
    const runtime = this.runtime;
    const equity = this.equity;
    const tfMs = this.tfMs;
    const emulator = this.emulator;
    let inMarket = 0;
    for (let t = from; t < to; t++) {
      const c = close[t]!;
      bar.index = t;
      bar.ts = ts[t]!;
      bar.open = open[t]!;
      bar.high = high[t]!;
      bar.low = low[t]!;
      bar.close = c;
      bar.volume = volume[t]!;
      clock.set(bar.ts + tfMs);
      if (emulator !== undefined) emulator.noteBar(symbol, bar);
      orders.onBar(symbol, bar);
      if (emulator !== undefined) emulator.onBar(symbol, bar);
      // Marks matter only for open positions (equity and unrealised PnL read them then).
      if (position.qty !== 0) account.mark(symbol, c);
      runtime.onBar(bar);
      const q = position.qty;
      equity[t] = account.cash + q * c;
      if (q !== 0) inMarket++;
    }
    this.barsInMarket += inMarket;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runBacktest(cfg: BacktestConfig): Promise<BacktestResult> {
  const s = cfg.series;
  checkSeries(s);
  if (!(cfg.capital > 0 && cfg.capital < Infinity)) throw badInput(`capital must be a positive number, got ${cfg.capital}`, 'backtest capital');
  const fee = fraction('fee', cfg.fee);
  const makerFee = fraction('makerFee', cfg.makerFee ?? fee);
  const takerFee = fraction('takerFee', cfg.takerFee ?? fee);
  const slippage = fraction('slippage', cfg.slippage);
  if (cfg.periodsPerYear !== undefined && !(cfg.periodsPerYear > 0)) throw badInput(`must be positive, got ${cfg.periodsPerYear}`, 'backtest periodsPerYear');
  if (cfg.indicators && cfg.indicators.series !== s) throw badInput('the shared indicator outputs were computed for another series', 'backtest indicators');
  if (cfg.equityInto && cfg.equityInto.length !== s.length) throw badInput(`the equity array has ${cfg.equityInto.length} places for ${s.length} bars`, 'backtest equityInto');

  const clock = new SimulatedClock(s.ts[0]!);
  const account = new Account(cfg.capital);
  const position = account.position(s.symbol);
  const venue = new SimulatedVenue(clock, { slippage, makerFee, takerFee, positionOf: (sym) => account.position(sym).qty });
  // One book: the strategy's ledger is the whole account.
  const instrument = cfg.instrument ?? researchInstrument(s.symbol, takerFee);
  const ids = new SequentialIds();
  const orders = new OrderManager(clock, ids, cfg.risk ?? NO_RISK, cfg.journal ?? NO_JOURNAL, venue, account, [instrument]);
  // The simulated venue works trailing stops itself; the emulator holds brackets only.
  const emulator = cfg.emulator ? new OrderEmulator({ router: orders, clock, ids, nativeTypes: new Set(ORDER_TYPES) }) : undefined;
  const ledger = new RoundTripLedger();
  let fills = 0;
  orders.onFill((fill, order) => {
    fills++;
    ledger.onFill(fill, order);
  });
  if (cfg.onOrder) orders.onEvent(cfg.onOrder);
  // The account, with the run's own position at hand rather than looked up by symbol: a
  // strategy may read its position on every bar.
  const book: LedgerView = {
    get cash() {
      return account.cash;
    },
    equity: () => account.equity(),
    position: (symbol) => (symbol === s.symbol ? position : account.position(symbol)),
    markPrice: (symbol) => account.markPrice(symbol),
  };
  const runtime = new StrategyRuntime(cfg.strategy, cfg.params ?? {}, { symbol: s.symbol, timeframe: s.timeframe, orders, clock, log: cfg.log, emulator, ledger: book, indicators: { bars: s, source: cfg.indicators } });
  const replay = new Replay(s, clock, orders, account, position, runtime, emulator, cfg.equityInto);

  const warmup = Math.max(0, Math.min(s.length, Math.floor(cfg.warmupBars ?? 0)));
  if (warmup > 0) replay.warm(warmup, cfg.capital);
  runtime.start();
  const chunk = Math.max(1, Math.floor(cfg.progressEvery ?? DEFAULT_CHUNK));
  for (let from = warmup; from < s.length; from += chunk) {
    replay.run(from, Math.min(s.length, from + chunk));
    cfg.onProgress?.(Math.min(s.length, from + chunk), s.length);
    if (from + chunk < s.length) {
      await nextTurn(); // lets a UI's cancel arrive
      if (cfg.signal?.aborted) throw new KeelError('CANCELLED', `cancelled after ${from + chunk} of ${s.length} bars`, { where: `backtest ${cfg.strategy.id}` });
    }
  }
  runtime.stop();
  emulator?.dispose();

  const notes: string[] = [];
  if (venue.stopTargetBars > 0) {
    notes.push(`${venue.stopTargetBars} bars had both stop and target reachable; resolved as stop first`);
  }
  const ambiguous = emulator?.records.filter((r) => r.kind === 'same_bar_ambiguity').length ?? 0;
  if (ambiguous > 0) notes.push(`${ambiguous} bracket exits came on bars that reached both legs; decided by the stop-first rule`);
  const stillWorking = orders.workingOrders().length;
  if (stillWorking > 0) notes.push(`${stillWorking} orders were still working at the end (no later bar to fill them)`);
  if (position.qty !== 0) {
    notes.push(`a position of ${position.qty} ${s.symbol} was still open at the end: marked at the last close, not counted as a trade`);
  }

  const metrics = computeMetrics({
    ts: s.ts,
    equity: replay.equity,
    length: s.length,
    trades: ledger.trades,
    feesPaid: account.feesPaid,
    barsInMarket: replay.barsInMarket,
    initialCapital: cfg.capital,
    periodsPerYear: cfg.periodsPerYear,
    benchmark: benchmarkFor(s, cfg.capital),
  });
  return {
    strategy: cfg.strategy.id,
    params: runtime.params,
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: s.ts,
    equity: replay.equity,
    trades: ledger.trades,
    metrics,
    notes,
    fills,
  };
}
