import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { runBacktest } from '../../backtest/engine';
import { summaryLines, writeBacktestReport } from '../../backtest/report';
import { loadBarFile } from '../../data/load-bar-file';
import { loadStrategy } from '../../strategy/loader';
import { parseParamArgs } from '../../strategy/params';
import { number } from '../args';
import type { CliCommand } from '../types';

const USAGE = `keel backtest --data FILE --strategy NAME [options]

Replays a bar file through a strategy on the simulated venue and prints the key metrics.

  --data FILE              bars: CSV (timestamp,open,high,low,close,volume in ms, or any layout
                           \`keel import\` reads) or Parquet
  --strategy NAME|FILE     a shipped strategy (see \`keel strategies\`) or a .ts file
  --param k=v              a strategy parameter; repeat for more
  --fee F                  fee per fill as a fraction of notional (default 0)
  --slippage S             fraction of price lost on market and stop fills (default 0)
  --capital C              starting cash (default 10000)
  --periods-per-year P     for Sharpe/Sortino (default: 365 days / median bar spacing)
  --symbol S               symbol name (default: from the file name)
  --timeframe TF           bar length, e.g. 5m (default: the median spacing)
  --out DIR                write metrics.json, trades.csv, equity.csv and run.json there

Market orders fill at the next bar's open; docs/backtesting.md has every rule and formula.`;

export const command: CliCommand = {
  name: 'backtest',
  summary: 'Run a strategy over a bar file and report its metrics',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
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
      },
      strict: true,
    });
    if (!values.data) throw badInput('is required (a bar file)', '--data');
    if (!values.strategy) throw badInput('is required (`keel strategies` lists them)', '--strategy');
    const fee = number('fee', values.fee, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
    const slippage = number('slippage', values.slippage, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
    const capital = number('capital', values.capital, 10_000, (x) => x > 0, 'a positive number');
    const ppy = values['periods-per-year'] === undefined ? undefined : number('periods-per-year', values['periods-per-year'], 0, (x) => x > 0, 'a positive number');

    const strategy = await loadStrategy(values.strategy, io.cwd);
    const params = parseParamArgs(strategy, values.param ?? []);
    const dataFile = resolve(io.cwd, values.data);
    const { series, report } = await loadBarFile(dataFile, { symbol: values.symbol, timeframe: values.timeframe });
    if (report.rejected.count > 0) {
      const shown = report.rejected.rows.slice(0, 3).map((r) => `${report.position} ${r.line}: ${r.message}`);
      throw badInput(
        `${report.rejected.count} row(s) could not be used as bars, and a backtest over the holes they leave would not be honest (${shown.join('; ')}). ` +
          '`keel import` shows the full report; fix the file and run again.',
        dataFile,
      );
    }

    const result = await runBacktest({ series, strategy, params, capital, fee, slippage, periodsPerYear: ppy, log: (line) => io.err(line) });
    const paramText = Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`${strategy.id} (${paramText}) on ${series.symbol} ${series.timeframe}, ${series.length} bars; fee ${fee}, slippage ${slippage}, capital ${capital}`);
    io.out('');
    for (const line of summaryLines(result.metrics)) io.out(line);
    const notes = [...report.notes, ...result.notes];
    if (notes.length > 0) {
      io.out('');
      for (const n of notes) io.out(`  note: ${n}`);
    }
    if (values.out) {
      const dir = resolve(io.cwd, values.out);
      writeBacktestReport(dir, result, { data: dataFile, dataSha256: report.sha256, fee, slippage, capital, periodsPerYear: result.metrics.periods_per_year ?? null });
      io.out('');
      io.out(`wrote metrics.json, trades.csv, equity.csv and run.json to ${dir}`);
    }
    return 0;
  },
};
