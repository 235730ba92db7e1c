import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { defaultPeriodsPerYear } from '../../backtest/metrics';
import { lookAheadCheck, warmupCheck } from '../../research/checks';
import { loadStrategy } from '../../strategy/loader';
import { parseParamArgs, resolveParams } from '../../strategy/params';
import { intFlag, loadRunData, parseCosts, RUN_OPTIONS } from '../args';
import type { CliCommand } from '../types';

const USAGE = `keel check --data FILE --strategy NAME [--param k=v]... [options]

Re-runs a strategy on other data and flags any signal (an order placed or cancelled, or the
position held) that changes:

  warm-up     the same bars from a start bar on, with all the history before it, half, a
              quarter, ...: a recursive indicator (EMA, RSI) seeded at the first bar makes
              signals depend on where the data begins
  look-ahead  the bars cut short at several points: a signal before a cut must not change,
              or the strategy (say a vector() column) reads bars it could not have seen

  --start N      first compared bar of the warm-up check (default: the middle bar)
  --cuts K       cuts of the look-ahead check (default 5)
  --fee F --slippage S --capital C [--periods-per-year P]   as \`keel backtest\`

Exit code 0: nothing flagged; 1: a check flagged a change (printed with the bar and both signals).`;

export const command: CliCommand = {
  name: 'check',
  summary: 'Warm-up and look-ahead checks: re-run on other data, flag changed signals',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...RUN_OPTIONS, param: { type: 'string', multiple: true }, start: { type: 'string' }, cuts: { type: 'string' } }, strict: true });
    if (!values.strategy) throw badInput('is required (`keel strategies` lists them)', '--strategy');
    const costs = parseCosts(values);
    const strategy = await loadStrategy(values.strategy, io.cwd);
    const params = resolveParams(strategy, parseParamArgs(strategy, values.param ?? []));
    const { series } = await loadRunData(io, values);
    const settings = { capital: costs.capital, fee: costs.fee, slippage: costs.slippage, periodsPerYear: costs.periodsPerYear ?? defaultPeriodsPerYear(series.ts, series.length), pboBlocks: 0 };
    const start = values.start === undefined ? undefined : intFlag('start', values.start, 0, 1);
    if (start !== undefined && start >= series.length - 1) throw badInput(`must be below the last bar (${series.length - 1})`, '--start');
    const warm = await warmupCheck(series, strategy, params, settings, { start });
    const look = await lookAheadCheck(series, strategy, params, settings, { cuts: intFlag('cuts', values.cuts, 5, 1) });
    io.out(`warm-up:    ${warm.ok ? 'ok' : 'FLAGGED'}: ${warm.summary}`);
    io.out(`look-ahead: ${look.ok ? 'ok' : 'FLAGGED'}: ${look.summary}`);
    return warm.ok && look.ok ? 0 : 1;
  },
};
