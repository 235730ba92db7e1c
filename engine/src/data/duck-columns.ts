import duckdb from '@duckdb/node-bindings';
import { DOUBLE, DuckDBDataChunk, DuckDBTypeId, type DuckDBAppender, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { KeelError } from '../core/errors';

/**
 * The DOUBLE columns of a materialized result as Float64Arrays: each column of each chunk
 * in one copy of DuckDB's own bytes, no value crossing into JS one by one (that cost
 * ~0.1 µs per value through the vector's getItem). SQL NULL becomes NaN. Query the columns
 * as DOUBLE (cast BIGINT times with ::DOUBLE: ms times are exact below 2^53); any other
 * type is refused rather than reinterpreted.
 */
export function resultColumns(result: DuckDBMaterializedResult): Float64Array[] {
  for (let c = 0; c < result.columnCount; c++) {
    const type = result.columnType(c);
    if (type.typeId !== DuckDBTypeId.DOUBLE) {
      throw new KeelError('INTERNAL', `column ${c} (${result.columnName(c)}) is ${type.toString()}; cast it to DOUBLE to read it as a Float64Array`);
    }
  }
  const n = Number(result.rowCount);
  const cols = Array.from({ length: result.columnCount }, () => new Float64Array(n));
  let at = 0;
  for (let ci = 0; ci < result.chunkCount; ci++) {
    const chunk = result.getChunk(ci);
    const rows = chunk.rowCount;
    for (let c = 0; c < cols.length; c++) {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, c);
      const dst = cols[c]!;
      new Uint8Array(dst.buffer, at * 8, rows * 8).set(duckdb.vector_get_data(vector, rows * 8).subarray(0, rows * 8));
      // No validity mask means no NULL in this vector.
      const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
      if (validity && validity.length > 0) {
        for (let j = 0; j < rows; j++) if ((validity[j >> 3]! & (1 << (j & 7))) === 0) dst[at + j] = NaN;
      }
    }
    at += rows;
  }
  return cols;
}

const CHUNK_ROWS = 2048;
const ALL_VALID = 0xff;

/**
 * Appends rows of DOUBLE columns through DuckDB data chunks of 2048 rows. Each column of a
 * full chunk goes to DuckDB in one native copy from its Float64Array (the node-api vector's
 * setItem costs a call per value, and a BigInt bit operation per value once a column holds
 * a NULL). NaN is appended as NULL. Write a row into `cols[c][filled]` for every column,
 * then call endRow().
 */
export class DoubleChunkAppender {
  readonly cols: Float64Array<ArrayBuffer>[];
  filled = 0;
  appended = 0;
  private readonly chunk: DuckDBDataChunk;
  private readonly vectors: duckdb.Vector[];
  /** One bit per row, 1 = valid, as DuckDB's validity mask; 8-byte aligned like its uint64 words. */
  private readonly validity = new Uint8Array(CHUNK_ROWS / 8);
  /** Columns whose vector got a validity mask: it stays until overwritten, so later chunks must overwrite it. */
  private readonly masked: boolean[];

  constructor(
    private readonly appender: DuckDBAppender,
    columns: number,
  ) {
    this.chunk = DuckDBDataChunk.create(Array.from({ length: columns }, () => DOUBLE));
    this.vectors = Array.from({ length: columns }, (_, c) => duckdb.data_chunk_get_vector(this.chunk.chunk, c));
    this.cols = Array.from({ length: columns }, () => new Float64Array(CHUNK_ROWS));
    this.masked = new Array<boolean>(columns).fill(false);
  }

  endRow(): void {
    if (++this.filled === CHUNK_ROWS) this.flushChunk();
  }

  /** Appends whole columns (all the same length). */
  addColumns(src: readonly Float64Array[]): void {
    const n = src[0]?.length ?? 0;
    for (let at = 0; at < n; ) {
      const take = Math.min(CHUNK_ROWS - this.filled, n - at);
      for (let c = 0; c < src.length; c++) this.cols[c]!.set(src[c]!.subarray(at, at + take), this.filled);
      at += take;
      this.filled += take;
      if (this.filled === CHUNK_ROWS) this.flushChunk();
    }
  }

  /**
   * Drops the rows not yet flushed and closes the appender, for a failed import: closing
   * now, empty, rather than leaving a finalizer to close (and flush) it at some later time.
   */
  discard(): void {
    this.filled = 0;
    this.appender.clear();
    this.appender.closeSync();
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
      const src = this.cols[c]!;
      const vector = this.vectors[c]!;
      duckdb.copy_data_to_vector(vector, 0, src.buffer, src.byteOffset, n * 8);
      const hasNull = this.fillValidity(src, n);
      if (hasNull || this.masked[c]) {
        duckdb.vector_ensure_validity_writable(vector);
        duckdb.copy_data_to_vector_validity(vector, 0, this.validity.buffer, 0, this.validity.byteLength);
        this.masked[c] = hasNull;
      }
    }
    this.appender.appendDataChunk(this.chunk);
    this.appended += n;
    this.filled = 0;
  }

  /** Sets `validity` for the first n values of `src` (NaN = NULL); true when any is NULL. */
  private fillValidity(src: Float64Array, n: number): boolean {
    let nulls = 0;
    const bits = this.validity;
    bits.fill(ALL_VALID);
    for (let j = 0; j < n; j++) {
      // NaN is the only value not equal to itself.
      if (src[j] !== src[j]) {
        bits[j >> 3] = bits[j >> 3]! & ~(1 << (j & 7));
        nulls++;
      }
    }
    return nulls > 0;
  }
}
