// The trading desk's figures:
// - `keel paper`: sma-cross over 1M synthetic 1-minute bars through the whole desk path
//   (strategy host -> risk -> order manager -> paper venue -> ledgers) with the durable SQLite
//   journal, and the same run end to end through the CLI (bar file to written results).
//   Target: >= 200,000 bars/s end to end.
// - starting a strategy with 10,000 warm-up bars read from the market store, from the request
//   to "running". Target: < 1 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EngineApp } from '../src/app/engine-app';
import { randomWalkSeries } from '../src/backtest/synthetic';
import { runPaper } from '../src/desk/paper-run';
import type { BarSeries } from '../src/model/bar';
import smaCross from '../../strategies/sma-cross';

const BARS = Number(process.env.KEEL_BENCH_PAPER_DESK_BARS ?? 1_000_000);
const REPEATS = Number(process.env.KEEL_BENCH_REPEATS ?? 3);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function csv(s: BarSeries): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < s.length; i++) lines.push(`${s.ts[i]},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}`);
  return lines.join('\n') + '\n';
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-desk-'));
  try {
    // Quoted as an exchange quotes BTC/USDT (prices to the cent, volumes to 0.001), so the bar
    // file has the short numbers a downloaded file has, not 17-digit doubles.
    const series = randomWalkSeries(BARS, { seed: 7, symbol: 'BTC/USDT', timeframe: '1m', volatility: 0.001, startPrice: 30_000, decimals: { price: 2, volume: 3 } });
    let best = { wall: Infinity, cpu: Infinity, trades: 0 };
    for (let r = 0; r < REPEATS; r++) {
      (globalThis as { gc?: () => void }).gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      // No costs, as in the backtest bench: fees of 0.1% on a random walk wear the account to dust
      // within a few hundred thousand bars, and a dust position is no workload a trader has.
      const res = await runPaper({ series, strategy: smaCross, sourceHash: 'bench', capital: 10_000, fee: 0, slippage: 0, latencyMs: 0, seed: 1, journalFile: join(dir, `paper-${r}.sqlite`) });
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      best = { wall: Math.min(best.wall, wall), cpu: Math.min(best.cpu, (c.user + c.system) / 1e6), trades: res.trades.length };
    }
    const rate = (s: number) => Math.round(BARS / s).toLocaleString('en-US');
    console.log(
      `keel paper path, sma-cross(10,30) on ${BARS.toLocaleString('en-US')} 1m bars with the SQLite journal, best of ${REPEATS}: ` +
        `wall ${best.wall.toFixed(2)} s (${rate(best.wall)} bars/s), cpu ${best.cpu.toFixed(2)} s (${rate(best.cpu)} bars/s); ${best.trades.toLocaleString('en-US')} trades; load ${load()}`,
    );

    // End to end through the command, as a trader runs it: parse the file, replay, write the results.
    const file = join(dir, 'BTC_USDT-1m.csv');
    writeFileSync(file, csv(series));
    const keel = join(import.meta.dirname, '../../bin/keel.js');
    const t1 = performance.now();
    execFileSync(process.execPath, [keel, 'paper', '--strategy', 'sma-cross', '--data', file, '--capital', '10000', '--out', join(dir, 'out')], {
      env: { ...process.env, KEEL_HOME: join(dir, 'home') },
      stdio: 'ignore',
    });
    const cli = (performance.now() - t1) / 1000;
    console.log(`keel paper CLI end to end (process start, CSV parse, replay, files): ${cli.toFixed(2)} s for ${BARS.toLocaleString('en-US')} bars (${rate(cli)} bars/s); load ${load()}`);

    // A strategy with 10,000 bars of warm-up, started through the engine's protocol handler.
    const home = join(dir, 'engine');
    const app = new EngineApp({ home, mode: 'headless' });
    app.setPublish(() => {});
    await app.start();
    const warm = randomWalkSeries(20_000, { seed: 9, symbol: 'WARM/USD', timeframe: '1m', volatility: 0.001, startPrice: 100 });
    const warmFile = join(dir, 'WARM_USD-1m.csv');
    writeFileSync(warmFile, csv(warm));
    await app.handlers['data.importFile']({ path: warmFile, symbol: 'WARM/USD', timeframe: '1m' });
    const strategyFile = join(dir, 'warm10k.ts');
    writeFileSync(
      strategyFile,
      `import { defineStrategy, int } from ${JSON.stringify(join(import.meta.dirname, '../sdk/index.ts'))};
export default defineStrategy({ id: 'warm10k', name: 'Warm 10k', description: 'an SMA(10000) that only watches', params: { n: int(10000, 2, 20000) },
  warmup: (p) => p.n, create(ctx, p) { const s = ctx.indicators.sma(p.n); return { onBar() { void s.value; } }; } });
`,
    );
    const times: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const t2 = performance.now();
      const i = await app.handlers['strategies.start']({ strategy: 'warm10k', path: strategyFile, params: {}, symbol: 'WARM/USD', timeframe: '1m', allocation: 100 });
      times.push(performance.now() - t2);
      if (i.state !== 'running' || i.warmup !== 10_000) throw new Error(`unexpected start: ${JSON.stringify(i).slice(0, 200)}`);
      await app.handlers['strategies.control']({ id: i.id, action: 'stop' });
      await app.handlers['strategies.control']({ id: i.id, action: 'release' });
    }
    await app.close();
    console.log(`start a strategy with 10,000 warm-up bars (request to running): ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}; load ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
