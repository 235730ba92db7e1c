import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBacktest } from '../../backtest/engine';
import { summaryLines, writeBacktestReport } from '../../backtest/report';
import { RUN_OPTIONS, readRunArgs } from '../run-args';
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
    const { values } = parseArgs({ args, options: RUN_OPTIONS, strict: true });
    const { strategy, params, dataFile, series, dataSha256, dataNotes, fee, slippage, capital, periodsPerYear: ppy } = await readRunArgs(values, io);

    const result = await runBacktest({ series, strategy, params, capital, fee, slippage, periodsPerYear: ppy, log: (line) => io.err(line) });
    const paramText = Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`${strategy.id} (${paramText}) on ${series.symbol} ${series.timeframe}, ${series.length} bars; fee ${fee}, slippage ${slippage}, capital ${capital}`);
    io.out('');
    for (const line of summaryLines(result.metrics)) io.out(line);
    const notes = [...dataNotes, ...result.notes];
    if (notes.length > 0) {
      io.out('');
      for (const n of notes) io.out(`  note: ${n}`);
    }
    if (values.out) {
      const dir = resolve(io.cwd, values.out);
      writeBacktestReport(dir, result, { data: dataFile, dataSha256, fee, slippage, capital, periodsPerYear: result.metrics.periods_per_year ?? null });
      io.out('');
      io.out(`wrote metrics.json, trades.csv, equity.csv and run.json to ${dir}`);
    }
    return 0;
  },
};
