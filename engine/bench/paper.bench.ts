// A long synthetic 1-minute bar series replayed through PaperSession (simulated clock and
// scheduler, seeded latency) with a scripted order flow: every 20 bars a bracket (market entry,
// ±1% exits) when flat, every 7 bars a resting limit that is cancelled 5 bars later, and every
// 50 bars a trailing stop when long. Measures bars/s and order events/s, CPU and wall.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomWalkSeries } from '../src/backtest/synthetic';
import { PaperSession } from '../src/execution/paper/paper-session';
import { NO_RISK } from '../src/execution/types';
import { Account } from '../src/model/account';
import type { Bar } from '../src/model/bar';
import { researchInstrument } from '../src/model/instrument';

const BARS = Number(process.env.KEEL_BENCH_PAPER_BARS ?? 200_000);
const SYMBOL = 'BTC/USDT';

export async function run(): Promise<void> {
  const s = randomWalkSeries(BARS, { seed: 11, symbol: SYMBOL, timeframe: '1m', volatility: 0.002, startPrice: 30_000 });
  const session = PaperSession.replay({
    risk: NO_RISK,
    account: new Account(10_000_000, 'USDT'),
    instruments: [researchInstrument(SYMBOL)],
    timeframe: '1m',
    venue: { seed: 5, latency: { kind: 'uniform', minMs: 20, maxMs: 200 }, maxVolumeShare: null },
    start: s.ts[0]!,
  });
  let events = 0;
  let fills = 0;
  session.orders.onEvent((e) => {
    events++;
    if (e.kind === 'filled' || e.kind === 'partially_filled') fills++;
  });
  const cancelAt = new Map<number, string>();
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  for (let i = 0; i < BARS; i++) {
    const bar: Bar = { ts: s.ts[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
    session.feedBar(SYMBOL, bar);
    const c = bar.close;
    const pos = session.account.position(SYMBOL).qty;
    if (i % 20 === 0 && pos === 0) session.emulator.placeBracket({ entry: { symbol: SYMBOL, side: 'buy', type: 'market', qty: 0.1 }, takeProfit: c * 1.01, stopLoss: c * 0.99 });
    if (i % 7 === 0) {
      const r = session.emulator.place({ symbol: SYMBOL, side: 'buy', type: 'limit', qty: 0.05, price: c * 0.97 });
      if (r.ok) cancelAt.set(i + 5, r.id);
    }
    const due = cancelAt.get(i);
    if (due !== undefined) {
      session.orders.cancel(due);
      cancelAt.delete(i);
    }
    if (i % 50 === 25 && pos > 0) session.emulator.place({ symbol: SYMBOL, side: 'sell', type: 'trailing_stop', qty: pos / 2, trailingPercent: 0.01, reduceOnly: true });
  }
  session.close();
  const wall = (performance.now() - t1) / 1000;
  const cu = process.cpuUsage(c1);
  const cpu = (cu.user + cu.system) / 1e6;
  const per = (n: number, sec: number) => Math.round(n / sec).toLocaleString('en-US');
  console.log(
    `paper replay ${BARS.toLocaleString('en-US')} bars, ${events.toLocaleString('en-US')} order events, ${fills.toLocaleString('en-US')} fills: ` +
      `wall ${wall.toFixed(2)} s (${per(BARS, wall)} bars/s, ${per(events, wall)} events/s), cpu ${cpu.toFixed(2)} s (${per(BARS, cpu)} bars/s, ${per(events, cpu)} events/s); ` +
      `OCO same-event resolutions ${session.venue.ocoResolutions.length}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
}
