import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { badInput } from '../core/errors';
import { loadBarFile } from '../data/load-bar-file';
import type { BarSeries } from '../model/bar';
import { loadStrategy } from '../strategy/loader';
import { parseParamArgs, type RawParams } from '../strategy/params';
import type { StrategyModule } from '../../sdk';
import { number } from './args';
import type { CliIO } from './types';

/** The flags every command that runs a strategy over a bar file takes (`keel backtest`, `keel paper`). */
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

export interface RunValues {
  data?: string;
  strategy?: string;
  param?: string[];
  fee?: string;
  slippage?: string;
  capital?: string;
  'periods-per-year'?: string;
  symbol?: string;
  timeframe?: string;
}

export interface RunArgs {
  strategy: StrategyModule;
  /** A trader's strategy file, resolved; undefined for a shipped strategy. */
  strategyFile: string | undefined;
  /** The file's SHA-256, or `shipped:<id>`: what identifies the strategy's code in a run's record. */
  sourceHash: string;
  params: RawParams;
  dataFile: string;
  series: BarSeries;
  dataSha256: string;
  dataNotes: string[];
  fee: number;
  slippage: number;
  capital: number;
  periodsPerYear: number | undefined;
}

/** The strategy, its parameters, the bars and the costs, each checked and named when wrong. */
export async function readRunArgs(values: RunValues, io: CliIO): Promise<RunArgs> {
  if (!values.data) throw badInput('is required (a bar file)', '--data');
  if (!values.strategy) throw badInput('is required (`keel strategies` lists them)', '--strategy');
  const fee = number('fee', values.fee, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
  const slippage = number('slippage', values.slippage, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
  const capital = number('capital', values.capital, 10_000, (x) => x > 0, 'a positive number');
  const ppy = values['periods-per-year'] === undefined ? undefined : number('periods-per-year', values['periods-per-year'], 0, (x) => x > 0, 'a positive number');

  const strategy = await loadStrategy(values.strategy, io.cwd);
  const strategyFile = /[\\/]|\.[cm]?[tj]s$/.test(values.strategy) ? resolve(io.cwd, values.strategy) : undefined;
  const params = parseParamArgs(strategy, values.param ?? []);
  const dataFile = resolve(io.cwd, values.data);
  const { series, report } = await loadBarFile(dataFile, { symbol: values.symbol, timeframe: values.timeframe });
  if (report.rejected.count > 0) {
    const shown = report.rejected.rows.slice(0, 3).map((r) => `${report.position} ${r.line}: ${r.message}`);
    throw badInput(
      `${report.rejected.count} row(s) could not be used as bars, and a run over the holes they leave would not be honest (${shown.join('; ')}). ` +
        '`keel import` shows the full report; fix the file and run again.',
      dataFile,
    );
  }
  return {
    strategy,
    strategyFile,
    sourceHash: strategyFile ? createHash('sha256').update(readFileSync(strategyFile)).digest('hex') : `shipped:${strategy.id}`,
    params,
    dataFile,
    series,
    dataSha256: report.sha256,
    dataNotes: report.notes,
    fee,
    slippage,
    capital,
    periodsPerYear: ppy,
  };
}
