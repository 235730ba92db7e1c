// Builds engine/test/fixtures/indicators/bars/*.csv: reference bar files converted to Keel's
// ms layout (timestamp,open,high,low,close,volume), plus small synthetic edge-case series.
// Run once by hand: `npx tsx scripts/oracle/make-indicator-fixtures.ts <reference-data-dir>`;
// the committed fixtures are the output, so tests never read the reference directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = 'timestamp,open,high,low,close,volume';
const out = join(import.meta.dirname, '..', '..', 'engine', 'test', 'fixtures', 'indicators', 'bars');

const src = process.argv[2];
if (!src) throw new Error('usage: tsx scripts/oracle/make-indicator-fixtures.ts <reference-data-dir>');

function lines(file: string): string[] {
  return readFileSync(join(src!, file), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
}

function utcMs(date: string, time = '00:00:00'): number {
  const ms = Date.parse(`${date}T${time}Z`);
  if (!Number.isFinite(ms)) throw new Error(`bad date/time ${date} ${time}`);
  return ms;
}

/** Already in the ms layout: copied line for line after checking the header, keeping the first `rows`. */
function copyMs(file: string, rows = Infinity): void {
  const ls = lines(file);
  if (ls[0] !== HEADER) throw new Error(`${file}: unexpected header ${ls[0]}`);
  writeFileSync(join(out, file), ls.slice(0, rows + 1).join('\n') + '\n');
}

/** Yahoo daily: Date,Open,High,Low,Close,Adj Close,Volume; the unadjusted Close is kept. */
function convertYahoo(file: string): void {
  const ls = lines(file);
  if (ls[0] !== 'Date,Open,High,Low,Close,Adj Close,Volume') throw new Error(`${file}: unexpected header ${ls[0]}`);
  const rows = ls.slice(1).map((l) => {
    const [d, o, h, lo, c, , v] = l.split(',');
    return [utcMs(d!), o, h, lo, c, v].join(',');
  });
  writeFileSync(join(out, file), [HEADER, ...rows].join('\n') + '\n');
}

/** Date,Time,Open,High,Low,Close,Volume,OpenInterest; session times taken as UTC. */
function convertDateTime(file: string): void {
  const ls = lines(file);
  if (ls[0] !== 'Date,Time,Open,High,Low,Close,Volume,OpenInterest') throw new Error(`${file}: unexpected header ${ls[0]}`);
  const rows = ls.slice(1).map((l) => {
    const [d, t, o, h, lo, c, v] = l.split(',');
    return [utcMs(d!, t!), o, h, lo, c, v].join(',');
  });
  writeFileSync(join(out, file), [HEADER, ...rows].join('\n') + '\n');
}

/**
 * The malformed index-future file: its header names 7 columns (Date,Open,…) but every row has
 * 8 values, Date and Time apart. Converted only after checking that shape on every row.
 */
function convertHeaderMissingTime(file: string): void {
  const ls = lines(file);
  if (ls[0] !== 'Date,Open,High,Low,Close,Volume,OpenInterest') throw new Error(`${file}: unexpected header ${ls[0]}`);
  const rows = ls.slice(1).map((l, i) => {
    const f = l.split(',');
    if (f.length !== 8 || !/^\d\d:\d\d:\d\d$/.test(f[1]!)) throw new Error(`${file}:${i + 2}: expected date,time and 6 values`);
    const [d, t, o, h, lo, c, v] = f;
    return [utcMs(d!, t!), o, h, lo, c, v].join(',');
  });
  writeFileSync(join(out, file), [HEADER, ...rows].join('\n') + '\n');
}

/** Synthetic OHLC series from closes: each bar opens at the previous close. */
function synthetic(name: string, closes: number[]): void {
  const t0 = Date.UTC(2024, 0, 1);
  const rows = closes.map((c, i) => {
    const o = i === 0 ? c : closes[i - 1]!;
    return [t0 + i * 60_000, o, Math.max(o, c), Math.min(o, c), c, 1].join(',');
  });
  writeFileSync(join(out, `${name}.csv`), [HEADER, ...rows].join('\n') + '\n');
}

copyMs('btc-usdt-5m-2023-01.csv');
// Every bar file of the reference data, whole: tiny prices and real gaps included.
copyMs('alt-btc-1m-2017-11.csv');
copyMs('xrp-usdt-perp-1h-2021-11.csv');
convertYahoo('nvda-1d-1999-2014.csv');
convertYahoo('orcl-1d-1995-2014.csv');
convertYahoo('yhoo-1d-1996-2015.csv');
convertDateTime('index-5m-2006.csv');
convertHeaderMissingTime('index-future-1m-2006-01-02.csv');

const range = (k: number, f: (i: number) => number): number[] => Array.from({ length: k }, (_, i) => f(i));
synthetic('edge-flat-100', range(60, () => 100));
synthetic('edge-flat-tenth', range(60, () => 0.1));
synthetic('edge-rising', range(60, (i) => 100 + i * 0.25));
synthetic('edge-falling', range(60, (i) => 100 - i * 0.25));
synthetic('edge-step', [...range(40, () => 50), ...range(20, (i) => 50 + (i + 1) * 0.5), ...range(20, () => 60)]);
