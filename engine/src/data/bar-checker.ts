import { bucketStart } from '../core/timeframe';
import { GrowableF64 } from './growable';
import { isoTime, type RejectLog } from './import-report';

/** Where accepted bars go: memory columns (loadBarFile) or a DuckDB staging table (the store). */
export interface BarSink {
  add(ts: number, open: number, high: number, low: number, close: number, volume: number, adjClose: number): void;
}

/** What the row checks found, as plain data (a parse worker sends it across threads). */
export interface BarChecks {
  rowsRead: number;
  duplicatesInFile: number;
  /** +1 ascending, -1 descending, 0 not known (fewer than two distinct times). */
  direction: number;
  /** Times of the accepted rows, in file order. */
  ts: Float64Array;
  /** Line (or row) of each accepted row, beside ts: a check made once the timeframe is known names its rows. */
  lines: Float64Array;
  /** Rows whose time was moved onto the grid (only when asked to snap). */
  snapped: SnapSummary;
}

export interface SnapSummary {
  count: number;
  /** The first few: line, time as read, time snapped to. */
  first: { line: number; from: number; to: number }[];
}

/** Snapped rows listed one by one in the report; all are counted. */
const LISTED_SNAPS = 5;

/**
 * The row rules every bar source goes through, in the order a trader would look for them:
 * numbers first, then prices, then time order. The file's direction is set by its first two
 * accepted rows with different times; a row that breaks it is rejected as out of order
 * (a wholly descending file is therefore accepted and reversed by the caller). A row with
 * the time of the previous accepted row is merged when its values are identical and
 * rejected when they differ, since nothing tells which of the two is right.
 */
export class BarChecker {
  rowsRead = 0;
  duplicatesInFile = 0;
  /** +1 ascending, -1 descending, 0 not yet known. */
  direction = 0;
  readonly ts = new GrowableF64();
  readonly lines = new GrowableF64();
  readonly snapped: SnapSummary = { count: 0, first: [] };
  private prevLine = 0;
  private prevTs = 0;
  private prev = new Float64Array(6);

  constructor(
    private readonly rejects: RejectLog,
    private readonly sink: BarSink,
    /** Bar length in ms to snap each time down onto (the trader asked to snap); 0 leaves times as they are. */
    private readonly snapMs = 0,
  ) {}

  checks(): BarChecks {
    return { rowsRead: this.rowsRead, duplicatesInFile: this.duplicatesInFile, direction: this.direction, ts: this.ts.view(), lines: this.lines.view(), snapped: this.snapped };
  }

  add(line: number, ts: number, open: number, high: number, low: number, close: number, volume: number, adjClose: number): void {
    const r = this.rejects;
    // One sum tests the common case; finite values whose sum overflows (1e308 each) are not an error, so look at each.
    if (!Number.isFinite(ts) || !Number.isFinite(open + high + low + close + volume)) {
      const bad = ([['time', ts], ['open', open], ['high', high], ['low', low], ['close', close], ['volume', volume]] as const).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        r.add(line, bad[0] === 'time' ? 'bad-timestamp' : 'not-a-number', `${bad[0]} is ${Number.isNaN(bad[1]) ? 'missing or not a number' : bad[1]}`);
        return;
      }
    }
    if (!Number.isInteger(ts)) {
      // Rounded, 1672707900000.5 would land beside the bar at ...000 as a near-duplicate.
      r.add(line, 'bad-timestamp', `time ${ts} ms is not a whole millisecond`);
      return;
    }
    if (this.snapMs > 0) {
      const on = bucketStart(ts, this.snapMs);
      if (on !== ts) {
        this.snapped.count++;
        if (this.snapped.first.length < LISTED_SNAPS) this.snapped.first.push({ line, from: ts, to: on });
        ts = on;
      }
    }
    if (!(open > 0 && high > 0 && low > 0 && close > 0)) {
      const [name, v] = open <= 0 ? ['open', open] : high <= 0 ? ['high', high] : low <= 0 ? ['low', low] : ['close', close];
      r.add(line, 'non-positive-price', `${name} is ${v}; prices must be > 0`);
      return;
    }
    if (high < low) {
      r.add(line, 'high-below-low', `high ${high} < low ${low}`);
      return;
    }
    if (high < open || high < close) {
      r.add(line, 'high-below-open-close', `high ${high} < ${high < open ? `open ${open}` : `close ${close}`}`);
      return;
    }
    if (low > open || low > close) {
      r.add(line, 'low-above-open-close', `low ${low} > ${low > open ? `open ${open}` : `close ${close}`}`);
      return;
    }
    if (volume < 0) {
      r.add(line, 'negative-volume', `volume ${volume} < 0`);
      return;
    }
    if (this.prevLine !== 0) {
      if (ts === this.prevTs) {
        const p = this.prev;
        if (p[0] === open && p[1] === high && p[2] === low && p[3] === close && p[4] === volume && Object.is(p[5], adjClose)) {
          this.duplicatesInFile++;
        } else {
          r.add(line, 'conflicting-duplicate', `same time ${isoTime(ts)} as line ${this.prevLine} but different values`);
        }
        return;
      }
      const dir = ts > this.prevTs ? 1 : -1;
      if (this.direction === 0) this.direction = dir;
      else if (dir !== this.direction) {
        r.add(line, 'out-of-order', `${isoTime(ts)} is ${dir > 0 ? 'after' : 'before'} the previous row's ${isoTime(this.prevTs)} (line ${this.prevLine}) in a file that runs ${this.direction > 0 ? 'forward' : 'backward'} in time`);
        return;
      }
    }
    this.prevLine = line;
    this.prevTs = ts;
    const p = this.prev;
    p[0] = open;
    p[1] = high;
    p[2] = low;
    p[3] = close;
    p[4] = volume;
    p[5] = adjClose;
    this.ts.push(ts);
    this.lines.push(line);
    this.sink.add(ts, open, high, low, close, volume, adjClose);
  }
}
