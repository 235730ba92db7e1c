import { DOUBLE, DuckDBDataChunk, type DuckDBAppender, type DuckDBMaterializedResult } from '@duckdb/node-api';

/**
 * Numeric columns of a materialized result as Float64Arrays, chunk by chunk and column by
 * column: no row objects. SQL NULL becomes NaN. Query the columns as DOUBLE (cast BIGINT
 * times with ::DOUBLE: ms times are exact below 2^53).
 */
export function resultColumns(result: DuckDBMaterializedResult): Float64Array[] {
  const n = Number(result.rowCount);
  const cols = Array.from({ length: result.columnCount }, () => new Float64Array(n));
  let at = 0;
  for (let ci = 0; ci < result.chunkCount; ci++) {
    const chunk = result.getChunk(ci);
    const rows = chunk.rowCount;
    for (let c = 0; c < cols.length; c++) {
      const vector = chunk.getColumnVector(c);
      const dst = cols[c]!;
      for (let j = 0; j < rows; j++) {
        const v = vector.getItem(j);
        dst[at + j] = v === null ? NaN : (v as number);
      }
    }
    at += rows;
  }
  return cols;
}

const CHUNK_ROWS = 2048;

/**
 * Appends rows of DOUBLE columns through DuckDB data chunks (a chunk of 2048 rows per
 * native call rather than one call per value). NaN is appended as NULL. Write a row into
 * `cols[c][filled]` for every column, then call endRow().
 */
export class DoubleChunkAppender {
  readonly cols: Float64Array[];
  filled = 0;
  appended = 0;
  private readonly chunk: DuckDBDataChunk;

  constructor(
    private readonly appender: DuckDBAppender,
    columns: number,
  ) {
    this.chunk = DuckDBDataChunk.create(Array.from({ length: columns }, () => DOUBLE));
    this.cols = Array.from({ length: columns }, () => new Float64Array(CHUNK_ROWS));
  }

  endRow(): void {
    if (++this.filled === CHUNK_ROWS) this.flushChunk();
  }

  /** Appends whole columns (all the same length). */
  addColumns(src: readonly Float64Array[]): void {
    const n = src[0]?.length ?? 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < src.length; c++) this.cols[c]![this.filled] = src[c]![i]!;
      this.endRow();
    }
  }

  /** Flushes the partial chunk and closes the appender. */
  close(): void {
    if (this.filled > 0) this.flushChunk();
    this.appender.closeSync();
  }

  private flushChunk(): void {
    const n = this.filled;
    this.chunk.rowCount = n;
    for (let c = 0; c < this.cols.length; c++) {
      const vector = this.chunk.getColumnVector(c);
      const src = this.cols[c]!;
      for (let j = 0; j < n; j++) {
        const v = src[j]!;
        vector.setItem(j, Number.isNaN(v) ? null : v);
      }
      vector.flush();
    }
    this.appender.appendDataChunk(this.chunk);
    this.appended += n;
    this.filled = 0;
  }
}
