import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { summaryLines, writeBacktestReport } from '../../backtest/report';
import { loadBarFile } from '../../data/load-bar-file';
import { runPaper } from '../../desk/paper-run';
import { loadStrategy } from '../../strategy/loader';
import { parseParamArgs } from '../../strategy/params';
import { number } from '../args';
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
        'latency-ms': { type: 'string' },
        seed: { type: 'string' },
        symbol: { type: 'string' },
        timeframe: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
    });
    if (!values.data) throw badInput('is required (a bar file)', '--data');
    if (!values.strategy) throw badInput('is required (`keel strategies` lists them)', '--strategy');
    if (!values.out) throw badInput('is required (a folder for the results and the journal)', '--out');
    const fee = number('fee', values.fee, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
    const slippage = number('slippage', values.slippage, 0, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
    const capital = number('capital', values.capital, 10_000, (x) => x > 0, 'a positive number');
    const latencyMs = number('latency-ms', values['latency-ms'], 0, (x) => x >= 0 && x <= 3_600_000, 'milliseconds from 0 to 3,600,000');
    const seed = number('seed', values.seed, 1, (x) => Number.isInteger(x), 'a whole number');
    const ppy = values['periods-per-year'] === undefined ? undefined : number('periods-per-year', values['periods-per-year'], 0, (x) => x > 0, 'a positive number');

    const strategy = await loadStrategy(values.strategy, io.cwd);
    const params = parseParamArgs(strategy, values.param ?? []);
    const dataFile = resolve(io.cwd, values.data);
    const { series, report } = await loadBarFile(dataFile, { symbol: values.symbol, timeframe: values.timeframe });
    if (report.rejected.count > 0) {
      const shown = report.rejected.rows.slice(0, 3).map((r) => `${report.position} ${r.line}: ${r.message}`);
      throw badInput(`${report.rejected.count} row(s) could not be used as bars (${shown.join('; ')}); \`keel import\` shows the full report`, dataFile);
    }
    const dir = resolve(io.cwd, values.out);
    mkdirSync(dir, { recursive: true });
    const journal = join(dir, 'journal.sqlite');
    // A run's journal is its own: a second run into the same folder starts a fresh one.
    for (const f of [journal, `${journal}-wal`, `${journal}-shm`]) if (existsSync(f)) rmSync(f);
    const strategyFile = /[\\/]|\.[cm]?[tj]s$/.test(values.strategy) ? resolve(io.cwd, values.strategy) : undefined;
    const sourceHash = strategyFile ? createHash('sha256').update(readFileSync(strategyFile)).digest('hex') : `shipped:${strategy.id}`;

    const t0 = performance.now();
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
      periodsPerYear: ppy,
      journalFile: journal,
      log: (line) => io.err(line),
    });
    const secs = (performance.now() - t0) / 1000;
    const paramText = Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`${strategy.id} (${paramText}) on ${series.symbol} ${series.timeframe}, ${series.length} bars through the paper desk; fee ${fee}, slippage ${slippage}, latency ${latencyMs} ms, capital ${capital}`);
    io.out('');
    for (const line of summaryLines(result.metrics)) io.out(line);
    const notes = [...report.notes, ...result.notes];
    if (notes.length > 0) {
      io.out('');
      for (const n of notes) io.out(`  note: ${n}`);
    }
    writeBacktestReport(dir, result, {
      mode: 'paper',
      data: dataFile,
      dataSha256: report.sha256,
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
    });
    io.out('');
    io.out(`wrote metrics.json, trades.csv, equity.csv, run.json and journal.sqlite to ${dir} (${(series.length / secs).toFixed(0)} bars/s)`);
    return 0;
  },
};
