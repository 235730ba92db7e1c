import { badInput } from '../../core/errors';
import { pairwiseMatrices, type PairwiseMatrices } from './correlation';
import { monteCarloVarEs, type MonteCarloMethod } from './monte-carlo';
import { moments, type Moments, type Numbers } from './moments';
import {
  alignReturns,
  capitalBase,
  convertReturns,
  horizonReturns,
  portfolioReturns,
  returnsFromPrices,
  type Exposure,
  type ReturnSeries,
} from './returns';
import { stressTest, type StressReport } from './stress';
import {
  cornishFisherVarEs,
  gaussianVarEs,
  historicalVarEs,
  type CornishFisherVarEs,
  type HistoricalVarEs,
  type VarEs,
} from './var';

export interface RiskOptions {
  /** Confidence levels a, each strictly between 0 and 1. Default 0.95 and 0.99. */
  confidences?: number[];
  /** Holding period in bars (intervals of the input). Default 1. */
  horizon?: number;
  /** Monte Carlo draws. Default 100 000. */
  simulations?: number;
  /** Monte Carlo seed. Default 1, so that the same input always gives the same report. */
  seed?: number;
  /** Monte Carlo model. Default normal. */
  monteCarlo?: MonteCarloMethod;
  /** Rows in the worst-days stress table. Default 5. */
  worstDays?: number;
}

export type RiskInput =
  /** Current positions and a return history per held symbol. */
  | { kind: 'portfolio'; positions: Exposure[]; series: ReturnSeries[]; capital?: number }
  /** A backtest equity curve: per-row simple returns of equity are the portfolio returns. */
  | { kind: 'equity'; ts: Numbers; equity: Numbers };

export interface RiskLevel {
  confidence: number;
  historical: HistoricalVarEs;
  gaussian: VarEs;
  cornishFisher: CornishFisherVarEs;
  monteCarlo: HistoricalVarEs;
}

export interface RiskReport {
  kind: RiskInput['kind'];
  symbols: string[];
  weights: number[];
  capital: number;
  horizon: number;
  /** The portfolio's horizon returns that every VaR figure is measured on. */
  sample: { n: number; from: number; to: number; moments: Moments };
  /** One-interval returns of each input series on its own. */
  assets: { symbol: string; moments: Moments }[];
  /** Intervals common to every series, and how many returns of each series had to be left out. */
  alignment: { intervals: number; dropped: { symbol: string; count: number }[] };
  levels: RiskLevel[];
  monteCarlo: { method: MonteCarloMethod; simulations: number; seed: number };
  stress: StressReport;
  correlation: PairwiseMatrices;
  /** Things a trader should know before trusting the numbers. */
  warnings: string[];
}

/**
 * Every risk figure for one portfolio (or one backtest equity curve): historical, Gaussian,
 * Cornish–Fisher and Monte Carlo VaR/ES at each confidence, worst-day stress replay, and the
 * pairwise correlation and covariance of the inputs. Pure: no I/O, no clock, seeded randomness.
 */
export function riskReport(input: RiskInput, options: RiskOptions = {}): RiskReport {
  const confidences = options.confidences ?? [0.95, 0.99];
  const horizon = options.horizon ?? 1;
  const simulations = options.simulations ?? 100_000;
  const seed = options.seed ?? 1;
  const method = options.monteCarlo ?? 'normal';
  if (confidences.length === 0) throw badInput('give at least one confidence level', 'confidence');

  const { series, positions, capital } = normalise(input);
  const weights = positions.map((p) => p.value / capital);
  const aligned = alignReturns(series);
  const columns = aligned.columns.map((c) => horizonReturns(c, horizon));
  const portfolio = portfolioReturns(columns, weights);
  if (portfolio.length < 2) {
    throw badInput(`only ${portfolio.length} common ${horizon}-bar return(s) across ${aligned.symbols.join(', ')}: need at least 2`, 'risk report');
  }
  const m = moments(portfolio, 'portfolio returns');
  const historical = historicalVarEs(portfolio, confidences);
  const mc = monteCarloVarEs(columns, weights, confidences, { simulations, seed, method });
  const levels = confidences.map((a, i) => ({
    confidence: a,
    historical: historical[i]!,
    gaussian: gaussianVarEs(m, a),
    cornishFisher: cornishFisherVarEs(m, a),
    monteCarlo: mc.results[i]!,
  }));

  const warnings: string[] = [];
  for (const l of levels) {
    if (l.historical.tailCount < 10) {
      warnings.push(`historical ES at ${pct(l.confidence)} averages only ${l.historical.tailCount} observation(s): treat it as anecdote, not statistics`);
    }
  }
  if (!levels[0]!.cornishFisher.monotone) {
    warnings.push(
      `skewness ${m.skewness.toFixed(2)} and excess kurtosis ${m.excessKurtosis.toFixed(2)} lie outside the region where the Cornish–Fisher expansion is increasing (Maillard 2012): its far tail folds back, so read CF VaR/ES with care`,
    );
  }
  aligned.dropped.forEach((count, j) => {
    if (count > 0 && series.length > 1) {
      warnings.push(`${aligned.symbols[j]}: ${count} return(s) left out of the portfolio because another series has no return over the same interval`);
    }
  });
  if (horizon > 1) warnings.push(`${horizon}-bar returns overlap, so neighbouring observations are not independent`);

  return {
    kind: input.kind,
    symbols: aligned.symbols,
    weights,
    capital,
    horizon,
    sample: { n: portfolio.length, from: aligned.from[0]!, to: aligned.ts[aligned.ts.length - 1]!, moments: m },
    assets: series.map((s) => ({ symbol: s.symbol, moments: moments(s.r, s.symbol) })),
    alignment: { intervals: aligned.ts.length, dropped: aligned.symbols.map((symbol, j) => ({ symbol, count: aligned.dropped[j]! })) },
    levels,
    monteCarlo: { method, simulations, seed },
    stress: stressTest(positions, series, { worst: options.worstDays ?? 5, capital }),
    correlation: pairwiseMatrices(series),
    warnings,
  };
}

function normalise(input: RiskInput): { series: ReturnSeries[]; positions: Exposure[]; capital: number } {
  if (input.kind === 'equity') {
    const series = returnsFromPrices({ symbol: 'equity', ts: input.ts, close: input.equity }, 'simple');
    const last = input.equity[input.equity.length - 1];
    if (last === undefined) throw badInput('the equity curve is empty', 'equity');
    return { series: [series], positions: [{ symbol: 'equity', value: last }], capital: last };
  }
  if (input.positions.length === 0) throw badInput('no positions given', 'risk report');
  const seen = new Set<string>();
  const series = input.positions.map((p) => {
    if (seen.has(p.symbol)) throw badInput('symbol appears twice in the positions', p.symbol);
    seen.add(p.symbol);
    const s = input.series.find((x) => x.symbol === p.symbol);
    if (!s) throw badInput('a position has no return history', p.symbol);
    // Portfolio arithmetic (Σ w r, compounding, P&L = value × r) needs simple returns.
    return convertReturns(s, 'simple');
  });
  return { series, positions: input.positions, capital: capitalBase(input.positions, input.capital) };
}

function pct(a: number): string {
  return `${+(a * 100).toFixed(4)}%`;
}
