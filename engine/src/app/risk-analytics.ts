import { KeelError } from '../core/errors';
import { riskReport, type RiskReport } from '../risk/analytics/report';
import { returnsFromPrices } from '../risk/analytics/returns';
import type { BacktestResult, RiskAnalyticsDto } from '../../protocol/index';
import type { MarketService, PortfolioView } from './services';

/** Enough draws for stable 99 % figures on one core in tens of ms; seeded, so repeatable. */
const SIMULATIONS = 20_000;
const DAY_MS = 86_400_000;
/** Daily returns when the history spans at least this many days, else hourly ones. */
const MIN_DAYS_FOR_DAILY = 60;

function dto(source: RiskAnalyticsDto['source'], r: RiskReport, asOf: number, notes: string[]): RiskAnalyticsDto {
  const rows: RiskAnalyticsDto['rows'] = [];
  for (const l of r.levels) {
    rows.push({ method: 'historical', confidence: l.confidence, var: l.historical.var, es: l.historical.es });
    rows.push({ method: 'gaussian', confidence: l.confidence, var: l.gaussian.var, es: l.gaussian.es });
    rows.push({ method: 'cornish-fisher', confidence: l.confidence, var: l.cornishFisher.var, es: l.cornishFisher.es });
    rows.push({ method: 'monte-carlo', confidence: l.confidence, var: l.monteCarlo.var, es: l.monteCarlo.es });
  }
  const out: RiskAnalyticsDto = {
    source,
    asOf,
    observations: r.sample.n,
    horizonBars: r.horizon,
    rows,
    stress: r.stress.worstDays.map((d) => ({ day: d.date, pnl: d.pnl, pnlPct: d.return })),
    notes: [...notes, ...r.warnings],
  };
  if (r.symbols.length > 1) {
    out.correlation = { symbols: r.correlation.symbols, matrix: r.correlation.correlation.map((row) => row.map((x) => (Number.isFinite(x) ? x : null))) };
  }
  return out;
}

/** The paper book's risk: today's positions against each held symbol's stored price history. */
export async function portfolioAnalytics(book: PortfolioView, market: MarketService, asOf: number): Promise<RiskAnalyticsDto> {
  const positions = book.exposures();
  if (positions.length === 0) {
    return { source: 'portfolio', asOf, observations: 0, horizonBars: 1, rows: [], stress: [], notes: ['no open paper positions: nothing at risk'] };
  }
  const sets = await market.datasets();
  const span = Math.min(
    ...positions.map((p) => {
      const mine = sets.filter((d) => d.symbol === p.symbol);
      return mine.length === 0 ? 0 : Math.max(...mine.map((d) => d.to)) - Math.min(...mine.map((d) => d.from));
    }),
  );
  const timeframe = span >= MIN_DAYS_FOR_DAILY * DAY_MS ? '1d' : '1h';
  const series = [];
  for (const p of positions) {
    const { series: bars } = await market.bars({ symbol: p.symbol, timeframe });
    if (bars.length < 3) throw new KeelError('NOT_FOUND', `not enough stored ${timeframe} history for ${p.symbol} to measure its risk (${bars.length} bars)`, { where: p.symbol });
    series.push(returnsFromPrices(bars, 'simple'));
  }
  const r = riskReport({ kind: 'portfolio', positions, series, capital: book.equity() }, { simulations: SIMULATIONS });
  const note = `${timeframe} close-to-close returns of the stored history; VaR/ES over one ${timeframe} bar as fractions of equity (${book.equity().toFixed(2)})`;
  return dto('portfolio', r, asOf, [note]);
}

/** A finished backtest's risk, from its equity curve. */
export function backtestAnalytics(run: BacktestResult, asOf: number): RiskAnalyticsDto {
  if (run.status !== 'done') throw new KeelError('CONFLICT', `backtest ${run.runId} is ${run.status}: risk needs a finished run`, { where: 'runId' });
  const { ts, equity } = run.equity;
  if (ts.length < 3) throw new KeelError('BAD_INPUT', `backtest ${run.runId} has only ${ts.length} equity points`, { where: 'runId' });
  const r = riskReport({ kind: 'equity', ts, equity }, { simulations: SIMULATIONS });
  // Archived curves are thinned, so a step may span several bars: say how long it is.
  const stepMin = Math.round((ts[1]! - ts[0]!) / 60_000);
  const step = `one equity-curve step (${stepMin} min; the run's bars are ${run.timeframe})`;
  return dto('backtest', r, asOf, [`returns of the run's equity curve; VaR/ES over ${step} as fractions of equity`]);
}
