// sma-cross over 10M synthetic 1-minute bars (seeded random walk) through the full path:
// runtime -> risk hook -> order manager -> simulated venue -> account, then metrics.
// Target: >= 3,000,000 bars/s on one core, peak RSS < 1.5 GB.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../src/backtest/engine';
import { randomWalkSeries } from '../src/backtest/synthetic';
import smaCross from '../../strategies/sma-cross';

const BARS = Number(process.env.KEEL_BENCH_BARS ?? 10_000_000);

export async function run(): Promise<void> {
  const t0 = performance.now();
  const series = randomWalkSeries(BARS, { seed: 7, timeframe: '1m', volatility: 0.001 });
  const tGen = performance.now() - t0;
  // Best of REPEATS: on a shared machine other processes only ever slow a run down.
  const REPEATS = Number(process.env.KEEL_BENCH_REPEATS ?? 3);
  for (const [fast, slow] of [
    [10, 30],
    [50, 200],
  ] as const) {
    let bestWall = Infinity;
    let bestCpu = Infinity;
    let summary = '';
    for (let r = 0; r < REPEATS; r++) {
      (globalThis as { gc?: () => void }).gc?.();
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      const res = await runBacktest({ series, strategy: smaCross, params: { fast, slow }, capital: 10_000, fee: 0, slippage: 0, progressEvery: 1 << 20 });
      bestWall = Math.min(bestWall, (performance.now() - t1) / 1000);
      const c = process.cpuUsage(c1);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
      summary = `${res.trades.length.toLocaleString('en-US')} trades, ${res.fills.toLocaleString('en-US')} fills, final equity ${res.metrics.final_equity?.toPrecision(6)}`;
    }
    const rate = (s: number) => Math.round(BARS / s).toLocaleString('en-US');
    console.log(
      `sma-cross(${fast},${slow}) ${BARS.toLocaleString('en-US')} bars, best of ${REPEATS}: wall ${bestWall.toFixed(2)} s (${rate(bestWall)} bars/s), ` +
        `cpu ${bestCpu.toFixed(2)} s (${rate(bestCpu)} bars/s); ${summary}`,
    );
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`bar generation ${(tGen / 1000).toFixed(2)} s (not counted); peak RSS ${rssMb.toFixed(0)} MB; load average ${loadavg()[0]!.toFixed(1)}`);
}
