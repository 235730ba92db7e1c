import { MAX_LISTED_GAPS, type GapSummary } from './import-report';

/**
 * Holes in an ascending series of bar open times: wherever two neighbours are more than one
 * bar apart. Markets with sessions (equities, futures) show their nights and weekends here
 * too; the check does not know trading calendars.
 */
export function findGaps(ts: ArrayLike<number>, barMs: number, listed = MAX_LISTED_GAPS): GapSummary {
  const out: GapSummary = { count: 0, missingBars: 0, first: [] };
  for (let i = 1; i < ts.length; i++) {
    const step = ts[i]! - ts[i - 1]!;
    if (step <= barMs) continue;
    const missing = Math.ceil(step / barMs) - 1;
    out.count++;
    out.missingBars += missing;
    if (out.first.length < listed) out.first.push({ from: ts[i - 1]! + barMs, to: ts[i - 1]! + missing * barMs, missing });
  }
  return out;
}

export interface DuplicateSummary {
  /** Rows whose timestamp equals the previous row's. */
  count: number;
  /** Indexes of the first few such rows. */
  first: number[];
}

/** Repeated timestamps in an ascending series (neighbours with equal time). */
export function findDuplicates(ts: ArrayLike<number>, listed = MAX_LISTED_GAPS): DuplicateSummary {
  const out: DuplicateSummary = { count: 0, first: [] };
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] !== ts[i - 1]) continue;
    out.count++;
    if (out.first.length < listed) out.first.push(i);
  }
  return out;
}

/** Indexes where time goes backwards; an ascending series has none. */
export function findOrderBreaks(ts: ArrayLike<number>, listed = MAX_LISTED_GAPS): { count: number; first: number[] } {
  const out = { count: 0, first: [] as number[] };
  for (let i = 1; i < ts.length; i++) {
    if (ts[i]! >= ts[i - 1]!) continue;
    out.count++;
    if (out.first.length < listed) out.first.push(i);
  }
  return out;
}
