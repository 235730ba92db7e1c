import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { loadBarFile } from '../../src/data/load-bar-file';
import { findDuplicates } from '../../src/data/quality';
import { MarketStore, type TimeRange } from '../../src/data/market-store';
import type { Timeframe } from '../../src/core/timeframe';
import { barsFromTrades, resampleBars } from '../../src/data/resample';
import { ensureSampleData } from '../../src/data/samples';
import { fixture, msBarLines, rawBarRows, storeFingerprint, tempDir, writeFile } from './helpers';

async function openTemp(): Promise<{ store: MarketStore; dir: string; path: string }> {
  const dir = tempDir();
  const path = join(dir, 'market.duckdb');
  return { store: await MarketStore.open(path), dir, path };
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('MarketStore import', () => {
  it('stores every reference bar file with the expected counts and lists them', async () => {
    const { store } = await openTemp();
    try {
      const expected: [string, string, string, number][] = [
        ['btc-usdt-5m-2023-01.csv', 'BTC-USDT', '5m', 10_999],
        ['alt-btc-1m-2017-11.csv', 'ALT-BTC', '1m', 13_681],
        ['index-future-1m-2006-01-02.csv', 'INDEX-FUTURE', '1m', 30_889],
        ['index-5m-2006.csv', 'INDEX', '5m', 2142],
        ['orcl-1d-1995-2014.csv', 'ORCL', '1d', 5036],
        ['nvda-1d-1999-2014.csv', 'NVDA', '1d', 4012],
        ['yhoo-1d-1996-2015.csv', 'YHOO', '1d', 4965],
        ['xrp-usdt-perp-1h-2021-11.csv', 'XRP-USDT-PERP', '1h', 100],
      ];
      for (const [file, , , rows] of expected) {
        const r = await store.importBars(fixture(file));
        expect(r.store, file).toEqual({ alreadyImported: false, rowsNew: rows, rowsReplaced: 0, rowsUnchanged: 0 });
      }
      const sets = await store.datasets();
      expect(sets.map((d) => [d.symbol, d.timeframe, d.rows])).toEqual(
        expected.map(([, s, tf, n]) => [s, tf, n]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      expect(sets.find((d) => d.symbol === 'ALT-BTC')!.gaps).toBe(538);
      expect(sets.find((d) => d.symbol === 'BTC-USDT')).toEqual({ kind: 'bars', symbol: 'BTC-USDT', timeframe: '5m', from: 1_672_677_900_000, to: 1_675_977_300_000, rows: 10_999, gaps: 0 });
      // Stored bars are the file's bars, bit for bit.
      const { series } = await loadBarFile(fixture('index-future-1m-2006-01-02.csv'));
      const stored = await store.bars('INDEX-FUTURE', '1m');
      for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(stored[k], series[k]), k).toBe(true);
    } finally {
      store.close();
    }
  });

  it('re-importing the same file is idempotent and says so', async () => {
    const { store } = await openTemp();
    try {
      await store.importBars(fixture('btc-usdt-5m-2023-01.csv'));
      const before = await storeFingerprint(store);
      const again = await store.importBars(fixture('btc-usdt-5m-2023-01.csv'));
      expect(again.store).toMatchObject({ alreadyImported: true, rowsNew: 0 });
      expect(again.store!.previousImportAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await storeFingerprint(store)).toBe(before);
      expect((await store.imports()).length).toBe(1);
      // The same file under another symbol is a different dataset.
      const other = await store.importBars(fixture('btc-usdt-5m-2023-01.csv'), { symbol: 'BTC/USDT' });
      expect(other.store).toMatchObject({ alreadyImported: false, rowsNew: 10_999 });
    } finally {
      store.close();
    }
  });

  it('merges an overlapping file: new rows added, identical kept, changed values replaced', async () => {
    const { store, dir } = await openTemp();
    try {
      const all = msBarLines(150, Date.UTC(2023, 0, 1), 60_000, 3);
      const a = writeFile(dir, 'a.csv', all.slice(0, 101)); // bars 0..99
      const bLines = [all[0]!, ...all.slice(51, 151)]; // bars 50..149
      const fields = bLines[11]!.split(','); // bar 60
      fields[5] = '123456.5';
      bLines[11] = fields.join(',');
      const b = writeFile(dir, 'b.csv', bLines);
      await store.importBars(a, { symbol: 'M', timeframe: '1m' });
      const r = await store.importBars(b, { symbol: 'M', timeframe: '1m' });
      expect(r.store).toEqual({ alreadyImported: false, rowsNew: 50, rowsUnchanged: 49, rowsReplaced: 1 });
      const s = await store.bars('M', '1m');
      expect(s.length).toBe(150);
      expect(findDuplicates(s.ts).count).toBe(0);
      expect(s.volume[60]).toBe(123456.5);
      expect(s.volume[59]).toBe(Number(all[60]!.split(',')[5]));
    } finally {
      store.close();
    }
  });

  it('merges overlapping trade files by trade id', async () => {
    const { store, dir } = await openTemp();
    try {
      const lines = readFileSync(fixture('xrp-eth-trades-2019-10.csv'), 'utf8').trim().split('\n');
      const a = writeFile(dir, 'a.csv', lines.slice(0, 6001)); // trades 1..6000
      const b = lines.slice(5001); // trades 5001..12477
      const f = b[0]!.split(',');
      f[4] = '999'; // trade 5001's amount differs
      b[0] = f.join(',');
      await store.importTrades(a, { symbol: 'X' });
      const r = await store.importTrades(writeFile(dir, 'b.csv', [lines[0]!, ...b]), { symbol: 'X' });
      expect(r.store).toEqual({ alreadyImported: false, rowsNew: 12_477 - 6000, rowsUnchanged: 999, rowsReplaced: 1 });
      const t = await store.trades('X');
      expect(t.length).toBe(12_477);
      expect(t.amount[5000]).toBe(999);
    } finally {
      store.close();
    }
  });

  it('serialises concurrent imports', async () => {
    const { store, dir } = await openTemp();
    try {
      const all = msBarLines(300, Date.UTC(2023, 0, 1), 60_000, 4);
      const a = writeFile(dir, 'a.csv', all.slice(0, 201));
      const b = writeFile(dir, 'b.csv', [all[0]!, ...all.slice(101)]);
      const [ra, rb] = await Promise.all([store.importBars(a, { symbol: 'C', timeframe: '1m' }), store.importBars(b, { symbol: 'C', timeframe: '1m' })]);
      expect(ra.store!.rowsNew + rb.store!.rowsNew).toBe(300);
      const s = await store.bars('C', '1m');
      expect(s.length).toBe(300);
      expect(findDuplicates(s.ts).count).toBe(0);
    } finally {
      store.close();
    }
  });
});

describe('MarketStore atomicity: a failed import leaves the store exactly as it was', () => {
  async function withSeededStore(test: (store: MarketStore, dir: string) => Promise<void>): Promise<void> {
    const { store, dir } = await openTemp();
    try {
      await store.importBars(fixture('btc-usdt-5m-2023-01.csv'));
      await store.importTrades(fixture('kraken-bcheur-trades-raw.csv'));
      await test(store, dir);
    } finally {
      store.close();
    }
  }

  /** ~5 MB, so the reader hands over more than one 4 MB chunk before the failure. */
  const big = (dir: string) => writeFile(dir, 'big-1m.csv', msBarLines(70_000, Date.UTC(2022, 0, 1), 60_000, 9));

  it('cancelled after the first chunk was staged; the file on disk holds the old state too', async () => {
    const { store, dir, path } = await openTemp();
    await store.importBars(fixture('btc-usdt-5m-2023-01.csv'));
    const before = await storeFingerprint(store);
    let chunks = 0;
    const err = await store
      .importBars(big(dir), { onProgress: (phase) => { if (phase === 'reading' && ++chunks === 1) throw new Error('injected: cancelled after chunk 1'); } })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('injected: cancelled after chunk 1');
    expect(await storeFingerprint(store)).toBe(before);
    store.close();
    expect(await rawBarRows(path)).toEqual({ all: 10_999, orphans: 0 });
    const reopened = await MarketStore.open(path);
    try {
      expect(await storeFingerprint(reopened)).toBe(before);
      // The cancelled file was of a new symbol, appended straight into bars: it goes through whole afterwards.
      const ok = await reopened.importBars(big(dir));
      expect(ok.store).toMatchObject({ rowsNew: 70_000, rowsReplaced: 0, rowsUnchanged: 0 });
      expect((await reopened.bars('BIG', '1m')).length).toBe(70_000);
    } finally {
      reopened.close();
    }
    expect(await rawBarRows(path)).toEqual({ all: 10_999 + 70_000, orphans: 0 });
  });

  it('failed after new and replacing rows were merged, just before the commit', async () => {
    await withSeededStore(async (store, dir) => {
      const before = await storeFingerprint(store);
      // 5m bars over the stored BTC-USDT range with other values, and beyond it: updates and inserts.
      const overlapping = writeFile(dir, 'over-5m.csv', msBarLines(20_000, 1_672_677_900_000, 300_000, 5));
      let merged = false;
      const err = await store
        .importBars(overlapping, { symbol: 'BTC-USDT', onProgress: (phase) => { if (phase === 'committing') { merged = true; throw new Error('injected: failure before commit'); } } })
        .catch((e: unknown) => e);
      expect(merged).toBe(true);
      expect((err as Error).message).toBe('injected: failure before commit');
      expect(await storeFingerprint(store)).toBe(before);
      // The same import goes through afterwards, with the file's values winning.
      const ok = await store.importBars(overlapping, { symbol: 'BTC-USDT' });
      expect(ok.store).toEqual({ alreadyImported: false, rowsNew: 20_000 - 10_999, rowsReplaced: 10_999, rowsUnchanged: 0 });
    });
  });

  it('refused half-way through the file (a bad field count deep in it), under --strict, and for a missing file', async () => {
    await withSeededStore(async (store, dir) => {
      const before = await storeFingerprint(store);
      const lines = msBarLines(70_000, Date.UTC(2022, 0, 1), 60_000, 9);
      lines[65_000] += ',1';
      const bad = writeFile(dir, 'bad-1m.csv', lines);
      const err = await store.importBars(bad).catch((e: unknown) => e);
      expect(isKeelError(err) && err.where).toBe(`${bad}:65001`);
      const strictErr = await store.importBars(writeFile(dir, 's-1m.csv', ['timestamp,open,high,low,close,volume', '1672531200000,1,2,0.5,1,1', '1672531260000,1,0.5,0.6,1,1']), { strict: true }).catch((e: unknown) => e);
      expect(isKeelError(strictErr) && strictErr.code).toBe('BAD_FILE');
      const missing = await store.importBars(join(dir, 'nope.csv')).catch((e: unknown) => e);
      expect((missing as Error).message).toMatch(/nope\.csv: cannot read: no such file/);
      await expect(store.importBars(dir)).rejects.toThrow(`${dir}: cannot read: is a directory`);
      const tradesErr = await store.importTrades(bad).catch((e: unknown) => e);
      expect((tradesErr as Error).message).toMatch(/trade files need price and amount columns/);
      expect(await storeFingerprint(store)).toBe(before);
    });
  });
});

describe('MarketStore queries', () => {
  it('bars() reads a range column by column; other timeframes are resampled on the fly and say so', async () => {
    const { store } = await openTemp();
    try {
      await store.importBars(fixture('btc-usdt-5m-2023-01.csv'), { symbol: 'BTC/USDT' });
      const from = Date.UTC(2023, 0, 3);
      const to = Date.UTC(2023, 0, 4);
      const day = await store.bars('BTC/USDT', '5m', { from, to });
      expect(day.origin).toEqual({ kind: 'stored' });
      expect(day.ts).toBeInstanceOf(Float64Array);
      expect(day.close).toBeInstanceOf(Float64Array);
      expect(day.length).toBe(288);
      expect(day.ts[0]).toBe(from);
      expect(day.ts[287]).toBe(to - 300_000);
      const hourly = await store.bars('BTC/USDT', '1h', { from: from + 30 * 60_000, to });
      expect(hourly.origin).toEqual({ kind: 'resampled', from: '5m', lastPartial: false });
      expect(hourly.ts[0]).toBe(from + 3_600_000);
      const expected = resampleBars(await store.bars('BTC/USDT', '5m', { from: from + 3_600_000, to }), '1h').series;
      for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(hourly[k], expected[k]), k).toBe(true);
      expect((await store.bars('BTC/USDT', '1d')).origin).toMatchObject({ kind: 'resampled', from: '5m', lastPartial: true });
      await expect(store.bars('BTC/USDT', '7m')).rejects.toThrow('no 7m bars for BTC/USDT (stored timeframes: 5m, none divides 7m)');
      await expect(store.bars('ETH/USDT', '5m')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      store.close();
    }
  });

  it('bars() with `last` gives the latest bars of the range, stored or resampled, bit for bit', async () => {
    const { store } = await openTemp();
    try {
      await store.importBars(fixture('btc-usdt-5m-2023-01.csv'), { symbol: 'BTC/USDT' });
      const to = Date.UTC(2023, 0, 20);
      for (const tf of ['5m', '1h'] as const) {
        const all = await store.bars('BTC/USDT', tf, { to });
        for (const last of [0, 1, 500, 1_000_000]) {
          const page = await store.bars('BTC/USDT', tf, { to, last });
          const n = Math.min(last, all.length);
          expect(page.length, `${tf} last ${last}`).toBe(n);
          for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(page[k], all[k].subarray(all.length - n)), `${tf} ${k}`).toBe(true);
          expect(page.origin).toEqual(all.origin);
        }
      }
    } finally {
      store.close();
    }
  });

  it('bars() with `last` over gaps and long histories: a resampled page reads back only as far as it needs, and equals the whole range\'s tail', async () => {
    const { store, dir } = await openTemp();
    try {
      // 1-minute bars with gaps from minutes to weeks, and daily bars over years with a half-year hole.
      const day = 86_400_000;
      const t0 = Date.UTC(2024, 0, 1, 0, 3);
      const minutes = [
        ...msBarLines(3_000, t0, 60_000, 3).slice(1),
        ...msBarLines(500, t0 + 3_000 * 60_000 + 17 * 60_000, 60_000, 4).slice(1),
        ...msBarLines(2_000, t0 + 21 * day, 60_000, 5).slice(1),
        ...msBarLines(40, t0 + 40 * day + 7 * 60_000, 60_000, 6).slice(1),
      ];
      await store.importBars(writeFile(dir, 'gappy-1m.csv', ['timestamp,open,high,low,close,volume', ...minutes]), { symbol: 'GAP/USD' });
      const days = [...msBarLines(400, Date.UTC(2019, 0, 1), day, 7).slice(1), ...msBarLines(600, Date.UTC(2020, 8, 1), day, 8).slice(1)];
      await store.importBars(writeFile(dir, 'daily-1d.csv', ['timestamp,open,high,low,close,volume', ...days]), { symbol: 'DAY/USD' });
      const cases: [string, Timeframe, TimeRange][] = [
        ['GAP/USD', '5m', {}],
        ['GAP/USD', '1h', {}],
        ['GAP/USD', '1d', {}],
        ['GAP/USD', '5m', { to: t0 + 21 * day + 30 * 60_000 }],
        ['GAP/USD', '15m', { from: t0 + 2_000 * 60_000, to: t0 + 22 * day }],
        ['DAY/USD', '1w', {}],
        ['DAY/USD', '1w', { to: Date.UTC(2020, 9, 15) }],
      ];
      for (const [symbol, tf, range] of cases) {
        const all = await store.bars(symbol, tf, range);
        for (const last of [0, 1, 2, 7, 60, 300, 2_000, 1_000_000]) {
          const page = await store.bars(symbol, tf, { ...range, last });
          const n = Math.min(last, all.length);
          const what = `${symbol} ${tf} ${JSON.stringify(range)} last ${last}`;
          expect(page.length, what).toBe(n);
          for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(page[k], all[k].subarray(all.length - n)), `${what} ${k}`).toBe(true);
          expect(page.origin, what).toEqual(all.origin);
        }
      }
    } finally {
      store.close();
    }
  });

  it('trades: imported once, listed, and turned into bars of any timeframe', async () => {
    const { store } = await openTemp();
    try {
      const r = await store.importTrades(fixture('xrp-eth-trades-2019-10.csv'), { symbol: 'XRP/ETH' });
      expect(r.store).toEqual({ alreadyImported: false, rowsNew: 12_477, rowsReplaced: 0, rowsUnchanged: 0 });
      expect((await store.importTrades(fixture('xrp-eth-trades-2019-10.csv'), { symbol: 'XRP/ETH' })).store!.alreadyImported).toBe(true);
      const k = await store.importTrades(fixture('kraken-bcheur-trades-raw.csv'));
      expect(k.store!.rowsNew).toBe(148);
      const sets = await store.datasets();
      expect(sets.filter((d) => d.kind === 'trades').map((d) => [d.symbol, d.rows])).toEqual([['KRAKEN-BCHEUR', 148], ['XRP/ETH', 12_477]]);
      const trades = await store.trades('XRP/ETH');
      expect(trades.length).toBe(12_477);
      const bars = await store.bars('XRP/ETH', '15m');
      expect(bars.origin).toEqual({ kind: 'trades' });
      const expected = barsFromTrades(trades, '15m');
      expect(bars.length).toBe(expected.length);
      expect(sameBits(bars.close, expected.close)).toBe(true);
      let volume = 0;
      for (let i = 0; i < bars.length; i++) volume += bars.volume[i]!;
      const amounts = readFileSync(fixture('xrp-eth-trades-2019-10.csv'), 'utf8').trim().split('\n').slice(1).reduce((a, l) => a + Number(l.split(',')[4]), 0);
      expect(volume).toBeCloseTo(amounts, 6);
    } finally {
      store.close();
    }
  });

  it('export then import gives the same bars bit for bit, as CSV and as Parquet', async () => {
    const { store, dir } = await openTemp();
    try {
      await store.importBars(fixture('alt-btc-1m-2017-11.csv'));
      await store.importBars(writeFile(dir, 'walk-1m.csv', msBarLines(5000, Date.UTC(2021, 0, 1), 60_000, 11)), { symbol: 'WALK' });
      for (const symbol of ['ALT-BTC', 'WALK']) {
        const original = await store.bars(symbol, '1m');
        for (const ext of ['csv', 'parquet']) {
          const out = join(dir, `${symbol}-export.${ext}`);
          expect(await store.exportBars(symbol, '1m', out)).toEqual({ rows: original.length, format: ext, origin: { kind: 'stored' } });
          const back = await store.importBars(out, { symbol: `${symbol}-${ext}` });
          expect(back.timeframe).toBe('1m');
          const copy = await store.bars(`${symbol}-${ext}`, '1m');
          for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(copy[k], original[k]), `${symbol} ${ext} ${k}`).toBe(true);
        }
      }
      expect(readFileSync(join(dir, 'WALK-export.csv'), 'utf8').split('\n')[0]).toBe('timestamp,open,high,low,close,volume');
      await expect(store.exportBars('WALK', '1m', join(dir, 'x.json'))).rejects.toThrow(/export to .csv or .parquet/);
    } finally {
      store.close();
    }
  });

  it('ensureSampleData imports the shipped samples once', async () => {
    const { store } = await openTemp();
    try {
      const first = await ensureSampleData(store);
      expect(first.map((r) => [r.symbol, r.timeframe, r.store!.rowsNew])).toEqual([['BTC/USDT', '5m', 10_999]]);
      const before = await storeFingerprint(store);
      const second = await ensureSampleData(store);
      expect(second.every((r) => r.store!.alreadyImported)).toBe(true);
      expect(await storeFingerprint(store)).toBe(before);
    } finally {
      store.close();
    }
  });
});
