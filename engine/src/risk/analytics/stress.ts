import { badInput } from '../../core/errors';
import { capitalBase, convertReturns, type Exposure, type ReturnSeries } from './returns';

const DAY_MS = 86_400_000;

/** Daily simple returns of one series, keyed by UTC day start (ms). */
export type DailyReturns = Map<number, number>;

/**
 * Compounds every return whose interval ends (ts) inside a UTC day into that day's return:
 * R_d = Π (1 + r_i) − 1. For bars stamped with their open time this is close-to-close over
 * the UTC day, whatever the bar length; a day with no data simply has no entry, and the next
 * day's return starts from the last price seen, so a weekend shows up on Monday.
 */
export function dailyReturns(series: ReturnSeries): DailyReturns {
  const s = convertReturns(series, 'simple');
  const growth = new Map<number, number>();
  for (let i = 0; i < s.ts.length; i++) {
    const day = Math.floor(s.ts[i]! / DAY_MS) * DAY_MS;
    growth.set(day, (growth.get(day) ?? 1) * (1 + s.r[i]!));
  }
  const out: DailyReturns = new Map();
  for (const [day, g] of growth) out.set(day, g - 1);
  return out;
}

export interface StressContribution {
  symbol: string;
  /** That symbol's return on the day, or null when it has no data for the day. */
  return: number | null;
  /** value × return, or null when the symbol has no data for the day. */
  pnl: number | null;
}

export interface StressDay {
  /** UTC midnight, ms. */
  day: number;
  date: string;
  /** P&L in account currency the current positions would take: Σ value_j × R_j,d over symbols with data that day. */
  pnl: number;
  /** pnl / capital. */
  return: number;
  /** Symbols held with no data that day (their P&L is not in pnl). */
  missing: string[];
  contributions: StressContribution[];
}

export interface StressReport {
  capital: number;
  /** The worst portfolio days, worst first, among days on which every held symbol has data. */
  worstDays: StressDay[];
  /** For each symbol, the day its own position lost most (for a flat position: its lowest return), replayed on the whole portfolio. */
  worstDayBySymbol: { symbol: string; day: StressDay }[];
  /** Days with data for every symbol, and days with data for some but not all. */
  completeDays: number;
  incompleteDays: number;
}

/**
 * Historical stress test: replays each past UTC day's returns on today's positions.
 * `series` must hold one return series per exposure, same symbols. Capital defaults to the
 * gross exposure Σ|value|.
 */
export function stressTest(
  exposures: readonly Exposure[],
  series: readonly ReturnSeries[],
  opts: { worst?: number; capital?: number } = {},
): StressReport {
  const worst = opts.worst ?? 5;
  if (!Number.isInteger(worst) || worst < 1) throw badInput(`worst must be a whole number >= 1, got ${worst}`, 'stress');
  if (exposures.length === 0) throw badInput('no positions to stress', 'stress');
  const capital = capitalBase(exposures, opts.capital);
  const daily = exposures.map((e) => {
    const s = series.find((x) => x.symbol === e.symbol);
    if (!s) throw badInput(`no return history for a held symbol`, e.symbol);
    return dailyReturns(s);
  });

  const allDays = [...new Set(daily.flatMap((d) => [...d.keys()]))].sort((a, b) => a - b);
  const replay = (day: number): StressDay => {
    const contributions = exposures.map((e, j): StressContribution => {
      const r = daily[j]!.get(day);
      return r === undefined ? { symbol: e.symbol, return: null, pnl: null } : { symbol: e.symbol, return: r, pnl: e.value * r };
    });
    const pnl = contributions.reduce((s, c) => s + (c.pnl ?? 0), 0);
    const missing = contributions.filter((c) => c.pnl === null).map((c) => c.symbol);
    return { day, date: new Date(day).toISOString().slice(0, 10), pnl, return: pnl / capital, missing, contributions };
  };

  const complete = allDays.filter((d) => daily.every((m) => m.has(d))).map(replay);
  const worstDays = [...complete].sort((a, b) => a.pnl - b.pnl || a.day - b.day).slice(0, worst);
  const worstDayBySymbol = exposures.map((e, j) => {
    // Days come in time order, so a tie keeps the earliest day.
    const sign = e.value === 0 ? 1 : e.value;
    let best: number | undefined;
    let bestScore = Infinity;
    for (const [day, r] of daily[j]!) {
      if (sign * r < bestScore) {
        bestScore = sign * r;
        best = day;
      }
    }
    if (best === undefined) throw badInput('no daily returns to stress', e.symbol);
    return { symbol: e.symbol, day: replay(best) };
  });
  return { capital, worstDays, worstDayBySymbol, completeDays: complete.length, incompleteDays: allDays.length - complete.length };
}
