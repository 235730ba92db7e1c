import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput, KeelError } from '../../core/errors';
import { loadBarFile } from '../../data/load-bar-file';
import { parseEquityCsv } from '../../risk/analytics/io';
import type { MonteCarloMethod } from '../../risk/analytics/monte-carlo';
import { riskReport, type RiskInput, type RiskReport } from '../../risk/analytics/report';
import { returnsFromPrices } from '../../risk/analytics/returns';
import type { StressDay } from '../../risk/analytics/stress';
import type { CliCommand, CliIO } from '../types';

const USAGE = `keel risk: value at risk, expected shortfall, stress days and correlation.

  keel risk --data FILE.csv [--data FILE2.csv ...] [--weights w1,w2,...] [--capital N]
  keel risk --equity equity.csv

Inputs (one of):
  --data FILE           a bar file in any layout keel import reads (CSV or Parquet); repeat
                        for a portfolio. The symbol comes from the file name.
  --strict              refuse a --data file with any bad row (default: leave it out and say so)
  --weights w1,w2,...   fraction of capital in each --data file, in order; negative = short.
                        Default: equal weights adding up to 1.
  --capital N           capital in account currency, to show stress P&L in money too.
  --equity FILE         a backtest equity curve, timestamp,equity (as keel backtest writes it).

Options:
  --confidence a,b      confidence levels (default 0.95,0.99)
  --horizon H           holding period in bars (default 1)
  --simulations N       Monte Carlo draws (default 100000)
  --seed N              Monte Carlo seed (default 1: same input, same report)
  --mc normal|bootstrap Monte Carlo model (default normal)
  --worst N             rows in the worst-days table (default 5)
  --json                print the whole report as JSON

VaR and ES are losses as a percentage of capital (positive = loss). Formulas: docs/risk-analytics.md.`;

export const command: CliCommand = {
  name: 'risk',
  summary: 'VaR/ES (historical, Gaussian, Cornish-Fisher, Monte Carlo), stress days, correlation',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const values = parseFlags(args);
    const data = values.data ?? [];
    if ((data.length === 0) === (values.equity === undefined)) {
      throw badInput('give either --data FILE (one or more) or --equity FILE, not both and not neither', 'arguments');
    }
    if (values.equity !== undefined && (values.weights !== undefined || values.capital !== undefined || values.strict)) {
      throw badInput('--weights, --capital and --strict apply to --data portfolios, not to an equity curve', 'arguments');
    }
    const mc = values.mc;
    if (mc !== 'normal' && mc !== 'bootstrap') throw badInput(`--mc must be normal or bootstrap, got "${mc}"`, '--mc');
    const options = {
      confidences: numberList(values.confidence, '--confidence'),
      horizon: wholeNumber(values.horizon, '--horizon', 1),
      simulations: wholeNumber(values.simulations, '--simulations', 1),
      seed: wholeNumber(values.seed, '--seed', 0),
      monteCarlo: mc as MonteCarloMethod,
      worstDays: wholeNumber(values.worst, '--worst', 1),
    };
    if (options.seed > 0xffffffff) throw badInput(`must be below 2^32, got ${values.seed}`, '--seed');

    const { input, timeframe, money, inputNotes } = values.equity !== undefined
      ? await equityInput(resolve(io.cwd, values.equity))
      : await portfolioInput(data.map((f) => resolve(io.cwd, f)), values.weights, values.capital, values.strict);
    const report = riskReport(input, options);
    report.warnings.unshift(...inputNotes);
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      for (const line of renderReport(report, timeframe, money)) io.out(line);
    }
    return 0;
  },
};

const FLAGS = {
  data: { type: 'string', multiple: true },
  weights: { type: 'string' },
  strict: { type: 'boolean', default: false },
  capital: { type: 'string' },
  equity: { type: 'string' },
  confidence: { type: 'string', default: '0.95,0.99' },
  horizon: { type: 'string', default: '1' },
  simulations: { type: 'string', default: '100000' },
  seed: { type: 'string', default: '1' },
  mc: { type: 'string', default: 'normal' },
  worst: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
} as const;

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options: FLAGS }).values;
  } catch (e) {
    // parseArgs's own errors (unknown flag, missing value) are the user's input, not a crash.
    throw badInput(`${(e as Error).message}. Run \`keel risk --help\` for the options.`, 'arguments');
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new KeelError('NOT_FOUND', `cannot read file: ${(e as Error).message}`, { where: path, cause: e });
  }
}

interface LoadedInput {
  input: RiskInput;
  timeframe: string;
  money: boolean;
  /** What the reader left out or assumed, for the report's warnings. */
  inputNotes: string[];
}

async function equityInput(path: string): Promise<LoadedInput> {
  const curve = parseEquityCsv(await readText(path), path);
  return { input: { kind: 'equity', ts: curve.ts, equity: curve.equity }, timeframe: curve.timeframe, money: true, inputNotes: [] };
}

async function portfolioInput(paths: string[], weightsArg: string | undefined, capitalArg: string | undefined, strict: boolean): Promise<LoadedInput> {
  const loaded = [];
  // One at a time: each load may open its own DuckDB instance (Parquet), and there are few files.
  for (const p of paths) loaded.push(await loadBarFile(p, { strict }));
  const bars = loaded.map((l) => l.series);
  const inputNotes = loaded.flatMap(({ report: r }) =>
    r.rejected.count === 0 ? [] : [`${r.file}: ${r.rejected.count} bad row(s) left out (first: line ${r.rejected.rows[0]!.line}, ${r.rejected.rows[0]!.message}); --strict refuses such files`],
  );
  const symbols = bars.map((b) => b.symbol);
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup) throw badInput(`two --data files are both read as symbol "${dup}"; symbols come from file names and must differ`, '--data');
  const frames = [...new Set(bars.map((b) => b.timeframe))];
  if (frames.length > 1) {
    throw badInput(`the files have different bar lengths (${bars.map((b) => `${b.symbol} ${b.timeframe}`).join(', ')}): resample them to one timeframe first`, '--data');
  }
  const weights = weightsArg === undefined ? bars.map(() => 1 / bars.length) : numberList(weightsArg, '--weights');
  if (weights.length !== bars.length) throw badInput(`${weights.length} weight(s) for ${bars.length} --data file(s)`, '--weights');
  const capital = capitalArg === undefined ? 1 : Number(capitalArg);
  if (!(Number.isFinite(capital) && capital > 0)) throw badInput(`must be a number > 0, got "${capitalArg}"`, '--capital');
  const input: RiskInput = {
    kind: 'portfolio',
    positions: bars.map((b, i) => ({ symbol: b.symbol, value: weights[i]! * capital })),
    series: bars.map((b) => returnsFromPrices(b, 'simple')),
    capital,
  };
  return { input, timeframe: frames[0]!, money: capitalArg !== undefined, inputNotes };
}

function numberList(s: string, flag: string): number[] {
  const parts = s.split(',').map((x) => x.trim());
  const out = parts.map(Number);
  const bad = parts.find((p, i) => p === '' || !Number.isFinite(out[i]));
  if (bad !== undefined) throw badInput(`"${bad}" is not a number (expected a comma-separated list like 0.5,0.5)`, flag);
  return out;
}

function wholeNumber(s: string, flag: string, min: number): number {
  const v = Number(s);
  if (!/^\d+$/.test(s.trim()) || v < min) throw badInput(`must be a whole number >= ${min}, got "${s}"`, flag);
  return v;
}

const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : 'n/a');
const level = (a: number): string => `${+(a * 100).toFixed(4)}%`;
const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const day = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/:00\.000Z$/, '').replace(/ 00:00$/, '');

function table(rows: string[][], rightFrom = 1): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c < rightFrom ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** The human-readable report: what a trader reads before sizing up. */
function renderReport(r: RiskReport, timeframe: string, showMoney: boolean): string[] {
  const out: string[] = [];
  const m = r.sample.moments;
  const what = r.kind === 'equity'
    ? 'backtest equity curve'
    : `portfolio ${r.symbols.map((s, i) => `${s} ${pct(r.weights[i]!, 1)}`).join(', ')}`;
  out.push(`Risk of ${what}`);
  const span = `${r.horizon} bar${r.horizon > 1 ? 's' : ''} of ${timeframe}`;
  out.push(`${r.sample.n} ${r.horizon > 1 ? 'overlapping ' : ''}returns over ${span}, ${day(r.sample.from)} .. ${day(r.sample.to)}`);
  out.push(`mean ${pct(m.mean, 3)}  sd ${pct(m.sd, 3)}  skewness ${m.skewness.toFixed(3)}  excess kurtosis ${m.excessKurtosis.toFixed(3)}`);
  out.push('');
  out.push(`VaR and ES over ${span}, as a loss in % of capital`);
  const head = ['method'];
  for (const l of r.levels) head.push(`VaR ${level(l.confidence)}`, `ES ${level(l.confidence)}`);
  const mcName = `monte carlo (${r.monteCarlo.method}, ${r.monteCarlo.simulations} draws, seed ${r.monteCarlo.seed})`;
  const rows = [
    ['historical', ...r.levels.flatMap((l) => [pct(l.historical.var), pct(l.historical.es)])],
    ['gaussian', ...r.levels.flatMap((l) => [pct(l.gaussian.var), pct(l.gaussian.es)])],
    ['cornish-fisher', ...r.levels.flatMap((l) => [pct(l.cornishFisher.var), pct(l.cornishFisher.es)])],
    [mcName, ...r.levels.flatMap((l) => [pct(l.monteCarlo.var), pct(l.monteCarlo.es)])],
  ];
  out.push(...table([head, ...rows]));

  const s = r.stress;
  out.push('');
  out.push(`Worst days replayed on current positions (${s.completeDays} days with data for every symbol${s.incompleteDays ? `, ${s.incompleteDays} without` : ''})`);
  const stressHead = ['date', 'P&L %', ...(showMoney ? ['P&L'] : []), ...(r.symbols.length > 1 ? r.symbols : [])];
  const stressRow = (d: StressDay): string[] => [
    d.date,
    pct(d.return),
    ...(showMoney ? [money(d.pnl)] : []),
    ...(r.symbols.length > 1 ? d.contributions.map((c) => (c.return === null ? 'no data' : pct(c.return))) : []),
  ];
  out.push(...table([stressHead, ...s.worstDays.map(stressRow)]));
  if (r.symbols.length > 1) {
    out.push('');
    out.push('Worst day of each position, replayed on the whole portfolio');
    out.push(...table([['symbol', ...stressHead], ...s.worstDayBySymbol.map((w) => [w.symbol, ...stressRow(w.day)])], 2));
  }

  if (r.symbols.length > 1) {
    const c = r.correlation;
    out.push('');
    out.push('Correlation of returns (Pearson, pairwise over common intervals; n = common intervals)');
    out.push(...table([['', ...c.symbols], ...c.symbols.map((sym, i) => [sym, ...c.correlation[i]!.map((v) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a'))])]));
    out.push(...table([['n', ...c.symbols], ...c.symbols.map((sym, i) => [sym, ...c.overlap[i]!.map(String)])]));
  }
  if (r.warnings.length > 0) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  return out;
}
