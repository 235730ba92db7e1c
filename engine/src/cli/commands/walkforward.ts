import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { planRun } from '../../research/run-record';
import { walkforwardRun } from '../../research/runs';
import { intFlag, numberFlag } from '../args';
import type { CliCommand } from '../types';
import { progressPrinter, resolvedOut, runInterruptible, SWEEP_OPTIONS, SWEEP_USAGE, sweepExecutor, sweepSetup } from '../sweep-args';

const USAGE = `keel walkforward --data FILE --strategy NAME --train N --test M [options] --out DIR

Walk-forward analysis: train on N bars (a sweep picks the parameters), test on the next M bars
(a plain backtest with them), step M; the test runs are stitched into one out-of-sample curve.
The last --reserve of the bars is kept back: no window touches it; --validate runs the last
window's parameters on it once.

  --train N                training bars per window
  --test M                 test bars per window (and the step)
  --anchored               train from the first bar every time (default: rolling N bars)
  --reserve F              fraction of bars kept back at the end (default 0.2)
  --validate               run the final validation on the reserve (writes DIR/validation/)
${SWEEP_USAGE}

Writes DIR/windows.csv (train_from,train_to,test_from,test_to as bar open times in ms, ranges
[from, to), then the chosen parameters and the test metrics), DIR/oos/ (equity.csv, trades.csv,
metrics.json of the stitched test runs) and DIR/summary.json (walk-forward efficiency and more).`;

export const command: CliCommand = {
  name: 'walkforward',
  summary: 'Walk-forward analysis: rolling or anchored windows, stitched out-of-sample curve',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...SWEEP_OPTIONS, train: { type: 'string' }, test: { type: 'string' }, anchored: { type: 'boolean' }, reserve: { type: 'string' }, validate: { type: 'boolean' } },
      strict: true,
    });
    if (values.train === undefined) throw badInput('is required (training bars per window)', '--train');
    if (values.test === undefined) throw badInput('is required (test bars per window, also the step)', '--test');
    const train = intFlag('train', values.train, 0, 2);
    const test = intFlag('test', values.test, 0, 1);
    const reserve = numberFlag('reserve', values.reserve, 0.2, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
    const setup = await sweepSetup(io, values);
    const out = resolvedOut(io, values.out!);
    const exec = await sweepExecutor(setup, io);
    const run = await runInterruptible(exec, io, (signal) =>
      walkforwardRun(
        setup,
        { train, test, anchored: values.anchored ?? false, reserve, validate: values.validate ?? false },
        exec,
        { signal, onProgress: progressPrinter(io, 'trials', () => ''), env: io.env, id: planRun('walkforward', io.env).id, out },
      ),
    );
    if (run === undefined) return 130;
    const { wf, result, validation, files } = run;
    const m = result.oos.metrics;
    const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : 'n/a');
    io.out(`${result.windows.length} windows (${wf.anchored ? 'anchored' : 'rolling'}: train ${train}, test ${test} bars); reserve ${result.reserve.bars} bars kept back`);
    for (const w of result.windows) {
      const p = w.params ? Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(' ') : 'no qualifying trial (flat)';
      io.out(`  test ${new Date(setup.spec.data.series.ts[w.testFrom]!).toISOString().slice(0, 16)}: ${p}  return ${pct(w.test?.metrics.total_return)}`);
    }
    io.out(`out-of-sample: return ${pct(m.total_return)}, Sharpe ${m.sharpe?.toFixed(3) ?? 'n/a'}, max drawdown ${pct(m.max_drawdown)}; walk-forward efficiency ${result.efficiency?.toFixed(3) ?? 'n/a'}`);
    if (validation) io.out(`validation on the reserve: return ${pct(validation.metrics.total_return)}, Sharpe ${validation.metrics.sharpe?.toFixed(3) ?? 'n/a'}`);
    io.out(`wrote ${files.join(', ')} to ${out}`);
    return 0;
  },
};
