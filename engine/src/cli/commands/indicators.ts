import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput, KeelError } from '../../core/errors';
import { atr, bollinger, donchian, ema, macd, rsi, sma } from '../../features/batch';
import type { CliCommand } from '../types';

export const INDICATOR_CSV_HEADER =
  'timestamp,sma_20,ema_20,rsi_14,atr_14,macd,macd_signal,bb_lower,bb_middle,bb_upper,donchian_high,donchian_low';

const BAR_HEADER = 'timestamp,open,high,low,close,volume';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface MsBars {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * A strict reader for Keel's ms layout only (timestamp,open,high,low,close,volume; ms
 * since the epoch; strictly increasing). Stands in until engine/src/data/load-bar-file.ts
 * lands; every complaint names the file, line and column.
 */
export function parseMsBarCsv(text: string, file: string): MsBars {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== BAR_HEADER) {
    throw badInput(`header must be exactly "${BAR_HEADER}", found "${lines[0] ?? ''}"`, `${file}:1`);
  }
  const len = lines.length - 1;
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(len));
  const names = BAR_HEADER.split(',');
  for (let r = 0; r < len; r++) {
    const where = `${file}:${r + 2}`;
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== 6) throw badInput(`expected 6 comma-separated values, found ${cells.length}`, where);
    for (let c = 0; c < 6; c++) {
      const cell = cells[c]!.trim();
      const v = Number(cell);
      if (!NUMBER.test(cell) || !Number.isFinite(v)) throw badInput(`${names[c]} "${cells[c]}" is not a number`, where);
      cols[c]![r] = v;
    }
    const ts = cols[0]![r]!;
    if (!Number.isInteger(ts)) throw badInput(`timestamp ${ts} is not a whole number of ms`, where);
    if (r > 0 && ts <= cols[0]![r - 1]!) {
      throw badInput(`timestamp ${ts} does not come after the previous row's ${cols[0]![r - 1]} (rows must be in time order, no duplicates)`, where);
    }
  }
  const [ts, open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { ts, open, high, low, close, volume };
}

/** The standard indicator table, one line per bar, empty cells where a value is undefined. */
export function indicatorCsv(bars: MsBars): string {
  const { close, high, low } = bars;
  const m = macd(close, 12, 26, 9);
  const bb = bollinger(close, 20, 2);
  const dc = donchian(high, low, 20);
  const columns = [bars.ts, sma(close, 20), ema(close, 20), rsi(close, 14), atr(high, low, close, 14), m.macd, m.signal, bb.lower, bb.middle, bb.upper, dc.upper, dc.lower];
  const out: string[] = [INDICATOR_CSV_HEADER];
  const cells: string[] = new Array<string>(columns.length);
  for (let i = 0; i < close.length; i++) {
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]![i]!;
      cells[c] = v === v ? String(v) : '';
    }
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

export const command: CliCommand = {
  name: 'indicators',
  summary: 'compute the standard indicator set for a bar CSV',
  usage: [
    'keel indicators --data BARS.csv --out OUT.csv',
    '',
    '  --data  bars in the ms layout: timestamp,open,high,low,close,volume (ms since epoch, UTC)',
    '  --out   where to write the table; replaced atomically, never left half-written',
    '',
    `Columns: ${INDICATOR_CSV_HEADER}`,
    'Empty cells during warm-up; numbers in shortest round-trip form. Formulas: docs/indicators.md.',
  ].join('\n'),
  async run(args, io) {
    let values: { data?: string; out?: string };
    try {
      ({ values } = parseArgs({ args, options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel indicators');
    }
    if (!values.data) throw badInput('--data BARS.csv is required', 'keel indicators');
    if (!values.out) throw badInput('--out OUT.csv is required', 'keel indicators');
    const dataPath = resolve(io.cwd, values.data);
    const outPath = resolve(io.cwd, values.out);
    let text: string;
    try {
      text = await readFile(dataPath, 'utf8');
    } catch (e) {
      throw new KeelError('NOT_FOUND', `cannot read bar file: ${(e as Error).message}`, { where: dataPath, cause: e });
    }
    const bars = parseMsBarCsv(text, basename(dataPath));
    const tmp = `${outPath}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, indicatorCsv(bars));
      await rename(tmp, outPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new KeelError('UNAVAILABLE', `cannot write the indicator table: ${(e as Error).message}`, { where: outPath, cause: e });
    }
    io.out(`wrote ${bars.close.length} rows to ${outPath}`);
    return 0;
  },
};
