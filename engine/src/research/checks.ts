/**
 * Two checks that re-run a strategy on other data and flag any signal that changes.
 *
 * A *signal* is what the strategy decides: every order it places or cancels (time, side,
 * type, tag, prices to 10 significant digits, reduce-only; not the size, which follows the
 * cash an earlier trade left)
 * and the direction of its position at each bar's close. Both are recorded by wrapping the
 * strategy's context, so the checks run the very engine a backtest runs.
 *
 * - Warm-up (recursive) check: the same bars from a start bar s on, with different amounts
 *   of history before s (all of it, half, a quarter, ...). A recursive indicator (EMA, RSI,
 *   ATR) seeded at the first bar makes the signals depend on where the data begins. A run
 *   with less history may hold another position at s for a while (sma-cross may be long in
 *   one run and about to buy in the other); the runs are compared from the first bar after s
 *   at which both are flat with nothing working, and from there every signal must match.
 * - Look-ahead check: the bars cut short at several points, each run from the first bar with
 *   the sweep's shared indicators; every signal before the cut must equal the full run's. A
 *   vector() column that reads a later bar, or a shared indicator off by a bar, changes a
 *   signal near a cut.
 */
import { runBacktest } from '../backtest/engine';
import { timeframeMs } from '../core/timeframe';
import type { BarSeries } from '../model/bar';
import type { BarView, IndicatorValue, StrategyContext, StrategyModule, StrategyOrder } from '../../sdk';
import { seriesView } from './pool';
import { computeIndicators, indicatorKeys, SharedIndicators } from './shared-indicators';
import type { Params } from './space';
import type { TrialSettings } from './trial';

/** One thing a strategy did, keyed by the close time of the bar it did it at. */
interface Signal {
  at: number;
  what: string;
}

interface Recording {
  signals: Signal[];
  /** Position direction (−1, 0, 1) at each bar's close, orders working, and whether every indicator asked for was ready. */
  bars: { ts: number; dir: number; working: number; ready: boolean }[];
}

/**
 * Prices to 10 significant digits: finer than any venue's tick, coarser than the rounding
 * noise of a running sum started elsewhere (an SMA's last bits depend on where it started).
 */
const px = (x: number | undefined): string | undefined => (x === undefined ? undefined : String(Number(x.toPrecision(10))));

const orderText = (verb: string, o: Partial<StrategyOrder> & { side?: string }): string =>
  [verb, o.side, o.type ?? 'market', o.tag, px(o.price), px(o.stopPrice), o.trailingPercent, px(o.trailingAmount), o.reduceOnly ? 'reduce-only' : '']
    .filter((x) => x !== undefined && x !== '')
    .join(' ');

/** The strategy with a context that writes down every decision it makes. */
function recorded(strategy: StrategyModule, rec: Recording): StrategyModule {
  return {
    ...strategy,
    create(ctx: StrategyContext, params: never) {
      const note = (what: string) => rec.signals.push({ at: ctx.now(), what });
      // Every indicator value handed out, to tell when the strategy is warmed up.
      const asked: IndicatorValue[] = [];
      const collect = (v: unknown) => {
        if (v && typeof v === 'object' && 'ready' in v) asked.push(v as IndicatorValue);
        else if (v && typeof v === 'object') Object.values(v).forEach(collect);
      };
      const indicators = new Proxy(ctx.indicators, {
        get(target, key) {
          const f = Reflect.get(target, key) as unknown;
          if (typeof f !== 'function') return f;
          if (key === 'history') return f.bind(target);
          return (...a: unknown[]) => {
            const v = (f as (...x: unknown[]) => unknown).apply(target, a);
            collect(v);
            return v;
          };
        },
      });
      const spy: StrategyContext = {
        symbol: ctx.symbol,
        timeframe: ctx.timeframe,
        indicators,
        now: () => ctx.now(),
        position: (s) => ctx.position(s),
        cash: () => ctx.cash(),
        equity: () => ctx.equity(),
        workingOrders: () => ctx.workingOrders(),
        place: (o) => (note(orderText('place', o)), ctx.place(o)),
        buy: (size, o = {}) => (note(orderText('place', { ...o, side: 'buy' })), ctx.buy(size, o)),
        sell: (size, o = {}) => (note(orderText('place', { ...o, side: 'sell' })), ctx.sell(size, o)),
        bracket: (e, x) => (note(`${orderText('bracket', e)} tp ${px(x.takeProfit)} sl ${px(x.stopLoss)}`), ctx.bracket(e, x)),
        closePosition: (o = {}) => {
          const q = ctx.position(o.symbol).qty;
          if (q !== 0) note(orderText('close', { ...o, side: q > 0 ? 'sell' : 'buy' }));
          return ctx.closePosition(o);
        },
        cancel: (id) => (note('cancel'), ctx.cancel(id)),
        cancelAll: () => (note('cancel all'), ctx.cancelAll()),
        log: (m) => ctx.log(m),
      };
      const h = strategy.create(spy, params);
      return {
        ...h,
        onBar(bar: BarView) {
          h.onBar?.(bar);
          const q = ctx.position().qty;
          rec.bars.push({ ts: bar.ts, dir: Math.sign(q), working: ctx.workingOrders().length, ready: asked.every((v) => v.ready) });
        },
      };
    },
  };
}

async function record(series: BarSeries, strategy: StrategyModule, params: Params, s: TrialSettings, shared?: SharedIndicators): Promise<Recording> {
  const rec: Recording = { signals: [], bars: [] };
  await runBacktest({ series, strategy: recorded(strategy, rec), params, capital: s.capital, fee: s.fee, slippage: s.slippage, periodsPerYear: s.periodsPerYear, indicators: shared });
  return rec;
}

export interface Difference {
  /** Open time of the bar where the signals part (ms). */
  ts: number;
  reference: string;
  other: string;
}

const at = (rec: Recording, from: number, to: number): Signal[] => rec.signals.filter((x) => x.at > from && x.at <= to);

/** The first difference in signals and positions over bars with open time in [from, to), or undefined. */
function firstDifference(a: Recording, b: Recording, from: number, to: number, tfMs: number): Difference | undefined {
  const bars = (r: Recording) => r.bars.filter((x) => x.ts >= from && x.ts < to);
  const ab = bars(a);
  const bb = new Map(bars(b).map((x) => [x.ts, x]));
  for (const x of ab) {
    const y = bb.get(x.ts);
    const sa = at(a, x.ts, x.ts + tfMs).map((s) => s.what).join('; ');
    const sb = at(b, x.ts, x.ts + tfMs).map((s) => s.what).join('; ');
    if (sa !== sb) return { ts: x.ts, reference: sa || 'nothing', other: sb || 'nothing' };
    if (!y || y.dir !== x.dir) return { ts: x.ts, reference: `position ${x.dir}`, other: y ? `position ${y.dir}` : 'no bar' };
  }
  return undefined;
}

/** Signals are stamped with the clock, which a backtest sets to each bar's close: open + timeframe. */
const barMs = (s: BarSeries): number => timeframeMs(s.timeframe);

export interface WarmupRun {
  /** Bars of history before the start bar. */
  history: number;
  /** Open time of the first bar from which the runs were compared (both flat, nothing working). */
  comparedFrom: number | null;
  difference: Difference | null;
}

export interface CheckResult<R> {
  ok: boolean;
  summary: string;
  runs: R[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Re-runs the strategy from bar `start` with all the history before it, and with half,
 * a quarter, ... of it (down to `minHistory` bars), and flags signals that change.
 */
export async function warmupCheck(series: BarSeries, strategy: StrategyModule, params: Params, s: TrialSettings, opts: { start?: number; minHistory?: number } = {}): Promise<CheckResult<WarmupRun>> {
  const n = series.length;
  const start = opts.start ?? Math.floor(n / 2);
  const minHistory = opts.minHistory ?? 10;
  if (start < 2 * minHistory || start >= n - 1) return { ok: true, summary: `too few bars to check (${n})`, runs: [] };
  const tfMs = barMs(series);
  const ref = await record(series, strategy, params, s);
  const runs: WarmupRun[] = [];
  for (let h = Math.floor(start / 2); h >= minHistory; h = Math.floor(h / 2)) {
    const other = await record(seriesView(series, start - h, n), strategy, params, s);
    // Both warmed up (every indicator ready), flat and with nothing working at the close of
    // the same bar: from the next bar on they must agree.
    const flatA = new Map(ref.bars.filter((b) => b.ts >= series.ts[start]! && b.dir === 0 && b.working === 0 && b.ready).map((b) => [b.ts, true]));
    const sync = other.bars.find((b) => b.ts >= series.ts[start]! && b.dir === 0 && b.working === 0 && b.ready && flatA.has(b.ts));
    if (!sync) {
      runs.push({ history: h, comparedFrom: null, difference: { ts: series.ts[start]!, reference: 'never warmed up and flat at the same bar as the shorter run', other: '' } });
      continue;
    }
    const from = sync.ts + tfMs;
    runs.push({ history: h, comparedFrom: from, difference: firstDifference(ref, other, from, series.ts[n - 1]! + tfMs, tfMs) ?? null });
  }
  const bad = runs.filter((r) => r.difference);
  const summary =
    bad.length === 0
      ? `signals from ${iso(series.ts[start]!)} are the same with ${runs.map((r) => r.history).join(', ')} bars of history`
      : `signals change with the history before the start: with ${bad[0]!.history} bars, at ${iso(bad[0]!.difference!.ts)}: ${bad[0]!.difference!.reference} → ${bad[0]!.difference!.other}` +
        (bad.length > 1 ? ` (and with ${bad.slice(1).map((r) => r.history).join(', ')} bars)` : '');
  return { ok: bad.length === 0, summary, runs };
}

export interface LookAheadRun {
  /** Bars kept (the run saw bars [0, cut)). */
  cut: number;
  difference: Difference | null;
}

function sharedFor(series: BarSeries, strategy: StrategyModule, params: Params): SharedIndicators | undefined {
  const keys = indicatorKeys(series, strategy, params);
  if (!keys) return undefined;
  const shared = new SharedIndicators(series);
  shared.add(computeIndicators(series, strategy, [params], new Set(keys)));
  return shared;
}

/** Runs the strategy on the bars cut short at `cuts` points and flags signals before a cut that change. */
export async function lookAheadCheck(series: BarSeries, strategy: StrategyModule, params: Params, s: TrialSettings, opts: { cuts?: number } = {}): Promise<CheckResult<LookAheadRun>> {
  const n = series.length;
  const k = opts.cuts ?? 5;
  const tfMs = barMs(series);
  const ref = await record(series, strategy, params, s, sharedFor(series, strategy, params));
  const runs: LookAheadRun[] = [];
  for (let i = 1; i <= k; i++) {
    const cut = Math.floor((i * n) / (k + 1));
    if (cut < 2) continue;
    const part = seriesView(series, 0, cut);
    const other = await record(part, strategy, params, s, sharedFor(part, strategy, params));
    runs.push({ cut, difference: firstDifference(ref, other, series.ts[0]!, series.ts[cut - 1]! + tfMs, tfMs) ?? null });
  }
  const bad = runs.filter((r) => r.difference);
  const summary =
    bad.length === 0
      ? `signals before each of ${runs.length} cuts equal the full run's`
      : `a signal changes when later bars are removed (it looks ahead): cut at bar ${bad[0]!.cut}, at ${iso(bad[0]!.difference!.ts)}: ${bad[0]!.difference!.reference} → ${bad[0]!.difference!.other}`;
  return { ok: bad.length === 0, summary, runs };
}
