import { runBacktest } from '../backtest/engine';
import { CURVE_POINTS, equityCurve } from '../backtest/equity-curve';
import { buyAndHold, periodReturns } from '../backtest/metrics';
import { listStrategies, getStrategy } from '../strategy/loader';
import type { BacktestRequest, ParamSpecDto, StrategyInfo } from '../../protocol/index';
import type { BarSeries } from '../model/bar';
import type { ParamSpec } from '../../sdk';
import type { BacktestOutcome, BacktestService } from './services';

const MAX_TRADES = 20_000;

function paramDto(name: string, s: ParamSpec): ParamSpecDto {
  const d: ParamSpecDto = { name, kind: s.kind, default: s.default };
  if (s.kind === 'int' || s.kind === 'float') {
    d.min = s.min;
    d.max = s.max;
    if (s.step !== undefined) d.step = s.step;
  }
  if (s.kind === 'choice') d.choices = [...s.choices];
  if (s.description !== undefined) d.description = s.description;
  return d;
}

export const backtestService: BacktestService = {
  strategies(): StrategyInfo[] {
    return listStrategies().map((m) => ({
      id: m.id,
      name: m.name,
      description: m.description,
      params: Object.entries(m.params).map(([name, spec]) => paramDto(name, spec)),
    }));
  },

  async run(req: BacktestRequest, series: BarSeries, opts) {
    const r = await runBacktest({
      series,
      strategy: getStrategy(req.strategy),
      params: req.params,
      capital: req.capital,
      fee: req.fee,
      slippage: req.slippage,
      // ~100 progress reports and cancellation points per run, whatever its length.
      progressEvery: Math.max(500, Math.ceil(series.length / 100)),
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    opts.onRun?.(r); // the whole run, before thinning (the research lab records it)
    const notes = [...r.notes];
    // Thinned for the wire; the metrics come from every bar.
    if (r.equity.length > CURVE_POINTS) notes.push(`the equity curve is thinned to ${CURVE_POINTS} points for display (each stretch's deepest drawdown kept); metrics use every bar`);
    const trades = r.trades.length > MAX_TRADES ? r.trades.slice(-MAX_TRADES) : r.trades;
    if (trades.length < r.trades.length) notes.push(`showing the last ${MAX_TRADES} of ${r.trades.length} trades`);
    return {
      metrics: r.metrics,
      equity: equityCurve(r.ts, r.equity, CURVE_POINTS, buyAndHold(series.close, series.length, req.capital)),
      periods: periodReturns(r.ts, r.equity, r.equity.length),
      trades: trades.map((t) => ({
        entryTime: t.entryTime,
        entryPrice: t.entryPrice,
        exitTime: t.exitTime,
        exitPrice: t.exitPrice,
        qty: t.qty,
        side: t.side,
        pnl: t.pnl,
        returnPct: t.returnPct,
        exitReason: t.exitReason,
      })),
      notes,
    };
  },
};
