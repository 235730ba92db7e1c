import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EQUITY_CSV_HEADER, writeBacktestReport } from '../../src/backtest/report';
import type { BacktestResult } from '../../src/backtest/engine';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('writeBacktestReport', () => {
  it('writes equity.csv as `${ts},${equity}` per bar, for every kind of number, across buffer refills', () => {
    const odd = [0, -0, 1e21, 5e-7, -12.5, 1 / 3, 10_000, 10_000, 10_000, NaN, 123456789.123456789, Number.MAX_VALUE];
    const oddTs = [1577836800000, 0, 1.5, -60_000, 2 ** 53 + 2, 9_007_199_254_740_991];
    const n = 70_000; // more lines than one write buffer holds
    const ts = new Float64Array(n);
    const equity = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = i < oddTs.length ? oddTs[i]! : 1577836800000 + i * 60_000;
      equity[i] = i < odd.length ? odd[i]! : 10_000 + Math.sin(i) * (i % 3 === 0 ? 0 : 1);
    }
    const dir = mkdtempSync(join(tmpdir(), 'keel-report-'));
    dirs.push(dir);
    const result = { strategy: 's', params: {}, symbol: 'X/Y', timeframe: '1m', ts, equity, trades: [], metrics: {}, notes: [] } as unknown as BacktestResult;
    writeBacktestReport(dir, result);
    const expected = [EQUITY_CSV_HEADER, ...Array.from(ts, (t, i) => `${t},${equity[i]}`)].join('\n') + '\n';
    expect(readFileSync(join(dir, 'equity.csv'), 'utf8')).toBe(expected);
  });
});
