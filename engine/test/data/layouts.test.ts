import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { loadBarFile } from '../../src/data/load-bar-file';
import { parseTradeCsv } from '../../src/data/trade-file';
import { fixture, tempDir, writeFile } from './helpers';

/** The reference file's own numbers, read the slow obvious way, to compare the parser against. */
function naiveRows(name: string): string[][] {
  return readFileSync(fixture(name), 'utf8').split(/\r?\n/).filter((l) => l !== '').slice(1).map((l) => l.split(','));
}

describe('every reference bar layout', () => {
  it('ms layout: btc-usdt 5m, 10,999 rows, no gaps, values exactly as written', async () => {
    const { series, report } = await loadBarFile(fixture('btc-usdt-5m-2023-01.csv'));
    expect(report.rowsRead).toBe(10_999);
    expect(series.length).toBe(10_999);
    expect(report.timeframe).toBe('5m');
    expect(report.timeframeSource).toBe('median spacing');
    expect(report.symbol).toBe('BTC-USDT');
    expect(report.gaps).toMatchObject({ count: 0, missingBars: 0 });
    const rows = naiveRows('btc-usdt-5m-2023-01.csv');
    rows.forEach((r, i) => {
      expect([series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i]]).toEqual(r.map(Number));
    });
  });

  it('alt-btc 1m: 13,681 rows and the 538 gaps (717 missing minutes), tiny prices intact', async () => {
    const { series, report } = await loadBarFile(fixture('alt-btc-1m-2017-11.csv'));
    expect(series.length).toBe(13_681);
    expect(report.timeframe).toBe('1m');
    expect(report.gaps!.count).toBe(538);
    expect(report.gaps!.missingBars).toBe(717);
    // First hole: bars at 23:07 then 23:14 (file lines 7 and 8).
    expect(report.gaps!.first[0]).toEqual({ from: Date.UTC(2017, 10, 4, 23, 8), to: Date.UTC(2017, 10, 4, 23, 13), missing: 6 });
    expect(series.close[0]).toBe(0.00162008);
  });

  it('Yahoo daily: Close drives OHLC, Adj Close is named in the report, dates read as UTC midnight', async () => {
    for (const [name, rows] of [['orcl-1d-1995-2014.csv', 5036], ['nvda-1d-1999-2014.csv', 4012], ['yhoo-1d-1996-2015.csv', 4965]] as const) {
      const { series, report } = await loadBarFile(fixture(name));
      expect(series.length).toBe(rows);
      expect(report.timeframe).toBe('1d');
      expect(report.notes.join(' ')).toMatch(/OHLC uses Close.*Adj Close/);
      expect(report.notes).toContain('timestamps have no time zone; read as UTC');
      const first = naiveRows(name)[0]!;
      expect(series.ts[0]).toBe(Date.parse(`${first[0]}T00:00:00Z`));
      expect(series.close[0]).toBe(Number(first[4]));
      expect(series.volume[0]).toBe(Number(first[6]));
    }
  });

  it('Date,Time,...,OpenInterest: 2,142 rows of 5m, time from the two columns', async () => {
    const { series, report } = await loadBarFile(fixture('index-5m-2006.csv'));
    expect(series.length).toBe(2142);
    expect(report.timeframe).toBe('5m');
    expect(series.ts[0]).toBe(Date.UTC(2006, 0, 2, 9, 5));
    expect(report.notes).toContain('ignored columns: OpenInterest');
  });

  it('the malformed index future file: header missing Time is detected, said, and every row read right', async () => {
    const { series, report } = await loadBarFile(fixture('index-future-1m-2006-01-02.csv'));
    expect(report.rowsRead).toBe(30_889);
    expect(series.length).toBe(30_889);
    expect(report.rejected.count).toBe(0);
    expect(report.timeframe).toBe('1m');
    expect(report.layout).toMatch(/^Date,Time,Open,High,Low,Close,Volume,OpenInterest/);
    expect(report.notes.join('\n')).toMatch(/header names 7 columns but the rows have 8.*missing "Time"/);
    // Row 1: 2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0 — open is 3602, not the time.
    expect([series.ts[0], series.open[0], series.high[0], series.low[0], series.close[0], series.volume[0]]).toEqual([Date.UTC(2006, 0, 2, 9, 1), 3602, 3603, 3597, 3599, 5699]);
    expect(series.ts[series.length - 1]).toBe(Date.UTC(2006, 1, 27, 22, 0));
  });

  it('xrp-usdt perp 1h: 100 rows', async () => {
    const { series, report } = await loadBarFile(fixture('xrp-usdt-perp-1h-2021-11.csv'));
    expect(series.length).toBe(100);
    expect(report.timeframe).toBe('1h');
  });

  it('given symbol and timeframe win over inference', async () => {
    const { series, report } = await loadBarFile(fixture('btc-usdt-5m-2023-01.csv'), { symbol: 'BTC/USDT', timeframe: '1m' });
    expect(series.symbol).toBe('BTC/USDT');
    expect(series.timeframe).toBe('1m');
    expect(report.symbolSource).toBe('option');
    expect(report.gaps!.count).toBe(10_998);
  });

  it('refuses a --timeframe coarser than the bars (5m bars stored as 1h)', async () => {
    await expect(loadBarFile(fixture('btc-usdt-5m-2023-01.csv'), { timeframe: '1h' })).rejects.toThrow(/5m apart.*--timeframe is 1h/);
  });
});

describe('other layouts and refusals', () => {
  it('refuses a row with a different field count, naming the line and the counts', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'x-1m.csv', ['timestamp,open,high,low,close,volume', '60000,1,2,0.5,1.5,10', '120000,1,2,0.5,1.5', '180000,1,2,0.5,1.5,10']);
    const err = await loadBarFile(path).catch((e: unknown) => e);
    expect(isKeelError(err) && err.code).toBe('BAD_FILE');
    expect((err as Error).message).toBe(`${path}:3: row has 5 fields but the layout has 6 (timestamp,open,high,low,close,volume); refusing the file rather than guessing which column is which`);
  });

  it('refuses the index future layout when a later row lacks the time field', async () => {
    const dir = tempDir();
    const lines = readFileSync(fixture('index-future-1m-2006-01-02.csv'), 'utf8').split('\r\n').slice(0, 30);
    lines[25] = lines[25]!.split(',').filter((_, i) => i !== 1).join(',');
    const path = writeFile(dir, 'fut-1m.csv', lines);
    await expect(loadBarFile(path)).rejects.toThrow(`${path}:26: row has 7 fields but the layout has 8`);
  });

  it('refuses headerless bars, and points a trades file at --trades', async () => {
    const dir = tempDir();
    await expect(loadBarFile(writeFile(dir, 'a.csv', ['60000,1,2,0.5,1.5,10']))).rejects.toThrow(/no header row/);
    await expect(loadBarFile(fixture('kraken-bcheur-trades-raw.csv'))).rejects.toThrow(/import with --trades/);
    await expect(loadBarFile(fixture('xrp-eth-trades-2019-10.csv'))).rejects.toThrow(/no open, high, low, close column.*--trades/);
  });

  it('reads semicolons, ISO times with offsets, epoch seconds and a file in descending order', async () => {
    const dir = tempDir();
    const iso = await loadBarFile(writeFile(dir, 'iso-1h.csv', ['datetime;open;high;low;close;volume', '2023-01-01T01:00:00+01:00;1;2;0.5;1.5;3', '2023-01-01T01:00:00Z;1;2;0.5;1.5;3']));
    expect(Array.from(iso.series.ts)).toEqual([Date.UTC(2023, 0, 1, 0), Date.UTC(2023, 0, 1, 1)]);
    expect(iso.report.notes.join(' ')).not.toMatch(/no time zone/);
    const secs = await loadBarFile(writeFile(dir, 'secs-1m.csv', ['timestamp,open,high,low,close,volume', '1672531200,1,2,0.5,1.5,3', '1672531260,1,2,0.5,1.5,3']));
    expect(secs.series.ts[1]).toBe(1_672_531_260_000);
    expect(secs.report.notes.join(' ')).toMatch(/epoch seconds/);
    const t0 = Date.UTC(2023, 0, 1);
    const desc = await loadBarFile(writeFile(dir, 'desc-1m.csv', ['timestamp,open,high,low,close,volume', `${t0 + 120000},3,3,3,3,3`, `${t0 + 60000},2,2,2,2,2`, `${t0},1,1,1,1,1`]));
    expect(Array.from(desc.series.ts)).toEqual([t0, t0 + 60000, t0 + 120000]);
    expect(Array.from(desc.series.close)).toEqual([1, 2, 3]);
    expect(desc.report.notes.join(' ')).toMatch(/backward in time/);
  });

  it('reads Parquet bars (written by DuckDB) through the same checks, with row numbers', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const dir = tempDir();
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM (VALUES (TIMESTAMP '2023-01-01 00:00:00', 1.0, 2.0, 0.5, 1.5, 10.0), (TIMESTAMP '2023-01-01 00:01:00', 1.0, 0.9, 0.5, 0.7, 10.0),
      (TIMESTAMP '2023-01-01 00:02:00', 1.0, 2.0, 0.5, 1.5, 10.0)) t("date", open, high, low, close, volume)) TO '${dir}/p-1m.parquet' (FORMAT parquet)`);
    db.closeSync();
    const { series, report } = await loadBarFile(`${dir}/p-1m.parquet`);
    expect(series.length).toBe(2);
    expect(report.position).toBe('row');
    expect(report.rejected.rows).toEqual([{ line: 2, reason: 'high-below-open-close', message: 'high 0.9 < open 1' }]);
    expect(report.notes.join(' ')).toMatch(/no time zone; read as UTC/);
  });
});

describe('trade files', () => {
  it('xrp-eth trades with id and side: 12,477 trades', async () => {
    const { series, ids, report } = await parseTradeCsv(fixture('xrp-eth-trades-2019-10.csv'));
    expect(series.length).toBe(12_477);
    expect(ids[0]).toBe('13519807');
    expect(series.side[0]).toBe(-1);
    const buys = Array.from(series.side).filter((s) => s === 1).length;
    expect(buys).toBe(6524);
    expect(report.notes).toContain('ignored columns: cost');
  });

  it('Kraken raw trades without header: seconds to ms, equal trades both kept', async () => {
    const { series, ids, report } = await parseTradeCsv(fixture('kraken-bcheur-trades-raw.csv'));
    expect(series.length).toBe(148);
    expect(series.ts[0]).toBe(1_672_531_436_000);
    expect(series.price[0]).toBe(90.54);
    expect(report.notes[0]).toMatch(/Kraken raw trades/);
    // Lines 4 and 6 are the same trade print twice (same second, price, amount): two trades.
    expect(ids[3]).toBe('1672533909000:90:0.05:1');
    expect(ids[5]).toBe('1672533909000:90:0.05:2');
  });
});
