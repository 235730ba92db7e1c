// Test helpers: read a fixture in Keel's ms layout, and compare numbers to a relative tolerance.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeframeFromMs } from '../../src/core/timeframe';
import { seriesFromBars, type Bar, type BarSeries } from '../../src/model/bar';

const here = dirname(fileURLToPath(import.meta.url));
/** Reference files converted to the ms layout (Yahoo daily, Date,Time): ours. */
export const FIXTURES = join(here, '../fixtures/backtest');
/** Reference files already in the ms layout: the data tests' copies, reused as they are. */
export const DATA_FIXTURES = join(here, '../fixtures/data');
export const MS_LAYOUT_DATA_FILES = ['btc-usdt-5m-2023-01.csv', 'alt-btc-1m-2017-11.csv', 'xrp-usdt-perp-1h-2021-11.csv'];

/** Every reference bar file, in the ms layout. */
export function referenceBarFiles(): string[] {
  return [
    ...MS_LAYOUT_DATA_FILES.map((f) => join(DATA_FIXTURES, f)),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => join(FIXTURES, f)),
  ];
}

/** Reads timestamp,open,high,low,close,volume. Timeframe from the most common spacing. */
export function readBarsCsv(file: string, symbol = 'TEST/USD'): BarSeries {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const bars: Bar[] = lines.map((l) => {
    const [ts, open, high, low, close, volume] = l.split(',').map(Number) as [number, number, number, number, number, number];
    return { ts, open, high, low, close, volume };
  });
  return barsToSeries(bars, symbol);
}

export function barsToSeries(bars: readonly Bar[], symbol = 'TEST/USD', timeframe?: string): BarSeries {
  const tf = timeframe ?? (bars.length > 1 ? timeframeFromMs(mostCommonSpacing(bars)) : '1m');
  return seriesFromBars(symbol, tf, bars);
}

function mostCommonSpacing(bars: readonly Bar[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < bars.length; i++) {
    const d = bars[i]!.ts - bars[i - 1]!.ts;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

/** Bars from closes alone: open = previous close (the first opens at its close), wicks at the body. */
export function barsFromCloses(closes: readonly number[], opts: { start?: number; step?: number } = {}): Bar[] {
  const start = opts.start ?? Date.UTC(2024, 0, 1);
  const step = opts.step ?? 60_000;
  return closes.map((c, i) => {
    const open = i === 0 ? c : closes[i - 1]!;
    return { ts: start + i * step, open, high: Math.max(open, c), low: Math.min(open, c), close: c, volume: 1 };
  });
}

/** |a − b| ≤ tol · max(|a|, |b|, floor): relative, with a floor for values near zero. */
export function near(a: number, b: number, tol = 1e-9, floor = 1e-300): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), floor);
}
