import { lowerBound } from '../core/search';
import { timeframeMs } from '../core/timeframe';
import type { BarSeries } from '../model/bar';
import { findGaps } from './quality';

/** A span of bar open times [from, to) and how many bars it concerns. */
export interface QualitySpan {
  from: number;
  to: number;
  bars: number;
}

export interface Outlier {
  ts: number;
  /** The price that stood out (the bar's high or low). */
  price: number;
  /** How many robust deviations (1.4826 x the median absolute return) it lies from the previous close. */
  deviations: number;
}

export interface QualityOptions {
  /** Unchanged bars in a row that make a stale stretch (default 10). */
  staleMinBars?: number;
  /** Bars of recent history the outlier test looks at (default 50). */
  window?: number;
  /** Deviations beyond which a print is an outlier (default 12). */
  k?: number;
  /** Buckets of the strip chart (default 200). */
  buckets?: number;
  /** Holes the exchange is known not to have (downloads record them): reported apart from other gaps. */
  exchangeGaps?: { from: number; to: number }[];
  /** Counts the store learned on the way in (imports and downloads): merged repeats, rows out of time order, rejected rows; with times where known. */
  intake?: { duplicates: number; outOfOrder: number; rejected: number; duplicateTimes?: number[] };
}

export interface StripBucket {
  gaps: number;
  stale: number;
  outliers: number;
  duplicates: number;
}

export interface QualityReport {
  symbol: string;
  timeframe: string;
  from: number | null;
  to: number | null;
  rows: number;
  gaps: { count: number; missingBars: number; atExchange: number; spans: QualitySpan[] };
  duplicatesMerged: number;
  outOfOrder: number;
  rejected: number;
  stale: { count: number; bars: number; spans: QualitySpan[] };
  outliers: { count: number; k: number; window: number; points: Outlier[] };
  /** Where the problems are along the dataset's time, for a strip chart. */
  strip: { from: number; bucketMs: number; buckets: StripBucket[] };
}

/** The listed spans and points are capped; counts are not. */
const LISTED = 200;

/**
 * A dataset's quality: gaps (and which of them the exchange itself has), repeated and
 * out-of-order rows met on the way in, stale stretches (bars that did not move: open, high,
 * low and close all the previous close), and outliers: a print more than `k` robust
 * deviations from the previous close, the scale being 1.4826 times the median absolute
 * close-to-close return of the previous `window` bars (a median absolute deviation around a
 * zero median return). Stretches with no movement at all give no scale and flag nothing; a
 * bar after a gap is not tested (its move is the gap's).
 */
export function qualityReport(s: BarSeries, opts: QualityOptions = {}): QualityReport {
  const barMs = timeframeMs(s.timeframe);
  const n = s.length;
  const staleMin = opts.staleMinBars ?? 10;
  const window = opts.window ?? 50;
  const k = opts.k ?? 12;
  const nb = Math.max(1, opts.buckets ?? 200);
  const from = n > 0 ? s.ts[0]! : null;
  const to = n > 0 ? s.ts[n - 1]! + barMs : null;
  const span = from !== null && to !== null ? Math.max(barMs, to - from) : barMs;
  const bucketMs = Math.ceil(span / nb / barMs) * barMs;
  const buckets: StripBucket[] = Array.from({ length: Math.max(1, Math.ceil(span / bucketMs)) }, () => ({ gaps: 0, stale: 0, outliers: 0, duplicates: 0 }));
  const bucketOf = (t: number) => Math.min(buckets.length - 1, Math.max(0, Math.floor((t - (from ?? 0)) / bucketMs)));

  // Gaps, spread over the buckets they cover.
  const g = findGaps(s.ts, barMs, Number.MAX_SAFE_INTEGER);
  const known = opts.exchangeGaps ?? [];
  let atExchange = 0;
  const gapSpans: QualitySpan[] = [];
  for (const gap of g.first) {
    const spanTo = gap.to + barMs;
    if (known.some((e) => e.from <= gap.from && e.to >= spanTo)) atExchange++;
    if (gapSpans.length < LISTED) gapSpans.push({ from: gap.from, to: spanTo, bars: gap.missing });
    const origin = from ?? 0;
    for (let b = bucketOf(gap.from); b <= bucketOf(spanTo - barMs); b++) {
      const overlap = Math.min(spanTo, origin + (b + 1) * bucketMs) - Math.max(gap.from, origin + b * bucketMs);
      if (overlap > 0) buckets[b]!.gaps += Math.round(overlap / barMs);
    }
  }

  // Stale stretches.
  const staleSpans: QualitySpan[] = [];
  let staleCount = 0;
  let staleBars = 0;
  let run = 0;
  const flushStale = (end: number) => {
    if (run >= staleMin) {
      staleCount++;
      staleBars += run;
      const startTs = s.ts[end - run]!;
      if (staleSpans.length < LISTED) staleSpans.push({ from: startTs, to: s.ts[end - 1]! + barMs, bars: run });
      for (let i = end - run; i < end; i++) buckets[bucketOf(s.ts[i]!)]!.stale++;
    }
    run = 0;
  };
  for (let i = 1; i < n; i++) {
    const p = s.close[i - 1]!;
    if (s.open[i] === p && s.high[i] === p && s.low[i] === p && s.close[i] === p) run++;
    else flushStale(i);
  }
  flushStale(n);

  // Outliers: |ln(extreme / previous close)| against a rolling median of |ln(close / previous close)|.
  const points: Outlier[] = [];
  let outlierCount = 0;
  const sorted: number[] = [];
  const recent: number[] = [];
  const insert = (x: number) => sorted.splice(lowerBound(sorted, x), 0, x);
  const remove = (x: number) => sorted.splice(lowerBound(sorted, x), 1);
  for (let i = 1; i < n; i++) {
    const prev = s.close[i - 1]!;
    // Across a gap the previous close is old news: the move is the gap's, not a bad print.
    if (s.ts[i]! - s.ts[i - 1]! > barMs) continue;
    if (recent.length >= Math.min(window, 10)) {
      const m = sorted.length;
      const med = m % 2 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
      const scale = 1.4826 * med;
      if (scale > 0) {
        const up = Math.abs(Math.log(s.high[i]! / prev));
        const down = Math.abs(Math.log(s.low[i]! / prev));
        const dev = Math.max(up, down) / scale;
        if (dev > k) {
          outlierCount++;
          buckets[bucketOf(s.ts[i]!)]!.outliers++;
          if (points.length < LISTED) points.push({ ts: s.ts[i]!, price: up >= down ? s.high[i]! : s.low[i]!, deviations: dev });
          // An outlier's own return is kept out of the scale, so one bad print does not hide the next.
          continue;
        }
      }
    }
    const r = Math.abs(Math.log(s.close[i]! / prev));
    recent.push(r);
    insert(r);
    if (recent.length > window) remove(recent.shift()!);
  }

  for (const t of opts.intake?.duplicateTimes ?? []) if (from !== null && t >= from && t < (to ?? t)) buckets[bucketOf(t)]!.duplicates++;

  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    from,
    to,
    rows: n,
    gaps: { count: g.count, missingBars: g.missingBars, atExchange, spans: gapSpans },
    duplicatesMerged: opts.intake?.duplicates ?? 0,
    outOfOrder: opts.intake?.outOfOrder ?? 0,
    rejected: opts.intake?.rejected ?? 0,
    stale: { count: staleCount, bars: staleBars, spans: staleSpans },
    outliers: { count: outlierCount, k, window, points },
    strip: { from: from ?? 0, bucketMs, buckets },
  };
}
