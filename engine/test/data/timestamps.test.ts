// Item 4 of the hardening issue: a time that is not a whole millisecond, or a bar off its
// timeframe's grid, is a rejected row with its reason, never a near-duplicate bar.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { captureIO } from '../../src/cli/types';
import { main } from '../../src/cli/main';
import { loadBarFile } from '../../src/data/load-bar-file';
import { MarketStore } from '../../src/data/market-store';
import { epochToMs } from '../../src/data/infer';
import { tempDir, writeFile } from './helpers';

const HEADER = 'timestamp,open,high,low,close,volume';
const T = 1_672_707_900_000; // 2023-01-03T01:05:00Z, on the 5m grid
const bar = (ts: number | string, close = 10.5) => `${ts},10,11,9,${close},100`;

describe('bar times', () => {
  it('refuses a fractional millisecond as a rejected row, instead of storing a near-duplicate beside the whole one', async () => {
    const home = tempDir();
    const file = writeFile(home, 'frac-5m.csv', [HEADER, bar(T), bar(`${T}.5`, 10.6), bar(T + 300_000)]);
    const io = captureIO(home, { KEEL_HOME: home });
    // Exit 1: some rows were rejected (the fractional time among them).
    expect(await main(['import', file, '--symbol', 'F'], io)).toBe(1);
    expect(io.stdout.join('\n')).toContain(`line 3: bad-timestamp: time ${T}.5 ms is not a whole millisecond`);
    const store = await MarketStore.open(join(home, 'market.duckdb'));
    try {
      const s = await store.bars('F', '5m');
      expect(Array.from(s.ts)).toEqual([T, T + 300_000]);
      expect(Array.from(s.close)).toEqual([10.5, 10.5]);
    } finally {
      store.close();
    }
  });

  it('refuses a time of day with digits below the millisecond, and a Parquet timestamp with microseconds', async () => {
    const dir = tempDir();
    const text = await loadBarFile(writeFile(dir, 'iso-5m.csv', ['datetime,open,high,low,close,volume', '2023-01-03 01:05:00,10,11,9,10.5,1', '2023-01-03 01:10:00.0005,10,11,9,10.5,1', '2023-01-03 01:15:00.000,10,11,9,10.5,1']), { timeframe: '5m' });
    expect(text.report.rejected.rows).toEqual([{ line: 3, reason: 'bad-timestamp', message: `time ${T + 300_000.5} ms is not a whole millisecond` }]);
    expect(Array.from(text.series.ts)).toEqual([T, T + 600_000]);

    const parquet = join(dir, 'us-5m.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM (VALUES
        (TIMESTAMP '2023-01-03 01:05:00', 10.0, 11.0, 9.0, 10.5, 1.0),
        (TIMESTAMP '2023-01-03 01:10:00.000250', 10.0, 11.0, 9.0, 10.5, 1.0),
        (TIMESTAMP '2023-01-03 01:15:00', 10.0, 11.0, 9.0, 10.5, 1.0)) t(ts, open, high, low, close, volume)) TO '${parquet}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const pq = await loadBarFile(parquet, { symbol: 'P', timeframe: '5m' });
    expect(pq.report.rejected.rows).toEqual([{ line: 2, reason: 'bad-timestamp', message: `time ${T + 300_000.25} ms is not a whole millisecond` }]);
    expect(Array.from(pq.series.ts)).toEqual([T, T + 600_000]);
  });

  it('reads epoch seconds with milliseconds exactly, and keeps microseconds only when they are whole milliseconds', () => {
    expect(epochToMs(1_672_707_900.123, 's')).toBe(1_672_707_900_123);
    expect(epochToMs(1_672_707_900.001, 's')).toBe(1_672_707_900_001);
    expect(Number.isInteger(epochToMs(1_672_707_900.0005, 's'))).toBe(false);
    expect(epochToMs(1_672_707_900_000_000, 'us')).toBe(T);
    expect(Number.isInteger(epochToMs(1_672_707_900_000_123, 'us'))).toBe(false);
    expect(Number.isInteger(epochToMs(T + 0.5, 'ms'))).toBe(false);
  });

  it('rejects a bar off its timeframe grid, naming the grid and the way to snap', async () => {
    const dir = tempDir();
    // The timeframe is inferred (median spacing), so the grid is known only once the file is read.
    const { series, report } = await loadBarFile(writeFile(dir, 'grid-5m.csv', [HEADER, bar(T), bar(T + 120_000), bar(T + 300_000), bar(T + 600_000), bar(T + 900_000), bar(T + 1_200_000)]));
    expect(report.timeframe).toBe('5m');
    expect(report.rejected.rows).toEqual([
      { line: 3, reason: 'off-grid', message: '2023-01-03T01:07:00.000Z is not on the 5m grid (bars open at 2023-01-03T01:05:00.000Z and 2023-01-03T01:10:00.000Z); ask to snap (--snap) to move such bars onto it' },
    ]);
    expect(report.rejected.byReason).toEqual({ 'off-grid': 1 });
    expect(Array.from(series.ts)).toEqual([T, T + 300_000, T + 600_000, T + 900_000, T + 1_200_000]);
    expect(Array.from(series.close)).toEqual([10.5, 10.5, 10.5, 10.5, 10.5]);
    expect(report.rowsAccepted).toBe(5);
    // --strict refuses the file for it.
    await expect(loadBarFile(writeFile(dir, 'grid2-5m.csv', [HEADER, bar(T), bar(T + 120_000), bar(T + 300_000)]), { strict: true })).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('snaps off-grid bars onto the grid when asked, says which, and rejects two that land on one bar', async () => {
    const home = tempDir();
    const file = writeFile(home, 'jitter-5m.csv', [HEADER, bar(T), bar(T + 300_000 + 1_000), bar(T + 600_000 + 2_000, 10.7), bar(T + 600_000 + 59_000, 10.8), bar(T + 900_000)]);
    const io = captureIO(home, { KEEL_HOME: home });
    expect(await main(['import', file, '--symbol', 'J', '--timeframe', '5m', '--snap'], io)).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain(
      'note: 3 bar times were snapped down onto the 5m grid, as asked (line 3: 2023-01-03T01:10:01.000Z -> 2023-01-03T01:10:00.000Z; line 4: 2023-01-03T01:15:02.000Z -> 2023-01-03T01:15:00.000Z; line 5: 2023-01-03T01:15:59.000Z -> 2023-01-03T01:15:00.000Z)',
    );
    expect(out).toContain('line 5: conflicting-duplicate: same time 2023-01-03T01:15:00.000Z as line 4 but different values');
    const store = await MarketStore.open(join(home, 'market.duckdb'));
    try {
      const s = await store.bars('J', '5m');
      expect(Array.from(s.ts)).toEqual([T, T + 300_000, T + 600_000, T + 900_000]);
      expect(s.close[2]).toBe(10.7);
    } finally {
      store.close();
    }
    // Snapping needs the grid named.
    const noTf = captureIO(home, { KEEL_HOME: home });
    expect(await main(['import', file, '--symbol', 'J2', '--snap'], noTf)).toBe(2);
    expect(noTf.stderr.join('\n')).toContain('--snap needs --timeframe');
  });

  it('keeps a week grid on Mondays, and checks trades not at all (they keep sub-ms times rounded, keyed by id)', async () => {
    const dir = tempDir();
    const monday = Date.UTC(2023, 0, 2);
    const { report } = await loadBarFile(writeFile(dir, 'w-1w.csv', [HEADER, bar(monday), bar(monday + 7 * 86_400_000), bar(monday + 15 * 86_400_000)]), { timeframe: '1w' });
    expect(report.rejected.rows.map((r) => [r.line, r.reason])).toEqual([[4, 'off-grid']]);
    writeFileSync(join(dir, 'kraken-trades.csv'), '1672707900.12345,100,0.5\n1672707900.5,101,0.25\n');
    const { parseTradeCsv } = await import('../../src/data/trade-file');
    const trades = await parseTradeCsv(join(dir, 'kraken-trades.csv'), { symbol: 'X' });
    expect(trades.report.rejected.count).toBe(0);
    expect(Array.from(trades.series.ts)).toEqual([1_672_707_900_123, 1_672_707_900_500]);
  });
});
