// Exchanges: history download throughput against the simulator (rate limit off), split into
// what ccxt costs and what the store costs; and a live trade's way from the simulator's
// websocket to a candle in the engine at 1,000 trades a second.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanPage, downloadBars } from '../src/data/download';
import { defaultDownloadThreads, stopParkedDownloadThreads, warmDownloadThreads } from '../src/data/download-threads';
import { addSpans, startRun, writeBars } from '../src/data/download-store';
import { MarketStore, barSeriesId } from '../src/data/market-store';
import { ExchangeClient } from '../src/exchange/client';
import { LiveFeed } from '../src/exchange/live-feed';

const BARS = 500_000;
const MIN = 60_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

/** The simulator in a process of its own, so its answers do not share the measured process's core. */
async function simulator(args: string[]): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, [join(root, 'bin/keel.js'), 'simulate-exchange', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

/** CPU seconds (user + system) of a process, or of one thread as /proc/PID/task/TID. */
function procCpuSeconds(path: string): number {
  const stat = readFileSync(`/proc/${path}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 a second on Linux)
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

/** Time spent inside two of ccxt's functions (its JSON parse and its OHLCV parse), summed. */
function timeCcxtParsing(client: ExchangeClient): { ms: () => number } {
  let ms = 0;
  const ex = client.ex as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['parseJson', 'parseOHLCVs']) {
    const f = ex[name]!.bind(ex);
    ex[name] = (...a: unknown[]) => {
      const t = performance.now();
      try {
        return f(...a);
      } finally {
        ms += performance.now() - t;
      }
    };
  }
  return { ms: () => ms };
}

async function downloadBench(url: string, simPid: number, dir: string): Promise<void> {
  const now = Date.now();
  const from = Math.floor(now / MIN) * MIN - BARS * MIN;
  const to = from + BARS * MIN;
  const pages = BARS / 1000;

  // (a) ccxt alone: every page fetched and parsed, four in flight, nothing stored.
  const a = await ExchangeClient.create({ exchange: 'binance', apiUrl: url, rateLimitMs: 0 });
  await a.markets();
  const parsing = timeCcxtParsing(a);
  const fetched: number[][][] = new Array(pages);
  let cpu = process.cpuUsage();
  let t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < pages) {
        const i = next++;
        fetched[i] = (await a.ex.fetchOHLCV('BTC/USDT', '1m', from + i * 1000 * MIN, 1000, { until: from + (i + 1) * 1000 * MIN - 1 })) as number[][];
      }
    }),
  );
  let wall = (performance.now() - t0) / 1000;
  console.log(`ccxt only (fetch + parse, 4 in flight): ${(BARS / wall / 1000).toFixed(0)}k bars/s wall, ${(BARS / cpuSeconds(cpu) / 1000).toFixed(0)}k bars/cpu-s; ccxt's JSON and OHLCV parsing ${(parsing.ms() / 1000).toFixed(2)} s of ${wall.toFixed(2)} s; load ${load()}`);
  await a.close();

  // (b) the store alone: the same pages, checked and committed 16 to a transaction, as a download commits them when fetching outruns storing.
  const store = await MarketStore.open(join(dir, 'store-only.duckdb'));
  const series = await store.transact((con) => barSeriesId(con, 'binance:BTC/USDT', '1m'));
  const run = await store.transact((con) => startRun(con, { kind: 'bars', symbol: 'binance:BTC/USDT', timeframe: '1m', from, to }));
  cpu = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < pages; i += 16) {
    const batch = fetched.slice(i, i + 16).map((rows, k) => cleanPage({ from: from + (i + k) * 1000 * MIN, to: from + (i + k + 1) * 1000 * MIN }, rows, MIN));
    await store.transact(async (con) => {
      await writeBars(con, series, batch.map((b) => b.bars));
      await addSpans(con, series, run, batch.map((b) => ({ ...b.page, bars: b.bars.length, duplicates: 0, outOfOrder: 0, rejected: 0 })));
    });
  }
  wall = (performance.now() - t0) / 1000;
  console.log(`store only (checks + DuckDB, 16 pages a commit): ${(BARS / wall / 1000).toFixed(0)}k bars/s wall, ${(BARS / cpuSeconds(cpu) / 1000).toFixed(0)}k bars/cpu-s; load ${load()}`);
  store.close();

  // (c) the download itself, as `keel download` runs it (download threads when the machine has
  // cores to spare), then (d) the other way: on the engine's thread alone, or where that is
  // the default (2 cores), with one download thread; and (e) with threads started before it
  // (not timed): what the engine's thread costs when threads fetch every page, which bounds
  // the rate on a machine with cores for them. CPU is split between the engine's thread, the
  // other threads of this process (download threads, DuckDB's, libuv's) and the simulator.
  const threaded = Math.max(1, defaultDownloadThreads());
  const cases: [string, number | undefined, boolean][] = [
    ['keel download', undefined, false],
    defaultDownloadThreads() > 0 ? ['keel download, engine thread only', 0, false] : ['keel download, 1 download thread (not the default here)', 1, false],
    [`keel download, ${threaded} download thread${threaded > 1 ? 's' : ''} started before`, threaded, true],
  ];
  for (const [i, [label, threads, warm]] of cases.entries()) {
    const c = await ExchangeClient.create({ exchange: 'binance', apiUrl: url, rateLimitMs: 0 });
    if (warm) await warmDownloadThreads(c.spec, threads);
    const full = await MarketStore.open(join(dir, `download-${i}.duckdb`));
    cpu = process.cpuUsage();
    const main0 = procCpuSeconds(`${process.pid}/task/${process.pid}`);
    const sim0 = procCpuSeconds(String(simPid));
    t0 = performance.now();
    const r = await downloadBars(c, full, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', from, to }, { threads });
    wall = (performance.now() - t0) / 1000;
    const all = cpuSeconds(cpu);
    const main = procCpuSeconds(`${process.pid}/task/${process.pid}`) - main0;
    const simCpu = procCpuSeconds(String(simPid)) - sim0;
    console.log(
      `${label}, ${r.stored.toLocaleString('en')} bars in ${r.pages} pages, ${r.threads} download threads fetched ${r.pagesOnThreads}: ${(r.stored / wall / 1000).toFixed(0)}k bars/s wall (target >= 200k), ${(r.stored / all / 1000).toFixed(0)}k bars/cpu-s; ` +
        `CPU over ${wall.toFixed(2)} s: engine thread ${main.toFixed(2)} s, other threads ${(all - main).toFixed(2)} s, simulator ${simCpu.toFixed(2)} s; load ${load()}`,
    );
    stopParkedDownloadThreads();
    full.close();
    await c.close();
  }
}

async function liveBench(url: string): Promise<void> {
  const client = await ExchangeClient.create({ exchange: 'binance', apiUrl: url, rateLimitMs: 0 });
  const feed = new LiveFeed(client, 'BTC/USDT', '1m');
  const lat: number[] = [];
  let measuring = false;
  feed.onCandle.on((c) => {
    if (measuring && c.lastTradeAt !== undefined) lat.push(Date.now() - c.lastTradeAt);
  });
  feed.start();
  await new Promise((r) => setTimeout(r, 3000)); // connected, resynced
  const cpu = process.cpuUsage();
  measuring = true;
  await new Promise((r) => setTimeout(r, 10_000));
  measuring = false;
  const used = cpuSeconds(cpu);
  await feed.stop();
  lat.sort((x, y) => x - y);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor((q / 100) * lat.length))]!;
  console.log(`live trade -> candle in the engine at 1,000 trades/s, 10 s: ${lat.length} candle updates, p50 ${p(50)} ms, p99 ${p(99)} ms (the simulator batches trades 10 ms); engine CPU ${((100 * used) / 10).toFixed(0)}% of a core`);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-ex-'));
  console.log(`load average ${load()} on ${cpus().length} cores`);
  const history = await simulator(['--history', String(BARS + 10), '--trades-per-second', '0', '--no-rate-limit']);
  try {
    await downloadBench(history.url, history.pid, dir);
  } finally {
    history.stop();
  }
  console.log(`load average ${load()}`);
  const live = await simulator(['--history', '2000', '--trades-per-second', '1000', '--no-rate-limit']);
  try {
    await liveBench(live.url);
  } finally {
    live.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average ${load()}`);
}
