import { parseArgs } from 'node:util';
import { redactUrl } from '../../research/redact';
import { planRun } from '../../research/run-record';
import { optimizeRun } from '../../research/runs';
import type { CliCommand } from '../types';
import { progressPrinter, resolvedOut, runInterruptible, SWEEP_OPTIONS, SWEEP_USAGE, sweepExecutor, sweepSetup } from '../sweep-args';

const USAGE = `keel optimize --data FILE --strategy NAME [options] --out DIR

Searches a strategy's parameters: every trial is a plain backtest (the numbers \`keel backtest\`
gives for the same parameters), run on every core, or on \`keel worker\` processes through Redis.
Indicators the trials share are computed once per sweep. Ctrl-C cancels.

${SWEEP_USAGE}

Writes DIR/trials.csv (one row per trial: the parameters, then metrics.json's metrics),
DIR/best/ (the best trial's metrics.json, trades.csv, equity.csv) and DIR/summary.json (best,
objective, trials, deflated_sharpe, pbo and more). docs/research.md has the formulas.`;

const fmt = (x: number | undefined | null) => (typeof x === 'number' ? x.toFixed(4) : 'n/a');

export const command: CliCommand = {
  name: 'optimize',
  summary: 'Search a strategy\'s parameters on every core (or through Redis); DSR and PBO',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: SWEEP_OPTIONS, strict: true });
    const setup = await sweepSetup(io, values);
    const { spec } = setup;
    const out = resolvedOut(io, values.out!);
    const t0 = Date.now();
    const exec = await sweepExecutor(setup, io);
    const paramText = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
    io.err(`${spec.strategy.id} on ${spec.data.series.symbol} ${spec.data.series.timeframe}, ${spec.data.series.length} bars: ${spec.method} search, objective ${spec.objective}, ${setup.queue ? `queue ${redactUrl(setup.queue)}` : `${setup.workers} threads`}`);
    const run = await runInterruptible(exec, io, (signal) =>
      optimizeRun(setup, exec, {
        signal,
        onProgress: progressPrinter(io, 'trials', (p) => `${spec.objective} ${fmt(p.best!.score)} (${paramText(p.best!.params)})`),
        env: io.env,
        id: planRun('optimize', io.env).id,
        out,
      }),
    );
    if (run === undefined) return 130;
    const { result, analysis, warmup, lookahead, files } = run;
    const elapsed = Date.now() - t0;

    const bars = result.trials.length * spec.data.series.length;
    io.out(`${result.trials.length} trials in ${(elapsed / 1000).toFixed(1)} s (${Math.round(bars / (elapsed / 1000)).toLocaleString('en-US')} bar-evaluations/s)`);
    if (result.skipped.count > 0) io.out(`  ${result.skipped.count} parameter sets skipped: ${result.skipped.first}`);
    const failed = result.trials.filter((t) => t.error);
    if (failed.length > 0) io.out(`  ${failed.length} trials failed, first: ${failed[0]!.error}`);
    if (result.best) {
      io.out(`best ${spec.objective} ${fmt(result.best.score)}: ${paramText(result.best.params)} (trial ${result.best.index}, ${result.best.metrics?.trades} trades)`);
    } else {
      io.out(`no trial qualified (objective defined and at least ${spec.minTrades} trades)`);
    }
    io.out(`deflated Sharpe ratio ${fmt(analysis.deflatedSharpe)} · probability of backtest overfitting ${fmt(analysis.pbo?.pbo)}`);
    if (warmup) io.out(`warm-up check: ${warmup.ok ? 'ok' : 'FLAGGED'}: ${warmup.summary}`);
    if (lookahead) io.out(`look-ahead check: ${lookahead.ok ? 'ok' : 'FLAGGED'}: ${lookahead.summary}`);
    io.out(`wrote ${files.join(', ')} to ${out}`);
    return 0;
  },
};
