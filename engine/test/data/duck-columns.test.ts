import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DoubleChunkAppender, resultColumns } from '../../src/data/duck-columns';
import { rng } from './helpers';

/** Appends `cols` through DoubleChunkAppender into a fresh in-memory table and reads them back with NULL kept apart from NaN. */
async function roundTrip(cols: Float64Array[], byColumns: boolean): Promise<{ values: Float64Array[]; nulls: boolean[][] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const names = cols.map((_, c) => `c${c}`);
    await con.run(`CREATE TEMP TABLE s (${names.map((n) => `${n} DOUBLE`).join(', ')})`);
    const appender = new DoubleChunkAppender(await con.createAppender('s'), cols.length);
    if (byColumns) {
      // Uneven pieces, so pieces straddle chunk boundaries.
      for (let at = 0; at < cols[0]!.length; at += 1500) appender.addColumns(cols.map((c) => c.subarray(at, at + 1500)));
    } else {
      for (let i = 0; i < cols[0]!.length; i++) {
        for (let c = 0; c < cols.length; c++) appender.cols[c]![appender.filled] = cols[c]![i]!;
        appender.endRow();
      }
    }
    appender.close();
    expect(appender.appended).toBe(cols[0]!.length);
    const values = resultColumns(await con.run(`SELECT ${names.join(', ')} FROM s`));
    const nullRows = await con.runAndReadAll(`SELECT ${names.map((n) => `${n} IS NULL`).join(', ')} FROM s`);
    const nulls = cols.map((_, c) => nullRows.getRowsJS().map((r) => r[c] as boolean));
    return { values, nulls };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe('DoubleChunkAppender', () => {
  it('appends every value bit for bit and NaN as NULL, whatever the NULL pattern from chunk to chunk', async () => {
    const n = 2048 * 3 + 700;
    const r = rng(7);
    const plain = Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6);
    // All NULL; NULL in the first chunk only (a later chunk must not inherit its mask); NULL at random; NULL in the last, partial chunk only.
    const allNull = new Float64Array(n).fill(NaN);
    const firstChunk = Float64Array.from({ length: n }, (_, i) => (i < 2048 && i % 3 === 0 ? NaN : i + 0.5));
    const scattered = Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r()));
    const lastChunk = Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? NaN : -i));
    const cols = [plain, allNull, firstChunk, scattered, lastChunk];
    for (const byColumns of [false, true]) {
      const { values, nulls } = await roundTrip(cols, byColumns);
      cols.forEach((src, c) => {
        expect(nulls[c]).toEqual(Array.from(src, (v) => Number.isNaN(v)));
        expect(Array.from(values[c]!)).toEqual(Array.from(src));
      });
    }
  });
});

describe('resultColumns', () => {
  it('refuses a column that is not DOUBLE rather than reading its bytes as doubles', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await expect(async () => resultColumns(await con.run('SELECT 1.5::DOUBLE AS a, 1700000000000::BIGINT AS ts'))).rejects.toThrow('column 1 (ts) is BIGINT; cast it to DOUBLE');
      const [a, ts] = resultColumns(await con.run('SELECT 1.5::DOUBLE AS a, 1700000000000::DOUBLE AS ts'));
      expect([a![0], ts![0]]).toEqual([1.5, 1_700_000_000_000]);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
