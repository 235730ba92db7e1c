import type { Timeframe } from '../core/timeframe';

/** Why a row was left out. Stable codes: the report, the CLI's --json and docs/data.md use them. */
export type RejectReason =
  | 'bad-timestamp'
  | 'not-a-number'
  | 'non-positive-price'
  | 'high-below-low'
  | 'high-below-open-close'
  | 'low-above-open-close'
  | 'negative-volume'
  | 'non-positive-amount'
  | 'bad-side'
  | 'out-of-order'
  | 'conflicting-duplicate'
  | 'off-grid';

export interface Rejection {
  /** 1-based line in a CSV file, or 1-based row in a Parquet file (see ImportReport.position). */
  line: number;
  reason: RejectReason;
  message: string;
}

export interface GapRange {
  /** Open time of the first missing bar, ms UTC. */
  from: number;
  /** Open time of the last missing bar, ms UTC. */
  to: number;
  missing: number;
}

export interface GapSummary {
  /** Number of holes (runs of consecutive missing bars). */
  count: number;
  /** Number of missing bars over all holes. */
  missingBars: number;
  first: GapRange[];
}

/** What happened to the store, when the file was imported rather than only loaded. */
export interface StoreOutcome {
  alreadyImported: boolean;
  /** When the same file was imported before (ISO time), for alreadyImported. */
  previousImportAt?: string;
  rowsNew: number;
  /** Rows the store held with different values; the file's values replaced them. */
  rowsReplaced: number;
  /** Rows the store already held with the same values. */
  rowsUnchanged: number;
}

export interface ImportReport {
  file: string;
  sha256: string;
  kind: 'bars' | 'trades';
  /** Human description of the layout as read, e.g. "timestamp (epoch ms),open,high,low,close,volume". */
  layout: string;
  symbol: string;
  symbolSource: 'option' | 'file name';
  /** For trades: the timeframe bars were built at, if any; null when only trades were stored. */
  timeframe: Timeframe | null;
  timeframeSource: 'option' | 'median spacing' | null;
  /** Everything the importer decided or assumed that a trader should know, in sentences. */
  notes: string[];
  /** 'line' for CSV files, 'row' for Parquet (Rejection.line counts rows then). */
  position: 'line' | 'row';
  rowsRead: number;
  /** Rows that passed every check, after merging duplicates within the file. */
  rowsAccepted: number;
  /** Rows with the same timestamp (and id, for trades) and the same values as an earlier row of the file. */
  duplicatesInFile: number;
  rejected: { count: number; byReason: Partial<Record<RejectReason, number>>; rows: Rejection[] };
  /** First and last accepted timestamp (ms UTC), null for an empty result. */
  from: number | null;
  to: number | null;
  gaps: GapSummary | null;
  store: StoreOutcome | null;
}

/** At most this many rejected rows are listed one by one; all are counted. */
export const MAX_LISTED_REJECTIONS = 1000;
export const MAX_LISTED_GAPS = 10;

export class RejectLog {
  count = 0;
  readonly byReason: Partial<Record<RejectReason, number>> = {};
  readonly rows: Rejection[] = [];

  add(line: number, reason: RejectReason, message: string): void {
    this.count++;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    if (this.rows.length < MAX_LISTED_REJECTIONS) this.rows.push({ line, reason, message });
  }

  toReport(): ImportReport['rejected'] {
    return { count: this.count, byReason: { ...this.byReason }, rows: [...this.rows] };
  }
}

export function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** The report as a trader reads it in a terminal. */
export function formatImportReport(r: ImportReport, maxRows = 20): string[] {
  const out: string[] = [];
  out.push(`${r.file}`);
  out.push(`  ${r.kind} ${r.symbol} (${r.symbolSource === 'option' ? 'given' : 'from file name'})` +
    (r.timeframe ? ` ${r.timeframe} (${r.timeframeSource === 'option' ? 'given' : 'from median bar spacing'})` : ''));
  out.push(`  layout: ${r.layout}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  if (r.store?.alreadyImported) {
    out.push(`  already imported${r.store.previousImportAt ? ` on ${r.store.previousImportAt}` : ''}: 0 new rows`);
  }
  out.push(`  rows read ${r.rowsRead}, accepted ${r.rowsAccepted}, rejected ${r.rejected.count}, duplicates merged in file ${r.duplicatesInFile}`);
  if (r.store && !r.store.alreadyImported) {
    out.push(`  store: ${r.store.rowsNew} new, ${r.store.rowsUnchanged} already stored (same values), ${r.store.rowsReplaced} replaced (values differed)`);
  }
  if (r.from !== null && r.to !== null) out.push(`  range: ${isoTime(r.from)} .. ${isoTime(r.to)}`);
  if (r.gaps) {
    out.push(`  gaps: ${r.gaps.count} (${r.gaps.missingBars} missing bars)`);
    for (const g of r.gaps.first) out.push(`    ${isoTime(g.from)} .. ${isoTime(g.to)} (${g.missing} bar${g.missing === 1 ? '' : 's'})`);
    if (r.gaps.count > r.gaps.first.length) out.push(`    ... ${r.gaps.count - r.gaps.first.length} more`);
  }
  if (r.rejected.count > 0) {
    const reasons = Object.entries(r.rejected.byReason).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`  rejected rows: ${reasons}`);
    for (const row of r.rejected.rows.slice(0, maxRows)) out.push(`    ${r.position} ${row.line}: ${row.reason}: ${row.message}`);
    if (r.rejected.count > maxRows) out.push(`    ... ${r.rejected.count - maxRows} more (--json lists up to ${MAX_LISTED_REJECTIONS})`);
  }
  return out;
}
