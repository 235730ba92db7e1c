import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { summariseMc, MC_METHODS, type McMethod } from '../../research/montecarlo';
import { planRun } from '../../research/run-record';
import { montecarloRun } from '../../research/runs';
import { intFlag, numberFlag } from '../args';
import type { CliCommand } from '../types';

const USAGE = `keel montecarlo --run DIR --runs N --seed S [--method shuffle|bootstrap|both] --out OUT

Resamples a run's trades (DIR: any \`keel backtest --out\`, a sweep's best/, a walk-forward's oos/)
to show the spread of outcomes its trades allow. A trade's return is its pnl over the equity when
it was entered; a path compounds them. shuffle reorders the trades (same final return, other
drawdowns); bootstrap draws them with replacement.

  --run DIR          the run folder (trades.csv and equity.csv)
  --runs N           paths per method (default 10000)
  --seed S           the same seed gives the same paths (default 1)
  --method M         shuffle, bootstrap or both (default both)
  --confidence C     central interval of the final return and max drawdown (default 0.95)
  --drawdown D       report the probability of a max drawdown of at least D (default 0.2)
  --out OUT          writes paths.csv (method,path,final_return,max_drawdown), fan.csv, summary.json`;

export const command: CliCommand = {
  name: 'montecarlo',
  summary: 'Monte Carlo of a run\'s trades (shuffle, bootstrap): intervals, drawdown odds',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { run: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, method: { type: 'string' }, confidence: { type: 'string' }, drawdown: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    if (!values.run) throw badInput('is required (a run folder with trades.csv and equity.csv)', '--run');
    if (!values.out) throw badInput('is required (the folder the files go to)', '--out');
    const runs = intFlag('runs', values.runs, 10_000, 1);
    const seed = intFlag('seed', values.seed, 1, 0);
    const method = values.method ?? 'both';
    if (method !== 'both' && !(MC_METHODS as readonly string[]).includes(method)) throw badInput(`must be shuffle, bootstrap or both, got "${method}"`, '--method');
    const confidence = numberFlag('confidence', values.confidence, 0.95, (x) => x > 0 && x < 1, 'a fraction in (0, 1)');
    const drawdown = numberFlag('drawdown', values.drawdown, 0.2, (x) => x > 0 && x <= 1, 'a fraction in (0, 1]');
    const runDir = resolve(io.cwd, values.run);
    const out = resolve(io.cwd, values.out);
    const { trades, results, files } = montecarloRun(runDir, { runs, seed, method: method as McMethod | 'both', confidence, drawdown }, { env: io.env, id: planRun('montecarlo', io.env).id, out });
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    io.out(`${trades.returns.length} trades; the run itself: return ${pct(trades.final)}, max drawdown ${pct(trades.maxDrawdown)}`);
    for (const r of results) {
      const s = summariseMc(r, confidence, drawdown);
      io.out(
        `${s.method.padEnd(9)} ${runs} paths: final return ${pct(s.final_return.lower)} … ${pct(s.final_return.upper)} (median ${pct(s.final_return.median)}), ` +
          `max drawdown ${pct(s.max_drawdown.lower)} … ${pct(s.max_drawdown.upper)}; P(drawdown ≥ ${pct(drawdown)}) = ${s.prob_drawdown.toFixed(4)}`,
      );
    }
    io.out(`(${Math.round(confidence * 100)}% intervals) wrote ${files.join(', ')} to ${out}`);
    return 0;
  },
};
