import { describe, expect, it } from 'vitest';
import { parseEquityCsv } from '../../src/risk/analytics/io';
import { isKeelError } from '../../src/core/errors';

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

describe('parseEquityCsv', () => {
  it('reads timestamp,equity, by column name, with CRLF, a BOM and extra columns', () => {
    const c = parseEquityCsv('\uFEFFnote,equity,timestamp\r\nx,100,1700000000000\r\ny,101,1700000060000\r\n');
    expect([...c.equity]).toEqual([100, 101]);
    expect(c.timeframe).toBe('1m');
  });

  it('reads timestamp,equity', () => {
    const c = parseEquityCsv('timestamp,equity\n1700000000000,10000\n1700003600000,10100.5\n1700007200000,9990\n');
    expect([...c.equity]).toEqual([10000, 10100.5, 9990]);
    expect(c.timeframe).toBe('1h');
  });

  const head = 'timestamp,equity\n';
  it.each([
    ['', /empty/],
    [head, /no rows/],
    [head + '1700000000000,1,2\n', /eq\.csv:2: 3 fields, header has 2/],
    [head + '1700000000,100\n', /looks like seconds/],
    [head + '1700000000000.5,100\n', /whole number of milliseconds/],
    [head + '1700000000000,0x10\n', /equity "0x10" is not a number/],
    [head + '1700000000000,\n', /equity "" is not a number/],
    [head + '1700000000000,100\n1700000000000,100\n', /eq\.csv:3: .*strictly increasing/],
  ])('refuses bad input %#, naming the line', (text, pattern) => {
    fails(() => parseEquityCsv(text, 'eq.csv'), pattern);
  });

  it('refuses equity at or below zero and unordered rows', () => {
    fails(() => parseEquityCsv('timestamp,equity\n1700000000000,100\n1700000060000,0\n', 'eq.csv'), /eq\.csv:3: equity 0 is not > 0/);
    fails(() => parseEquityCsv('timestamp,equity\n1700000060000,100\n1700000000000,100\n', 'eq.csv'), /eq\.csv:3/);
    fails(() => parseEquityCsv('time,equity\n1,1\n', 'eq.csv'), /no "timestamp" column/);
  });
});
