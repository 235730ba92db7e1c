// sma-cross over 10M synthetic 1-minute bars (seeded random walk) through the full path:
// runtime -> risk hook -> order manager -> simulated venue -> account, then metrics.
// Target: >= 3,000,000 bars/s on one core, peak RSS < 1.5 GB.
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../src/backtest/engine';
import { randomWalkSeries } from '../src/backtest/synthetic';
import smaCross from '../../strategies/sma-cross';

const BARS = Number(process.env.KEEL_BENCH_BARS ?? 10_000_000);

export async function run(): Promise<void> {
  const t0 = performance.now();
  const series = randomWalkSeries(BARS, { seed: 7, timeframe: '1m', volatility: 0.001 });
  const tGen = performance.now() - t0;
  for (const [fast, slow] of [
    [10, 30],
    [50, 200],
  ] as const) {
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    const res = await runBacktest({ series, strategy: smaCross, params: { fast, slow }, capital: 10_000, fee: 0, slippage: 0, progressEvery: 1 << 20 });
    const secs = (performance.now() - t1) / 1000;
    const c = process.cpuUsage(c1);
    const cpuSecs = (c.user + c.system) / 1e6;
    console.log(
      `sma-cross(${fast},${slow}) ${BARS.toLocaleString('en-US')} bars: wall ${secs.toFixed(2)} s (${Math.round(BARS / secs).toLocaleString('en-US')} bars/s), ` +
        `cpu ${cpuSecs.toFixed(2)} s (${Math.round(BARS / cpuSecs).toLocaleString('en-US')} bars/s), ` +
        `${res.trades.length.toLocaleString('en-US')} trades, ${res.fills.toLocaleString('en-US')} fills, final equity ${res.metrics.final_equity?.toPrecision(6)}`,
    );
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`bar generation ${(tGen / 1000).toFixed(2)} s (not counted); peak RSS ${rssMb.toFixed(0)} MB`);
}
