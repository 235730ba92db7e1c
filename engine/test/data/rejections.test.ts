import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { loadBarFile } from '../../src/data/load-bar-file';
import { parseTradeCsv } from '../../src/data/trade-file';
import { tempDir, writeFile } from './helpers';

const T0 = Date.UTC(2023, 0, 2);
const t = (minute: number) => String(T0 + minute * 60_000);

/** One good bar per minute, with a bad row of every kind in between; line numbers in comments. */
const LINES = [
  'timestamp,open,high,low,close,volume', // 1
  `${t(0)},10,11,9,10.5,100`, // 2 ok
  `${t(1)},NaN,11,9,10.5,100`, // 3 not-a-number
  `${t(2)},10,11,9,,100`, // 4 not-a-number (empty)
  `${t(3)},10,11,0,10.5,100`, // 5 non-positive-price
  `${t(4)},10,8,9,8.5,100`, // 6 high-below-low
  `${t(5)},10,10.2,9,10.5,100`, // 7 high-below-open-close
  `${t(6)},10,11,10.2,10.5,100`, // 8 low-above-open-close
  `${t(7)},10,11,9,10.5,-1`, // 9 negative-volume
  `${t(8)},10,11,9,10.5,100`, // 10 ok
  `${t(2)},10,11,9,10.5,100`, // 11 out-of-order
  `2023-13-45,10,11,9,10.5,100`, // 12 bad-timestamp
  `${t(8)},10,11,9,10.5,100`, // 13 identical duplicate of line 10: merged
  `${t(8)},10,11,9,10.6,100`, // 14 conflicting-duplicate
  ``, // 15 blank: skipped
  `${t(9)},1e1,1.1e1,9,10.5,1e2`, // 16 ok (exponents)
];

describe('rejected rows: every reason with its line', () => {
  it('lists each bad row precisely and keeps the good ones', async () => {
    const dir = tempDir();
    const { series, report } = await loadBarFile(writeFile(dir, 'bad-1m.csv', LINES));
    expect(report.rejected.rows).toEqual([
      { line: 3, reason: 'not-a-number', message: 'open is not a number: "NaN"' },
      { line: 4, reason: 'not-a-number', message: 'close is empty' },
      { line: 5, reason: 'non-positive-price', message: 'low is 0; prices must be > 0' },
      { line: 6, reason: 'high-below-low', message: 'high 8 < low 9' },
      { line: 7, reason: 'high-below-open-close', message: 'high 10.2 < close 10.5' },
      { line: 8, reason: 'low-above-open-close', message: 'low 10.2 > open 10' },
      { line: 9, reason: 'negative-volume', message: 'volume -1 < 0' },
      { line: 11, reason: 'out-of-order', message: '2023-01-02T00:02:00.000Z is before the previous row\'s 2023-01-02T00:08:00.000Z (line 10) in a file that runs forward in time' },
      { line: 12, reason: 'bad-timestamp', message: 'unreadable time "2023-13-45"' },
      { line: 14, reason: 'conflicting-duplicate', message: 'same time 2023-01-02T00:08:00.000Z as line 10 but different values' },
    ]);
    expect(report.rejected.count).toBe(10);
    expect(report.rejected.byReason).toEqual({
      'not-a-number': 2, 'non-positive-price': 1, 'high-below-low': 1, 'high-below-open-close': 1, 'low-above-open-close': 1,
      'negative-volume': 1, 'out-of-order': 1, 'bad-timestamp': 1, 'conflicting-duplicate': 1,
    });
    expect(report.rowsRead).toBe(14);
    expect(report.duplicatesInFile).toBe(1);
    expect(Array.from(series.ts)).toEqual([T0, T0 + 8 * 60_000, T0 + 9 * 60_000]);
    expect(series.open[2]).toBe(10);
    expect(report.rowsAccepted).toBe(3);
    // Minutes 1-7 missing between the two first good bars: one hole of 7 bars.
    expect(report.gaps).toMatchObject({ count: 1, missingBars: 7 });
  });

  it('--strict refuses the file, naming the first bad line', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'bad-1m.csv', LINES);
    const err = await loadBarFile(path, { strict: true }).catch((e: unknown) => e);
    expect(isKeelError(err) && err.code).toBe('BAD_FILE');
    expect(isKeelError(err) && err.where).toBe(`${path}:3`);
    expect((err as Error).message).toMatch(/refused \(--strict\): 10 bad rows; first: not-a-number: open is not a number/);
  });

  it('refuses a file with no usable row', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'x-1m.csv', ['timestamp,open,high,low,close,volume', `${t(0)},0,0,0,0,0`]);
    await expect(loadBarFile(path)).rejects.toThrow(`${path}:2: no usable rows (1 read, 1 rejected; first: non-positive-price: open is 0; prices must be > 0)`);
  });

  it('trades: bad price, amount, side, time order and conflicting ids, by line', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'abc-def-trades.csv', [
      'timestamp,id,side,price,amount', // 1
      `${t(0)},1,buy,10,1`, // 2
      `${t(0)},2,sell,10,2`, // 3 same ms as line 2: fine
      `${t(1)},3,hold,10,1`, // 4 bad-side
      `${t(1)},4,buy,-1,1`, // 5 non-positive-price
      `${t(1)},5,buy,10,0`, // 6 non-positive-amount
      `${t(1)},6,buy,x,1`, // 7 not-a-number
      `${t(1)},9,buy,10,1`, // 8 ok
      `${t(0)},7,buy,10,1`, // 9 out-of-order
      `${t(1)},2,sell,10,2`, // 10 id 2 again at another time: conflicting
      `${t(1)},9,buy,10,1`, // 11 line 8 again: merged
      `${t(2)},8,,10,1`, // 12 no side: fine
    ]);
    const { series, report } = await parseTradeCsv(path);
    expect(report.rejected.rows.map((r) => [r.line, r.reason])).toEqual([
      [4, 'bad-side'], [5, 'non-positive-price'], [6, 'non-positive-amount'], [7, 'not-a-number'], [9, 'out-of-order'], [10, 'conflicting-duplicate'],
    ]);
    expect(report.rejected.rows[5]!.message).toBe('trade id 2 already on line 3 with different values');
    expect(report.duplicatesInFile).toBe(1);
    expect(Array.from(series.side)).toEqual([1, -1, 1, 0]);
  });
});
