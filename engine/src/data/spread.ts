import { badInput } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { BarSeries } from '../model/bar';

export interface SpreadOptions {
  /** Fee per fill on A and on B, fractions of notional (0.001 = 10 bps). */
  feeA: number;
  feeB: number;
  /** Slippage per leg, a fraction of price. */
  slippage: number;
  /** A bar is an opportunity when its net spread exceeds this (a fraction, 0.001 = 10 bps). */
  threshold: number;
  /** Share of the smaller venue's bar volume one could trade in a bar (default 0.1). */
  participation?: number;
}

export type Direction = 'buy-a-sell-b' | 'buy-b-sell-a';

export interface Opportunity {
  /** First bar's open time; `end` is the last bar's close time. */
  start: number;
  end: number;
  durationMs: number;
  bars: number;
  direction: Direction;
  /** Highest and mean net spread over the run (fractions of A's price). */
  peakNet: number;
  meanNet: number;
  /** Base units that could be traded: participation x the smaller venue's volume, summed over the run. */
  size: number;
  /** Net PnL in the quote currency: each bar's size x A's close x its net spread, summed. */
  pnl: number;
}

export interface SpreadResult {
  symbolA: string;
  symbolB: string;
  timeframe: string;
  /** Bar times both venues have; bars of one venue only are counted, not used. */
  aligned: number;
  onlyA: number;
  onlyB: number;
  /** Round-trip cost of one arbitrage: both legs' fees and a slippage on each. */
  cost: number;
  ts: Float64Array;
  a: Float64Array;
  b: Float64Array;
  /** (B - A) / A at each aligned close: positive when B is dearer. */
  gross: Float64Array;
  /** |gross| - cost: what an arbitrage (buy the cheap venue, sell the dear one) keeps. */
  net: Float64Array;
  opportunities: Opportunity[];
  totalPnl: number;
  totalSize: number;
}

function checkFraction(v: number, name: string): void {
  if (!(Number.isFinite(v) && v >= 0 && v < 1)) throw badInput(`${name} must be a fraction in [0, 1), got ${v}`, name);
}

/**
 * The same asset on two venues, aligned on bar time (closes of bars both venues have): the
 * gross spread, the spread net of both legs' fees and slippage, and the opportunities: runs of
 * consecutive bars whose net spread stays above the threshold in one direction (a bar missing
 * on either venue ends a run). Each opportunity says when, how long, its peak, the size that
 * could have been traded and the net PnL of trading it.
 */
export function analyzeSpread(A: BarSeries, B: BarSeries, opts: SpreadOptions): SpreadResult {
  if (A.timeframe !== B.timeframe) throw badInput(`the two datasets must share a timeframe (${A.symbol} is ${A.timeframe}, ${B.symbol} is ${B.timeframe})`, 'timeframe');
  checkFraction(opts.feeA, 'fee-a');
  checkFraction(opts.feeB, 'fee-b');
  checkFraction(opts.slippage, 'slippage');
  if (!Number.isFinite(opts.threshold)) throw badInput(`threshold must be a number, got ${opts.threshold}`, 'threshold');
  const participation = opts.participation ?? 0.1;
  if (!(participation > 0 && participation <= 1)) throw badInput(`participation must be in (0, 1], got ${participation}`, 'participation');
  const barMs = timeframeMs(A.timeframe);
  const cost = opts.feeA + opts.feeB + 2 * opts.slippage;

  // Merge-join on time (both ascending).
  const idxA: number[] = [];
  const idxB: number[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const ta = A.ts[i]!;
    const tb = B.ts[j]!;
    if (ta === tb) {
      idxA.push(i++);
      idxB.push(j++);
    } else if (ta < tb) i++;
    else j++;
  }
  const n = idxA.length;
  const ts = new Float64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const gross = new Float64Array(n);
  const net = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    ts[k] = A.ts[idxA[k]!]!;
    a[k] = A.close[idxA[k]!]!;
    b[k] = B.close[idxB[k]!]!;
    gross[k] = (b[k]! - a[k]!) / a[k]!;
    net[k] = Math.abs(gross[k]!) - cost;
  }

  const opportunities: Opportunity[] = [];
  let run: { start: number; dir: Direction; peak: number; sumNet: number; bars: number; size: number; pnl: number; last: number } | undefined;
  const close = () => {
    if (!run) return;
    opportunities.push({
      start: run.start,
      end: run.last + barMs,
      durationMs: run.last + barMs - run.start,
      bars: run.bars,
      direction: run.dir,
      peakNet: run.peak,
      meanNet: run.sumNet / run.bars,
      size: run.size,
      pnl: run.pnl,
    });
    run = undefined;
  };
  for (let k = 0; k < n; k++) {
    const dir: Direction = gross[k]! >= 0 ? 'buy-a-sell-b' : 'buy-b-sell-a';
    const open = net[k]! > opts.threshold;
    if (run && (!open || dir !== run.dir || ts[k]! !== run.last + barMs)) close();
    if (!open) continue;
    const size = participation * Math.min(A.volume[idxA[k]!]!, B.volume[idxB[k]!]!);
    const pnl = size * a[k]! * net[k]!;
    if (!run) run = { start: ts[k]!, dir, peak: net[k]!, sumNet: 0, bars: 0, size: 0, pnl: 0, last: ts[k]! };
    run.peak = Math.max(run.peak, net[k]!);
    run.sumNet += net[k]!;
    run.bars++;
    run.size += size;
    run.pnl += pnl;
    run.last = ts[k]!;
  }
  close();
  return {
    symbolA: A.symbol,
    symbolB: B.symbol,
    timeframe: A.timeframe,
    aligned: n,
    onlyA: A.length - n,
    onlyB: B.length - n,
    cost,
    ts,
    a,
    b,
    gross,
    net,
    opportunities,
    totalPnl: opportunities.reduce((s, o) => s + o.pnl, 0),
    totalSize: opportunities.reduce((s, o) => s + o.size, 0),
  };
}

/** The figures of a result without its series: the CLI's summary.json, the wire's head. */
export function spreadSummary(r: SpreadResult): Pick<SpreadResult, 'symbolA' | 'symbolB' | 'timeframe' | 'aligned' | 'onlyA' | 'onlyB' | 'cost' | 'totalPnl' | 'totalSize'> {
  return { symbolA: r.symbolA, symbolB: r.symbolB, timeframe: r.timeframe, aligned: r.aligned, onlyA: r.onlyA, onlyB: r.onlyB, cost: r.cost, totalPnl: r.totalPnl, totalSize: r.totalSize };
}
