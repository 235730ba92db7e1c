/**
 * A sweep's shared indicators: every indicator the trials ask for, computed once over the
 * series and handed to each trial's runtime (strategy/indicators.ts, IndicatorSource), so
 * 360 trials of sma-cross compute each SMA once rather than once per trial. The outputs
 * come from the runtime's own IndicatorSet fed bar by bar, so a trial reads exactly the
 * values it would have computed itself.
 *
 * Which indicators a trial needs is found by running the strategy's create() against a
 * stand-in context that offers only ctx.indicators (a strategy whose create() reaches for
 * anything else just computes its indicators inside its trial, as a plain backtest does).
 */
import { KeelError } from '../core/errors';
import type { BarSeries } from '../model/bar';
import { IndicatorSet, type IndicatorSource } from '../strategy/indicators';
import { resolveParams, type RawParams } from '../strategy/params';
import { MutableBarView } from '../strategy/runtime';
import type { StrategyContext, StrategyModule } from '../../sdk';

export type IndicatorOutputs = Map<string, Float64Array[]>;

/** Outputs by indicator key over one series; grows as batches of trials need more. */
export class SharedIndicators implements IndicatorSource {
  private readonly byKey: IndicatorOutputs = new Map();

  constructor(readonly series: BarSeries) {}

  outputs(key: string): readonly Float64Array[] | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  add(outputs: Iterable<[string, Float64Array[]]>): void {
    for (const [k, v] of outputs) this.byKey.set(k, v);
  }
}

class NotIndicators extends Error {}

function discoveryContext(series: BarSeries, indicators: IndicatorSet): StrategyContext {
  const refuse = (): never => {
    throw new NotIndicators();
  };
  return {
    symbol: series.symbol,
    timeframe: series.timeframe,
    indicators,
    now: refuse,
    position: refuse,
    cash: refuse,
    equity: refuse,
    workingOrders: refuse,
    place: refuse,
    buy: refuse,
    sell: refuse,
    bracket: refuse,
    closePosition: refuse,
    cancel: refuse,
    cancelAll: refuse,
    log: () => undefined,
  };
}

/** Runs create() against `set`; false when the strategy wanted more than indicators, or refused the params. */
function discover(strategy: StrategyModule, raw: RawParams, series: BarSeries, set: IndicatorSet): boolean {
  try {
    strategy.create(discoveryContext(series, set), resolveParams(strategy, raw) as never);
    return true;
  } catch {
    return false; // a trial with bad params reports them itself; other indicators are computed in the trial
  }
}

/** The keys of the indicators one trial asks for, or undefined where that cannot be known beforehand. */
export function indicatorKeys(series: BarSeries, strategy: StrategyModule, raw: RawParams): string[] | undefined {
  const probe = new IndicatorSet({ bars: series });
  return discover(strategy, raw, series, probe) ? probe.entries().map(([k]) => k) : undefined;
}

function sharedArray(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
}

/** Feeds every bar of `series` to `set`, recording each output of each indicator it computes. */
function record(series: BarSeries, set: IndicatorSet, keep: (key: string) => boolean): IndicatorOutputs {
  const entries = set.entries().filter(([k]) => keep(k));
  const arrays = entries.map(([, o]) => o.map(() => sharedArray(series.length)));
  const outs = entries.flatMap(([, o]) => o);
  const flat = arrays.flat();
  const bar = new MutableBarView(series.symbol);
  const { ts, open, high, low, close, volume } = series;
  for (let t = 0; t < series.length; t++) {
    bar.index = t;
    bar.ts = ts[t]!;
    bar.open = open[t]!;
    bar.high = high[t]!;
    bar.low = low[t]!;
    bar.close = close[t]!;
    bar.volume = volume[t]!;
    set.update(bar);
    for (let i = 0; i < outs.length; i++) flat[i]![t] = outs[i]!.value;
  }
  return new Map(entries.map(([k], i) => [k, arrays[i]!]));
}

function sameValues(a: readonly Float64Array[], b: readonly Float64Array[]): boolean {
  return a.length === b.length && a.every((x, j) => x.every((v, i) => Object.is(v, b[j]![i])));
}

/**
 * Computes the indicators named in `keys` over `series`, each once, from the first trial that
 * asks for it. One indicator at a time: a pass over the bars with one indicator's state is
 * far kinder to the CPU caches than one pass feeding dozens.
 *
 * A vector() column is shared by its key, so the key must name every parameter it depends
 * on: where two trials with different parameters use one vector key, the second's column is
 * computed too and compared, and a difference is refused rather than shared wrongly.
 */
export function computeIndicators(series: BarSeries, strategy: StrategyModule, trials: readonly RawParams[], keys: ReadonlySet<string>): IndicatorOutputs {
  const users = new Map<string, RawParams[]>();
  for (const raw of trials) {
    for (const k of indicatorKeys(series, strategy, raw) ?? []) {
      if (!keys.has(k)) continue;
      const u = users.get(k) ?? [];
      // A vector key keeps a second user with other parameters, to check the column is the same.
      if (u.length === 0 || (k.startsWith('vector:') && u.length === 1 && JSON.stringify(u[0]) !== JSON.stringify(raw))) u.push(raw);
      users.set(k, u);
    }
  }
  const out: IndicatorOutputs = new Map();
  const one = (key: string, raw: RawParams): Float64Array[] => {
    const set = new IndicatorSet({ bars: series, only: (k) => k === key });
    discover(strategy, raw, series, set);
    return record(series, set, (k) => k === key).get(key)!;
  };
  for (const [key, [first, second]] of users) {
    const values = one(key, first!);
    if (second && !sameValues(values, one(key, second))) {
      throw new KeelError('BAD_INPUT', `the column "${key.slice('vector:'.length)}" has different values for different parameters; put those parameters in its key`, {
        where: `strategy ${strategy.id} indicators.vector`,
      });
    }
    out.set(key, values);
  }
  return out;
}

/** The keys `trials` need that `have` lacks, in first-use order. */
export function missingKeys(series: BarSeries, strategy: StrategyModule, trials: readonly RawParams[], have: (k: string) => boolean): string[] {
  const missing = new Set<string>();
  for (const raw of trials) for (const k of indicatorKeys(series, strategy, raw) ?? []) if (!have(k)) missing.add(k);
  return [...missing];
}
