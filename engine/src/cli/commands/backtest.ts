import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBacktest } from '../../backtest/engine';
import { summaryLines } from '../../backtest/report';
import { planRun } from '../../research/run-record';
import { recordBacktest } from '../../research/runs';
import { RUN_OPTIONS } from '../args';
import { readRunArgs } from '../run-args';
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
                           (without it they go to the run's folder under $KEEL_HOME/runs;
                           every run is recorded there so \`keel rerun\` can repeat it)

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
    // Every run is recorded (research/run-record.ts): its files go to --out, else to its run folder.
    const run = planRun('backtest', io.env);
    const dir = values.out ? resolve(io.cwd, values.out) : run.folder;
    recordBacktest({
      id: run.id,
      dir,
      result,
      data: { file: dataFile, sha256: dataSha256, series },
      strategy: { ref: values.strategy!, module: strategy },
      params: values.param ?? [],
      costs: { fee, slippage, capital, periodsPerYear: ppy },
      symbol: values.symbol,
      timeframe: values.timeframe,
      cwd: io.cwd,
      env: io.env,
    });
    io.out('');
    io.out(values.out ? `wrote metrics.json, trades.csv, equity.csv and run.json to ${dir} (run ${run.id})` : `saved as run ${run.id} (keel rerun ${run.id})`);
    return 0;
  },
};
