/** The TTR oracle: committed reference tables, and a live Rscript run where R is installed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { atr, bollinger, donchian, ema, logReturns, macd, rollingVolatility, rsi, sma, zscore } from '../../src/features/batch';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'engine', 'test', 'fixtures', 'indicators');
export const ORACLE_SCRIPT = join(ROOT, 'scripts', 'oracle', 'ttr-oracle.R');

export const barFiles = (): string[] => readdirSync(join(FIXTURES, 'bars')).filter((f) => f.endsWith('.csv')).sort();

export interface MsBars {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

const BAR_HEADER = 'timestamp,open,high,low,close,volume';

/** A fixture in the ms layout, read strictly: the fixtures are ours, any surprise is a broken fixture. */
export function readBars(file: string): MsBars {
  const lines = readFileSync(join(FIXTURES, 'bars', file), 'utf8').trimEnd().split('\n');
  if (lines[0] !== BAR_HEADER) throw new Error(`${file}: header ${lines[0]}`);
  const cols = BAR_HEADER.split(',').map(() => new Float64Array(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(',');
    if (cells.length !== 6) throw new Error(`${file}:${r + 1}: ${cells.length} cells`);
    cells.forEach((c, i) => {
      const v = Number(c);
      if (c === '' || !Number.isFinite(v)) throw new Error(`${file}:${r + 1}: "${c}" is not a number`);
      cols[i]![r - 1] = v;
    });
    if (r > 1 && cols[0]![r - 1]! <= cols[0]![r - 2]!) throw new Error(`${file}:${r + 1}: timestamps out of order`);
  }
  const [ts, open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { ts, open, high, low, close, volume };
}

export type Table = Map<string, Float64Array>;

/** A table whose empty cells are NaN; gzip-compressed when the name ends in .gz. */
export function readTable(path: string): Table {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const names = lines[0]!.split(',');
  const cols = names.map(() => new Float64Array(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(',');
    if (cells.length !== names.length) throw new Error(`${path}:${r + 1}: ${cells.length} cells, header has ${names.length}`);
    cells.forEach((c, i) => (cols[i]![r - 1] = c === '' ? NaN : Number(c)));
  }
  return new Map(names.map((n, i) => [n, cols[i]!]));
}

let rAvailable: boolean | undefined;
/** True when Rscript runs and has TTR. */
export function hasR(): boolean {
  rAvailable ??= spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages(library(TTR))'], { stdio: 'ignore' }).status === 0;
  return rAvailable;
}

/** Runs the oracle script over bar files in one R session; returns file -> output path. */
export function runLiveOracle(files: string[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ttr-'));
  const outputs = new Map(files.map((f) => [f, join(dir, f)]));
  const args = files.flatMap((f) => [join(FIXTURES, 'bars', f), outputs.get(f)!]);
  const r = spawnSync('Rscript', [ORACLE_SCRIPT, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Rscript failed (${r.status}): ${r.stderr}`);
  return outputs;
}

/** Keel's values for every oracle column, computed from the bars. */
export function keelTable(bars: MsBars): Table {
  const { close, high, low } = bars;
  const m = macd(close, 12, 26, 9);
  const bb = bollinger(close, 20, 2);
  const dc = donchian(high, low, 20);
  return new Map([
    ['timestamp', bars.ts],
    ['sma_20', sma(close, 20)],
    ['ema_20', ema(close, 20)],
    ['rsi_14', rsi(close, 14)],
    ['atr_14', atr(high, low, close, 14)],
    ['macd', m.macd],
    ['macd_signal', m.signal],
    ['bb_lower', bb.lower],
    ['bb_middle', bb.middle],
    ['bb_upper', bb.upper],
    ['donchian_high', dc.upper],
    ['donchian_low', dc.lower],
    ['donchian_mid', dc.middle],
    ['zscore_20', zscore(close, 20)],
    ['volatility_20', rollingVolatility(close, 20)],
    ['log_return', logReturns(close)],
  ]);
}

/**
 * The floor under the relative error's denominator, for columns that pass through zero:
 * a difference of prices (MACD) is only as exact as the prices it came from, and a z-score
 * only to a fraction of one sd. Everything else is compared purely relatively.
 */
export function scaleFloor(column: string, close: number): number {
  if (column === 'macd' || column === 'macd_signal') return Math.abs(close);
  if (column === 'zscore_20') return 1;
  return 0;
}

export interface ColumnDiff {
  column: string;
  nanMismatches: number;
  firstNanMismatch: number;
  maxRelError: number;
  worstRow: number;
  bitwiseEqual: number;
  finite: number;
}

export function diffColumn(column: string, ours: Float64Array, theirs: Float64Array, close: Float64Array): ColumnDiff {
  const d: ColumnDiff = { column, nanMismatches: 0, firstNanMismatch: -1, maxRelError: 0, worstRow: -1, bitwiseEqual: 0, finite: 0 };
  if (ours.length !== theirs.length) throw new Error(`${column}: ${ours.length} rows vs ${theirs.length}`);
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = theirs[i]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) {
      if (d.nanMismatches++ === 0) d.firstNanMismatch = i;
      continue;
    }
    if (Number.isNaN(a)) continue;
    d.finite++;
    if (Object.is(a, b) || a === b) {
      d.bitwiseEqual++;
      continue;
    }
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), scaleFloor(column, close[i]!));
    if (rel > d.maxRelError) {
      d.maxRelError = rel;
      d.worstRow = i;
    }
  }
  return d;
}
