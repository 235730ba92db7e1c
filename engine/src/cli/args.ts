/**
 * What the commands that run strategies over a bar file share: number flags checked with a
 * message naming the flag, the costs every run takes, and loading the bars (refusing a file
 * with rows that cannot be bars, since a run over the holes would not be honest).
 */
import { resolve } from 'node:path';
import { badInput } from '../core/errors';
import { loadBarFile } from '../data/load-bar-file';
import type { ImportReport } from '../data/import-report';
import type { BarSeries } from '../model/bar';
import type { CliIO } from './types';

/** A numeric flag: its value parsed and checked, `fallback` when absent; a bad one names the flag and what it must be. */
export function numberFlag(name: string, text: string | undefined, fallback: number, ok: (x: number) => boolean, want: string): number {
  if (text === undefined) return fallback;
  const x = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(x) || !ok(x)) throw badInput(`must be ${want}, got "${text}"`, `--${name}`);
  return x;
}

export function intFlag(name: string, text: string | undefined, fallback: number, min: number): number {
  return numberFlag(name, text, fallback, (x) => Number.isInteger(x) && x >= min, `a whole number >= ${min}`);
}

/** The options every run over a bar file takes, for parseArgs. */
export const RUN_OPTIONS = {
  data: { type: 'string' },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  fee: { type: 'string' },
  slippage: { type: 'string' },
  capital: { type: 'string' },
  'periods-per-year': { type: 'string' },
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  out: { type: 'string' },
} as const;

export interface Costs {
  fee: number;
  slippage: number;
  capital: number;
  periodsPerYear: number | undefined;
}

export function parseCosts(values: { fee?: string; slippage?: string; capital?: string; 'periods-per-year'?: string }): Costs {
  return {
    fee: numberFlag('fee', values.fee, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'),
    slippage: numberFlag('slippage', values.slippage, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'),
    capital: numberFlag('capital', values.capital, 10_000, (x) => x > 0, 'a positive number'),
    periodsPerYear: values['periods-per-year'] === undefined ? undefined : numberFlag('periods-per-year', values['periods-per-year'], 0, (x) => x > 0, 'a positive number'),
  };
}

/** Reads --data (any layout `keel import` reads); refuses a file with rows that are not bars. */
export async function loadRunData(io: CliIO, values: { data?: string; symbol?: string; timeframe?: string }): Promise<{ file: string; series: BarSeries; report: ImportReport }> {
  if (!values.data) throw badInput('is required (a bar file)', '--data');
  const file = resolve(io.cwd, values.data);
  const { series, report } = await loadBarFile(file, { symbol: values.symbol, timeframe: values.timeframe });
  if (report.rejected.count > 0) {
    const shown = report.rejected.rows.slice(0, 3).map((r) => `${report.position} ${r.line}: ${r.message}`);
    throw badInput(
      `${report.rejected.count} row(s) could not be used as bars, and a backtest over the holes they leave would not be honest (${shown.join('; ')}). ` +
        '`keel import` shows the full report; fix the file and run again.',
      file,
    );
  }
  return { file, series, report };
}
