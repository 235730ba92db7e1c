import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBarCsv, parseEquityCsv } from '../../src/risk/analytics/io';
import { isKeelError } from '../../src/core/errors';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function fails(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isKeelError(e) && e.code).toBe('BAD_FILE');
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  expect.unreachable(`expected an error matching ${pattern}`);
}

describe('parseBarCsv', () => {
  it('reads the real hourly fixture and infers its timeframe', () => {
    const s = parseBarCsv(readFileSync(join(FIXTURES, 'xrp-usdt-perp-1h-2021-11.csv'), 'utf8'), 'XRP');
    expect(s.length).toBe(100);
    expect(s.timeframe).toBe('1h');
    expect(s.ts[0]).toBe(1637110800000);
    expect(s.close[0]).toBe(1.07925);
    expect(s.symbol).toBe('XRP');
  });

  it('reads the daily fixture (weekends missing) as 1d', () => {
    const s = parseBarCsv(readFileSync(join(FIXTURES, 'orcl-1d-2010-2014.csv'), 'utf8'), 'ORCL');
    expect(s.length).toBe(1258);
    expect(s.timeframe).toBe('1d');
  });

  it('finds columns by name, tolerates CRLF, a BOM and extra columns', () => {
    const text = '\uFEFFvolume,timestamp,close,open,low,high,note\r\n5,1700000000000,10,9,8,11,x\r\n6,1700000060000,11,10,9,12,y\r\n';
    const s = parseBarCsv(text, 'X');
    expect([...s.close]).toEqual([10, 11]);
    expect([...s.high]).toEqual([11, 12]);
    expect(s.timeframe).toBe('1m');
  });

  const head = 'timestamp,open,high,low,close,volume\n';
  it.each([
    ['', /empty/],
    ['timestamp,open,high,low,volume\n1700000000000,1,1,1,1\n', /no "close" column/],
    [head, /no rows/],
    [head + '1700000000000,1,2,1,1\n', /f\.csv:2: 5 fields, header has 6/],
    [head + '1700000000000,1,2,1,1,1\n1700000000000,1,2,1,1,1\n', /f\.csv:3: .*strictly increasing/],
    [head + '1700000000,1,2,1,1,1\n', /looks like seconds/],
    [head + '1700000000000.5,1,2,1,1,1\n', /whole number of milliseconds/],
    [head + '1700000000000,0x10,20,1,1,1\n', /open "0x10" is not a number/],
    [head + '1700000000000,1,2,1,,1\n', /close "" is not a number/],
    [head + '1700000000000,1,2,1,0,1\n', /prices must be > 0/],
    [head + '1700000000000,1,2,1.5,1,1\n', /do not bracket/],
    [head + '1700000000000,1,2,1,1,-1\n', /volume -1 is negative/],
  ])('refuses bad input %#, naming the line', (text, pattern) => {
    fails(() => parseBarCsv(text, 'X', 'f.csv'), pattern);
  });
});

describe('parseEquityCsv', () => {
  it('reads timestamp,equity', () => {
    const c = parseEquityCsv('timestamp,equity\n1700000000000,10000\n1700003600000,10100.5\n1700007200000,9990\n');
    expect([...c.equity]).toEqual([10000, 10100.5, 9990]);
    expect(c.timeframe).toBe('1h');
  });

  it('refuses equity at or below zero and unordered rows', () => {
    fails(() => parseEquityCsv('timestamp,equity\n1700000000000,100\n1700000060000,0\n', 'eq.csv'), /eq\.csv:3: equity 0 is not > 0/);
    fails(() => parseEquityCsv('timestamp,equity\n1700000060000,100\n1700000000000,100\n', 'eq.csv'), /eq\.csv:3/);
    fails(() => parseEquityCsv('time,equity\n1,1\n', 'eq.csv'), /no "timestamp" column/);
  });
});
