import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput, KeelError } from '../../core/errors';
import type { BarSeries } from '../../model/bar';
import { loadBarFile } from '../../data/load-bar-file';
import { atr, bollinger, donchian, ema, macd, rsi, sma } from '../../features/batch';
import type { CliCommand } from '../types';

export const INDICATOR_CSV_HEADER =
  'timestamp,sma_20,ema_20,rsi_14,atr_14,macd,macd_signal,bb_lower,bb_middle,bb_upper,donchian_high,donchian_low';

/** The standard indicator table, one line per bar, empty cells where a value is undefined. */
export function indicatorCsv(bars: BarSeries): string {
  const { close, high, low } = bars;
  const m = macd(close, 12, 26, 9);
  const bb = bollinger(close, 20, 2);
  const dc = donchian(high, low, 20);
  const columns = [bars.ts, sma(close, 20), ema(close, 20), rsi(close, 14), atr(high, low, close, 14), m.macd, m.signal, bb.lower, bb.middle, bb.upper, dc.upper, dc.lower];
  const out: string[] = [INDICATOR_CSV_HEADER];
  const cells: string[] = new Array<string>(columns.length);
  for (let i = 0; i < bars.length; i++) {
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]![i]!;
      cells[c] = v === v ? String(v) : '';
    }
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

/** Every bar counts in a rolling window: a file with rejected rows is refused, not silently thinned. */
async function loadEveryBar(path: string): Promise<BarSeries> {
  const { series, report } = await loadBarFile(path);
  if (report.rejected.count > 0) {
    const shown = report.rejected.rows.slice(0, 3).map((r) => `${report.position} ${r.line}: ${r.message}`);
    throw badInput(
      `${report.rejected.count} row(s) could not be used as bars, which would shift every window across them (${shown.join('; ')}). ` +
        '`keel import` shows the full report; fix the file and run again.',
      path,
    );
  }
  return series;
}

export const command: CliCommand = {
  name: 'indicators',
  summary: 'compute the standard indicator set for a bar file',
  usage: [
    'keel indicators --data BARS.csv --out OUT.csv',
    '',
    '  --data  a bar file in any layout `keel import` reads (e.g. timestamp,open,high,low,close,volume in ms)',
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
    const bars = await loadEveryBar(resolve(io.cwd, values.data));
    const outPath = resolve(io.cwd, values.out);
    const tmp = `${outPath}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, indicatorCsv(bars));
      await rename(tmp, outPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new KeelError('UNAVAILABLE', `cannot write the indicator table: ${(e as Error).message}`, { where: outPath, cause: e });
    }
    io.out(`wrote ${bars.length} rows to ${outPath}`);
    return 0;
  },
};
