import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput, KeelError } from '../../core/errors';
import { STATE_DB_FILE, keelHome } from '../../core/paths';
import { loadBarFile } from '../../data/load-bar-file';
import { MarketStore, marketDbPath } from '../../data/market-store';
import { gapOfInstance, instanceBars, type RunGap } from '../../desk/gap-run';
import { PAPER_TERMS } from '../../desk/paper-terms';
import { StateStore } from '../../state/store';
import { loadStrategy } from '../../strategy/loader';
import type { CliCommand } from '../types';

const USAGE = `keel gap RUN [--json]

Compares a strategy's forward trades with a backtest of the same strategy, parameters and
bars over the same period: per trade (entry and exit times, the price difference beyond the
cost model, fills missed or extra), the signals that differed, and the totals with the PnL
each cause explains (entry prices, exit prices, sizes, fees, missed and extra trades, open
positions). The causes add up to the difference.

  RUN     a \`keel paper --out\` folder, or the id of a strategy run on the desk in
          $KEEL_HOME (e.g. sma-cross-1; the engine must not hold the market store)
  --json  print the whole report as JSON`;

interface PaperRunFile {
  strategy: string;
  params: Record<string, number | boolean | string>;
  data: string;
  fee: number;
  slippage: number;
  capital: number;
  instance: string;
  strategySource: string | null;
  journal: string;
}

async function fromPaperDir(dir: string, cwd: string): Promise<RunGap> {
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as PaperRunFile & { mode?: string };
  if (run.mode !== 'paper') throw badInput('is not a `keel paper` folder (its run.json says no mode "paper")', dir);
  const strategy = await loadStrategy(run.strategySource ?? run.strategy, cwd);
  const { series } = await loadBarFile(run.data, { symbol: undefined, timeframe: undefined });
  const store = StateStore.open(join(dir, run.journal));
  try {
    const row = store.strategyInstances().find((r) => r.id === run.instance);
    if (!row) throw new KeelError('NOT_FOUND', `the journal holds no strategy ${run.instance}`, { where: join(dir, run.journal) });
    return await gapOfInstance(row, store, strategy, { series: { ...series, symbol: row.symbol }, warmupBars: 0 }, { fee: run.fee, slippage: run.slippage });
  } finally {
    store.close();
  }
}

async function fromDesk(id: string, env: Record<string, string | undefined>, cwd: string): Promise<RunGap> {
  const statePath = join(keelHome(env), STATE_DB_FILE);
  if (!existsSync(statePath)) throw new KeelError('NOT_FOUND', `no state database at ${statePath}, and "${id}" is not a folder`, { where: 'RUN' });
  const store = StateStore.open(statePath);
  try {
    const row = store.strategyInstances().find((r) => r.id === id);
    if (!row) throw new KeelError('NOT_FOUND', `no strategy "${id}" on the desk (have: ${store.strategyInstances().map((r) => r.id).join(', ') || 'none'})`, { where: 'RUN' });
    const market = await MarketStore.open(marketDbPath(env));
    try {
      const bars = await instanceBars(row, { barsBefore: (...a) => market.closedBarsBefore(...a), barsAfter: (...a) => market.closedBarsAfter(...a) });
      return await gapOfInstance(row, store, await loadStrategy(row.sourcePath ?? row.strategy, cwd), bars, PAPER_TERMS);
    } finally {
      market.close();
    }
  } finally {
    store.close();
  }
}

const money = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);
const time = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z'));

export function gapLines(g: RunGap): string[] {
  const out: string[] = [];
  out.push(`${g.strategy} on ${g.symbol} ${g.timeframe}, ${g.bars} bars from ${time(g.from)} to ${time(g.to)}; capital ${g.capital}, fee ${g.fee}, slippage ${g.slippage}`);
  out.push(`forward PnL ${money(g.forwardPnl)}, backtest PnL ${money(g.backtestPnl)}: difference ${money(g.difference)}`);
  out.push(`trades: ${g.counts.matched} matched, ${g.counts.missed} missed, ${g.counts.extra} extra; signals: ${g.signals.forward} forward, ${g.signals.backtest} backtest, ${g.signals.differing.length} differing`);
  out.push('');
  out.push('explained by:');
  const c = g.causes;
  for (const [label, v] of [['entry prices', c.entryPrice], ['exit prices', c.exitPrice], ['sizes', c.size], ['fees', c.fees], ['missed trades', c.missed], ['extra trades', c.extra], ['positions open at the end', c.open]] as const) {
    out.push(`  ${label.padEnd(26)} ${money(v).padStart(14)}`);
  }
  const differing = g.trades.filter((t) => t.kind !== 'matched' || Math.abs(t.pnlDiff) > 1e-9);
  if (differing.length > 0) {
    out.push('');
    out.push('trades that differ:');
    for (const t of differing) {
      const ref = t.backtest ?? t.forward!;
      const what = t.kind === 'matched' ? `entry ${t.entryDelayMs! / 1000}s later, slippage ${t.entrySlippage!.toFixed(6)} in, ${t.exitSlippage!.toFixed(6)} out` : t.note;
      out.push(`  ${t.kind.padEnd(7)} ${t.side === 'buy' ? 'long ' : 'short'} ${time(ref.entryTime)}  pnl ${money(t.pnlDiff)}  ${what}`);
    }
  }
  return out;
}

export const command: CliCommand = {
  name: 'gap',
  summary: 'Compare a forward run with its backtest: per trade, and the PnL each cause explains',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    const run = positionals[0];
    if (!run) throw badInput('is required: a `keel paper --out` folder or a strategy id', 'RUN');
    const dir = resolve(io.cwd, run);
    const g = existsSync(dir) && statSync(dir).isDirectory() ? await fromPaperDir(dir, io.cwd) : await fromDesk(run, io.env, io.cwd);
    if (values.json) io.out(JSON.stringify(g, null, 2));
    else for (const l of gapLines(g)) io.out(l);
    return 0;
  },
};
