import { resolve } from 'node:path';
import { badInput } from '../core/errors';
import type { BarSeries } from '../model/bar';
import { isStrategyFile, loadStrategy, strategySourceHash } from '../strategy/loader';
import { parseParamArgs, type RawParams } from '../strategy/params';
import type { StrategyModule } from '../../sdk';
import { loadRunData, parseCosts } from './args';
import type { CliIO } from './types';

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
  const { fee, slippage, capital, periodsPerYear: ppy } = parseCosts(values);
  const strategy = await loadStrategy(values.strategy, io.cwd);
  const strategyFile = isStrategyFile(values.strategy) ? resolve(io.cwd, values.strategy) : undefined;
  const params = parseParamArgs(strategy, values.param ?? []);
  const { file: dataFile, series, report } = await loadRunData(io, values);
  return {
    strategy,
    strategyFile,
    sourceHash: strategySourceHash(strategy, strategyFile),
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
