/**
 * `keel paper`: a bar file replayed as a live feed through the whole desk path, as fast as
 * it can go: bars -> strategy host -> risk -> order manager -> paper venue -> ledgers, with
 * the durable SQLite journal. With zero latency and the same costs its result equals
 * `keel backtest` on the same file, metric for metric, trade for trade and bar for bar: the
 * two run the same strategy runtime, the same order manager and the same fill rules, so a
 * difference can only come from what forward trading adds (latency, volume), which the gap
 * report explains.
 *
 * Per bar, in the backtest's order: the clock moves to the bar's close and the venue's due
 * answers arrive; the venue matches working orders against the bar; answers due now arrive
 * (all of them, at zero latency); the strategy sees the bar; its orders reach the venue.
 */
import { SimulatedClock } from '../core/clock';
import { badInput, KeelError } from '../core/errors';
import { SequentialIds } from '../core/ids';
import { SimulatedScheduler } from '../core/scheduler';
import { timeframeMs } from '../core/timeframe';
import { computeMetrics, type Metrics } from '../backtest/metrics';
import { RoundTripLedger, type RoundTrip } from '../backtest/round-trips';
import { PaperVenue } from '../execution/paper/paper-venue';
import { readBar, type BarSeries } from '../model/bar';
import { researchInstrument } from '../model/instrument';
import { MANUAL_LEDGER, ORDER_TYPES } from '../model/order';
import { RISK_LIMIT_SPECS, type RiskLimits } from '../model/risk-limits';
import { RiskEngine } from '../risk/engine';
import { BatchedOrderJournal } from '../state/order-journal';
import { WriteBehindStore } from '../state/write-behind';
import type { ParamValue, RawParams } from '../strategy/params';
import type { StrategyModule } from '../../sdk';
import { TradingDesk } from './desk';
import { StrategyHost } from './strategy-host';

export interface PaperRunConfig {
  series: BarSeries;
  strategy: StrategyModule;
  /** Identifies the strategy's code in the run's record (a file's hash, a shipped strategy's id and version). */
  sourceHash: string;
  sourcePath?: string;
  params?: RawParams;
  capital: number;
  fee: number;
  slippage: number;
  /** Each way, between the engine and the paper venue; 0 makes the run equal its backtest. */
  latencyMs: number;
  /** Seeds the venue (latency draws, its ids). */
  seed: number;
  periodsPerYear?: number;
  /** The durable journal (orders, fills, ledgers, the strategy instance): a SQLite file, created afresh. */
  journalFile: string;
  /** Bars between progress reports and journal commits. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  log?: (line: string) => void;
  /**
   * The result, as soon as the replay is over and before the journal's last transactions are
   * committed: work done here overlaps them. runPaper still rejects if the journal then fails,
   * and whatever was made from the result is then the caller's to remove.
   */
  onResult?: (result: PaperRunResult) => void;
}

export interface PaperRunResult {
  strategy: string;
  instanceId: string;
  params: Record<string, ParamValue>;
  symbol: string;
  timeframe: string;
  ts: Float64Array;
  equity: Float64Array;
  trades: RoundTrip[];
  metrics: Metrics;
  notes: string[];
  fills: number;
}

/**
 * Limits that leave a research run's orders alone, as `keel backtest` does, while every
 * order still passes through the one risk layer: each upper limit at the top of its legal
 * range, no duplicate window, the day boundary at UTC.
 */
export function openLimits(): RiskLimits {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(RISK_LIMIT_SPECS)) out[name] = spec.kind === 'enum' ? spec.default : spec.max.value;
  return { ...(out as unknown as RiskLimits), duplicateWindowMs: 0, dayBoundaryUtcOffsetMinutes: 0 };
}

/**
 * Bars per journal transaction. Smaller transactions hand the journal's thread less at a time
 * (16,384 ran keel paper's 1M bars faster than 8,192 and 65,536, measured side by side), and a
 * kill loses less of the journal.
 */
const DEFAULT_CHUNK = 1 << 14;

export async function runPaper(cfg: PaperRunConfig): Promise<PaperRunResult> {
  const s = cfg.series;
  if (s.length === 0) throw badInput('the bar series is empty', `paper data ${s.symbol}`);
  if (!(cfg.capital > 0 && cfg.capital < Infinity)) throw badInput(`capital must be a positive number, got ${cfg.capital}`, 'paper capital');
  for (const [name, v] of [['fee', cfg.fee], ['slippage', cfg.slippage]] as const) {
    if (!(v >= 0 && v < 1)) throw badInput(`must be a fraction in [0, 1), got ${v}`, `paper ${name}`);
  }
  if (!(cfg.latencyMs >= 0 && cfg.latencyMs < Infinity)) throw badInput(`must be a number of milliseconds >= 0, got ${cfg.latencyMs}`, 'paper latency');

  const tfMs = timeframeMs(s.timeframe);
  const clock = new SimulatedClock(s.ts[0]!);
  const scheduler = new SimulatedScheduler(clock);
  // The journal is written on a second thread, a chunk behind the replay (WriteBehindStore).
  const journalFile = new WriteBehindStore(cfg.journalFile);
  const store = journalFile.store;
  try {
    let desk: TradingDesk | undefined;
    const venue = new PaperVenue({
      scheduler,
      seed: cfg.seed,
      latency: { kind: 'fixed', ms: cfg.latencyMs },
      slippage: cfg.slippage,
      makerFee: cfg.fee,
      takerFee: cfg.fee,
      maxVolumeShare: null,
      positionOf: (symbol, ledger) => desk!.ledgers.qty(ledger, symbol),
      name: 'paper',
    });
    const log = { info: () => {}, warn: (m: string) => cfg.log?.(m), error: (m: string) => cfg.log?.(m) };
    const risk = new RiskEngine({ clock, limits: openLimits() });
    const journal = new BatchedOrderJournal(store);
    desk = new TradingDesk({
      clock,
      ids: new SequentialIds(),
      venue,
      risk,
      journal,
      instruments: [researchInstrument(s.symbol, cfg.fee)],
      nativeTypes: new Set(ORDER_TYPES),
      persistence: store,
      log,
    });
    desk.armKillSwitch();
    const host = new StrategyHost({
      desk,
      loader: { load: async () => ({ module: cfg.strategy, sourceHash: cfg.sourceHash, ...(cfg.sourcePath !== undefined && { sourcePath: cfg.sourcePath }) }) },
      persistence: store,
      log: { info: (m) => cfg.log?.(m), warn: (m) => cfg.log?.(m), error: (m) => cfg.log?.(m) },
    });
    desk.deposit(MANUAL_LEDGER, cfg.capital);
    const instance = await host.start({ strategy: cfg.strategy.id, params: cfg.params ?? {}, symbol: s.symbol, timeframe: s.timeframe, allocation: cfg.capital, warmup: 0 });
    const ledger = desk.ledgers.get(instance.id);
    const book = ledger.book;
    const trips = new RoundTripLedger();
    let fills = 0;
    desk.orders.onFill((fill, order) => {
      if (fill.ledger !== instance.id) return;
      fills++;
      trips.onFill(fill, order);
    });

    const equity = new Float64Array(s.length);
    const position = book.position(s.symbol);
    let barsInMarket = 0;
    const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
    const closed = { symbol: s.symbol, timeframe: s.timeframe, bar, source: 'replay' as const };
    const chunk = Math.max(1, Math.floor(cfg.chunk ?? DEFAULT_CHUNK));
    journalFile.deferWrites();
    for (let from = 0; from < s.length; from += chunk) {
      const to = Math.min(s.length, from + chunk);
      // One commit per chunk: the journal stays durable, without a disk sync per order.
      store.transaction(() => {
        for (let t = from; t < to; t++) {
          readBar(s, t, bar);
          if (t > 0 && !(bar.ts > s.ts[t - 1]!)) throw badInput(`timestamps must increase: bar ${t} (${bar.ts}) follows ${s.ts[t - 1]}`, `paper data ${s.symbol}`);
          const closeAt = bar.ts + tfMs;
          scheduler.advanceTo(closeAt);
          desk!.onBar(s.symbol, bar);
          scheduler.advanceTo(closeAt);
          host.onClosedBar(closed);
          scheduler.advanceTo(closeAt);
          const q = position.qty;
          equity[t] = book.cash + q * bar.close;
          if (q !== 0) barsInMarket++;
        }
        journal.flush();
        host.flush();
      });
      cfg.onProgress?.(to, s.length);
      if (to < s.length) await new Promise<void>((r) => setImmediate(r));
    }
    const row = host.row(instance.id);
    if (row?.state === 'failed') throw new KeelError('INTERNAL', `strategy failed: ${row.stateReason}`, { where: `paper ${cfg.strategy.id}` });
    host.close();
    const notes: string[] = [];
    const stillWorking = desk.orders.workingOrders().filter((o) => o.ledger === instance.id).length;
    if (stillWorking > 0) notes.push(`${stillWorking} orders were still working at the end (no later bar to fill them)`);
    if (position.qty !== 0) notes.push(`a position of ${position.qty} ${s.symbol} was still open at the end: marked at the last close, not counted as a trade`);
    if (cfg.latencyMs > 0) notes.push(`orders and reports took ${cfg.latencyMs} ms each way to and from the venue`);
    const metrics = computeMetrics({
      ts: s.ts,
      equity,
      length: s.length,
      trades: trips.trades,
      feesPaid: book.feesPaid,
      barsInMarket,
      initialCapital: cfg.capital,
      periodsPerYear: cfg.periodsPerYear,
      // The buy-and-hold benchmark over the same bars, as keel backtest measures it.
      closes: s.close,
    });
    const result: PaperRunResult = {
      strategy: cfg.strategy.id,
      instanceId: instance.id,
      params: instance.params,
      symbol: s.symbol,
      timeframe: s.timeframe,
      ts: s.ts,
      equity,
      trades: trips.trades,
      metrics,
      notes,
      fills,
    };
    // The journal's thread is still committing the last chunks: the caller writes its files meanwhile.
    cfg.onResult?.(result);
    // Every chunk committed, or the write the journal refused thrown.
    await journalFile.finish();
    return result;
  } finally {
    await journalFile.close();
  }
}
