/**
 * A gap report for a forward run: its fills and signals as the journal holds them, against a
 * backtest of the same strategy and parameters over the same bars with the same warm-up,
 * capital and costs (see gap.ts for what is compared and how the difference is split).
 */
import { runBacktest } from '../backtest/engine';
import { RoundTripLedger } from '../backtest/round-trips';
import { badInput } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import { Account } from '../model/account';
import type { BarSeries } from '../model/bar';
import type { Fill } from '../model/fill';
import { orderFromSnapshot, type OrderSnapshot } from '../model/order';
import type { RawParams } from '../strategy/params';
import type { StrategyModule } from '../../sdk';
import type { RunGap } from '../model/gap';
import { gapReport, type Signal } from './gap';
import { signalsOf, type HostPersistence } from './strategy-host';

export type { RunGap };

export interface ForwardRun {
  strategy: StrategyModule;
  params: RawParams;
  /** The bars it saw: `warmupBars` of warm-up, then the ones it traded on. */
  series: BarSeries;
  warmupBars: number;
  capital: number;
  fee: number;
  slippage: number;
  /** Its own fills and orders (its ledger's), and the orders it placed by bar. */
  fills: readonly Fill[];
  orders: readonly OrderSnapshot[];
  signals: readonly Signal[];
}

export async function gapForRun(run: ForwardRun): Promise<RunGap> {
  const s = run.series;
  if (s.length <= run.warmupBars) throw badInput(`no bars after the warm-up to compare (${s.length} bars, ${run.warmupBars} of warm-up)`, `gap ${run.strategy.id}`);
  const lastClose = s.close[s.length - 1]!;

  const byId = new Map(run.orders.map((o) => [o.id, orderFromSnapshot(o)]));
  const trips = new RoundTripLedger();
  const book = new Account(run.capital);
  for (const f of run.fills) {
    const o = byId.get(f.orderId);
    if (!o) throw badInput(`fill ${f.id} is of order ${f.orderId}, which is not in the run's journal`, `gap ${run.strategy.id}`);
    trips.onFill(f, o);
    book.applyFill(f);
  }
  book.mark(s.symbol, lastClose);
  const forwardTotal = book.equity() - run.capital;

  const signals: Signal[] = [];
  const bt = await runBacktest({
    series: s,
    strategy: run.strategy,
    params: run.params,
    capital: run.capital,
    fee: run.fee,
    slippage: run.slippage,
    warmupBars: run.warmupBars,
    onOrder: (e) => {
      if (e.kind === 'submitted' && e.order.source === 'strategy') signals.push({ ts: e.order.createdAt, side: e.order.side, type: e.order.type });
    },
  });
  const sum = (ts: readonly { pnl: number }[]) => ts.reduce((a, t) => a + t.pnl, 0);
  const report = gapReport({
    forward: { trades: trips.trades, signals: run.signals, openPnl: forwardTotal - sum(trips.trades), fees: book.feesPaid },
    backtest: { trades: bt.trades, signals, openPnl: bt.equity[s.length - 1]! - run.capital - sum(bt.trades), fees: bt.metrics.fees_paid ?? 0 },
    barMs: timeframeMs(s.timeframe),
  });
  return {
    ...report,
    strategy: run.strategy.id,
    params: bt.params,
    symbol: s.symbol,
    timeframe: s.timeframe,
    from: s.ts[run.warmupBars]!,
    to: s.ts[s.length - 1]!,
    bars: s.length - run.warmupBars,
    fee: run.fee,
    slippage: run.slippage,
    capital: run.capital,
  };
}

/** A paper desk's terms: what its backtest twin is charged. */
export interface VenueTerms {
  fee: number;
  slippage: number;
}

/**
 * The bars a strategy instance of the desk saw: its warm-up (the stored bars before its first
 * traded bar) and every bar from that one to the last it saw, read back from the store.
 */
export async function instanceBars(
  row: { symbol: string; timeframe: string; warmup: number; firstBarTs: number | undefined; lastBarTs: number | undefined; id: string },
  history: { barsBefore(s: string, tf: string, asOf: number, n: number): Promise<BarSeries>; barsAfter(s: string, tf: string, after: number, asOf: number): Promise<BarSeries> },
): Promise<{ series: BarSeries; warmupBars: number }> {
  if (row.firstBarTs === undefined || row.lastBarTs === undefined) throw badInput(`strategy ${row.id} has not traded on a bar yet: nothing to compare`, 'gap');
  const tf = timeframeMs(row.timeframe);
  const warm = await history.barsBefore(row.symbol, row.timeframe, row.firstBarTs, row.warmup);
  const live = await history.barsAfter(row.symbol, row.timeframe, row.firstBarTs - 1, row.lastBarTs + tf);
  const n = warm.length + live.length;
  const join = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(n);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  };
  return {
    series: { symbol: row.symbol, timeframe: row.timeframe, length: n, ts: join(warm.ts, live.ts), open: join(warm.open, live.open), high: join(warm.high, live.high), low: join(warm.low, live.low), close: join(warm.close, live.close), volume: join(warm.volume, live.volume) },
    warmupBars: warm.length,
  };
}

/** What a gap report reads of a journal (the state database, or a `keel paper` folder's). */
export interface GapJournal extends Pick<HostPersistence, 'strategySignals'> {
  fills(filter: { ledger: string }): Fill[];
  orders(scope: 'all'): OrderSnapshot[];
}

/** A forward run of one strategy instance, from its journal, against its backtest twin. */
export function gapOfInstance(
  row: { id: string; ledger: string; params: Record<string, number | boolean | string>; allocation: number },
  journal: GapJournal,
  strategy: StrategyModule,
  bars: { series: BarSeries; warmupBars: number },
  terms: VenueTerms,
): Promise<RunGap> {
  return gapForRun({
    strategy,
    params: row.params,
    series: bars.series,
    warmupBars: bars.warmupBars,
    capital: row.allocation,
    fee: terms.fee,
    slippage: terms.slippage,
    fills: journal.fills({ ledger: row.ledger }),
    orders: journal.orders('all').filter((o) => o.ledger === row.ledger),
    signals: signalsOf(journal, row.id),
  });
}
