import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { parsesOnWorker } from '../../data/bar-file';
import { prestartCsvParseWorker } from '../../data/bar-csv-threaded';
import type { PaperRunResult } from '../../desk/paper-run';
import { prestartWriteBehindThread } from '../../state/write-behind';
import { numberFlag, RUN_OPTIONS } from '../args';
import type { CliCommand } from '../types';

const USAGE = `keel paper --strategy NAME|FILE --data FILE.csv [options] --out DIR

Replays a bar file as a live feed through the trading desk (strategy host, risk, order
manager, paper venue, ledgers, the durable journal), as fast as it can go, and writes the
same metrics.json, trades.csv and equity.csv as \`keel backtest\`. With zero latency and the
same fee and slippage, the results equal \`keel backtest\` on the same file exactly.

  --strategy NAME|FILE     a shipped strategy (see \`keel strategies\`) or a .ts file
  --data FILE              bars: CSV or Parquet, as \`keel backtest\` reads them
  --param k=v              a strategy parameter; repeat for more
  --fee F                  fee per fill as a fraction of notional (default 0)
  --slippage S             fraction of price lost on market and stop fills (default 0)
  --capital C              the strategy's allocation (default 10000)
  --periods-per-year P     for Sharpe/Sortino (default: 365 days / median bar spacing)
  --latency-ms L           each way between the engine and the paper venue (default 0)
  --seed N                 seeds the paper venue (default 1)
  --symbol S, --timeframe TF   as for \`keel backtest\`
  --out DIR                metrics.json, trades.csv, equity.csv, run.json, and journal.sqlite
                           (the run's orders, fills and ledger, for \`keel gap DIR\`)`;

export const command: CliCommand = {
  name: 'paper',
  summary: 'Replay a bar file through the trading desk on paper (equals keel backtest at zero latency)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...RUN_OPTIONS, 'latency-ms': { type: 'string' }, seed: { type: 'string' } }, strict: true });
    if (!values.out) throw badInput('is required (a folder for the results and the journal)', '--out');
    // Threads start before the desk's modules load, and load theirs meanwhile: the parse
    // thread's start hides behind these imports, the journal's behind the parse.
    if (values.data && parsesOnWorker(resolve(io.cwd, values.data))) prestartCsvParseWorker();
    prestartWriteBehindThread();
    const [{ runPaper }, { summaryLines, writeBacktestReport }, { readRunArgs }] = await Promise.all([import('../../desk/paper-run'), import('../../backtest/report'), import('../run-args')]);
    const run = await readRunArgs(values, io);
    const { strategy, strategyFile, sourceHash, params, dataFile, series, fee, slippage, capital } = run;
    const latencyMs = numberFlag('latency-ms', values['latency-ms'], 0, (x) => x >= 0 && x <= 3_600_000, 'milliseconds from 0 to 3,600,000');
    const seed = numberFlag('seed', values.seed, 1, (x) => Number.isInteger(x), 'a whole number');
    const dir = resolve(io.cwd, values.out);
    mkdirSync(dir, { recursive: true });
    const journal = join(dir, 'journal.sqlite');
    // A run's journal is its own: a second run into the same folder starts a fresh one.
    for (const f of [journal, `${journal}-wal`, `${journal}-shm`]) if (existsSync(f)) rmSync(f);

    const t0 = performance.now();
    let written: string[] = [];
    const writeReport = (result: PaperRunResult) =>
      (written = writeBacktestReport(dir, result, {
        mode: 'paper',
        data: dataFile,
        dataSha256: run.dataSha256,
        fee,
        slippage,
        capital,
        periodsPerYear: result.metrics.periods_per_year ?? null,
        latencyMs,
        seed,
        instance: result.instanceId,
        strategySource: strategyFile ?? null,
        sourceHash,
        journal: 'journal.sqlite',
      }));
    const result = await runPaper({
      series,
      strategy,
      sourceHash,
      ...(strategyFile !== undefined && { sourcePath: strategyFile }),
      params,
      capital,
      fee,
      slippage,
      latencyMs,
      seed,
      periodsPerYear: run.periodsPerYear,
      journalFile: journal,
      log: (line) => io.err(line),
      // The files are written while the journal's last chunks commit; a journal that then fails takes them away.
      onResult: writeReport,
    }).catch((e: unknown) => {
      for (const f of written) rmSync(f, { force: true });
      throw e;
    });
    const secs = (performance.now() - t0) / 1000;
    const paramText = Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`${strategy.id} (${paramText}) on ${series.symbol} ${series.timeframe}, ${series.length} bars through the paper desk; fee ${fee}, slippage ${slippage}, latency ${latencyMs} ms, capital ${capital}`);
    io.out('');
    for (const line of summaryLines(result.metrics)) io.out(line);
    const notes = [...run.dataNotes, ...result.notes];
    if (notes.length > 0) {
      io.out('');
      for (const n of notes) io.out(`  note: ${n}`);
    }
    io.out('');
    io.out(`wrote metrics.json, trades.csv, equity.csv, run.json and journal.sqlite to ${dir} (${(series.length / secs).toFixed(0)} bars/s)`);
    return 0;
  },
};
