import type { BarSink } from './bar-checker';

/**
 * Accepted bars travel from the parser to where they are kept (DuckDB's appender, memory
 * columns) in column batches rather than row by row: a batch can cross a thread boundary
 * as a handful of transferred buffers, and its consumer copies whole columns at once.
 */

/** The columns of a batch, in this order. adjClose is NaN where the file has none. */
export const BAR_BATCH_COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;

/** Rows per batch: 64k rows of 7 columns is 3.5 MB, large enough to amortise a thread hop. */
export const BAR_BATCH_ROWS = 1 << 16;

/**
 * Takes the first `rows` values of each column, in file order. The arrays are lent: they are
 * reused once this returns, so a consumer copies what it keeps.
 */
export type BarBatchConsumer = (cols: readonly Float64Array[], rows: number) => void;

export function newBatchColumns(rows = BAR_BATCH_ROWS): Float64Array[] {
  return BAR_BATCH_COLUMNS.map(() => new Float64Array(rows));
}

/**
 * A BarSink that gathers rows into column batches. `handOff` receives each full batch (and
 * the last, partial one on flush) and returns the columns to fill next: the same ones when
 * it consumed the batch in place, others when it sent them away.
 */
export class BarBatcher implements BarSink {
  private cols: Float64Array[];
  private filled = 0;

  constructor(
    private readonly handOff: (cols: Float64Array[], rows: number) => Float64Array[],
    cols: Float64Array[] = newBatchColumns(),
  ) {
    this.cols = cols;
  }

  add(ts: number, open: number, high: number, low: number, close: number, volume: number, adjClose: number): void {
    const c = this.cols;
    const k = this.filled;
    c[0]![k] = ts;
    c[1]![k] = open;
    c[2]![k] = high;
    c[3]![k] = low;
    c[4]![k] = close;
    c[5]![k] = volume;
    c[6]![k] = adjClose;
    if (++this.filled === c[0]!.length) this.flush();
  }

  /** Hands off the rows gathered so far, if any. */
  flush(): void {
    if (this.filled === 0) return;
    const n = this.filled;
    this.filled = 0;
    this.cols = this.handOff(this.cols, n);
  }
}

/** A batcher whose batches go straight to `consume` on this thread. */
export function inlineBatcher(consume: BarBatchConsumer): BarBatcher {
  return new BarBatcher((cols, rows) => {
    consume(cols, rows);
    return cols;
  });
}
