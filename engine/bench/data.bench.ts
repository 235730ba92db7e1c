// Market data: CSV import speed (parse only, into DuckDB, into memory; parsed on the worker thread and inline), columnar reads, resampling.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { emptySeries } from '../src/model/bar';
import { parseBarCsv } from '../src/data/bar-csv';
import { loadBarFile } from '../src/data/load-bar-file';
import { MarketStore } from '../src/data/market-store';
import { resampleBars } from '../src/data/resample';

const ROWS = 3_000_000;
const LATER_ROWS = 1_000_000;
const MINUTE = 60_000;

/** A BTC-like 1-minute random walk in the ms layout, prices with one decimal as exchanges print them. */
async function writeCsv(path: string, rows: number, start = Date.UTC(2015, 0, 1)): Promise<void> {
  const out = createWriteStream(path);
  let t = start;
  let p = 20_000;
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  let batch: string[] = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < rows; i++) {
    const o = p;
    const c = Math.round((o + (rnd() - 0.5) * 40) * 10) / 10;
    const h = Math.round((Math.max(o, c) + rnd() * 10) * 10) / 10;
    const l = Math.round((Math.min(o, c) - rnd() * 10) * 10) / 10;
    batch.push(`${t},${o.toFixed(1)},${h.toFixed(1)},${l.toFixed(1)},${c.toFixed(1)},${(rnd() * 50).toFixed(3)}`);
    p = c;
    t += MINUTE;
    if (batch.length === 10_000) {
      if (!out.write(batch.join('\n') + '\n')) await once(out, 'drain');
      batch = [];
    }
  }
  out.end(batch.length ? batch.join('\n') + '\n' : '');
  await once(out, 'finish');
}

/**
 * Times `job` by the wall clock and by this process's CPU time (all threads, DuckDB's too):
 * on a shared machine the wall figure moves with the neighbours, the CPU figure much less.
 */
async function measure<T>(label: string, job: () => Promise<T>, rows: (r: T) => number): Promise<T> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await job();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const n = rows(result);
  console.log(`${label.padEnd(30)} ${(n / wall / 1e6).toFixed(2)} M rows/s wall (${wall.toFixed(2)} s), ${(n / cpu / 1e6).toFixed(2)} M rows/cpu-s (${cpu.toFixed(2)} s)`);
  return result;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-data-'));
  try {
    const csv = join(dir, 'walk-1m.csv');
    await writeCsv(csv, ROWS);
    console.log(`generated ${ROWS.toLocaleString('en')} rows, ${(statSync(csv).size / 2 ** 20).toFixed(0)} MB; load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);

    await measure('csv parse + check only', () => parseBarCsv(csv, { add() {} }), (p) => p.checker.rowsRead);
    const later = join(dir, 'walk-later-1m.csv');
    await writeCsv(later, LATER_ROWS, Date.UTC(2021, 0, 1));
    const store = await MarketStore.open(join(dir, 'market.duckdb'));
    let open = true;
    try {
      // The first import starts the parse worker (from source: ~0.3 s to load tsx; from the built app: a few ms).
      await measure('import into DuckDB (new)', () => store.importBars(csv, { symbol: 'WALK', timeframe: '1m' }), (r) => r.store!.rowsNew);
      await measure('  same, parsed inline', () => store.importBars(csv, { symbol: 'WALK3', timeframe: '1m', parseThread: 'inline' }), (r) => r.store!.rowsNew);
      await measure('import, 2nd symbol', () => store.importBars(csv, { symbol: 'WALK2', timeframe: '1m' }), (r) => r.store!.rowsNew);
      // Later history of a stored series: staged, then inserted after the overlap check.
      await measure('import, 1M rows appended', () => store.importBars(later, { symbol: 'WALK', timeframe: '1m' }), (r) => r.store!.rowsNew);
      await measure('re-import, all rows overlap', () => store.importBars(csv, { symbol: 'WALK', timeframe: '1m', strict: true }), (r) => r.rowsRead);
      await measure('columnar read from DuckDB', () => store.bars('WALK', '1m'), (s) => s.length);
      // A chart's newest page of a timeframe made on the fly: read back only as far as the page needs.
      for (const [label, range] of [['5m page (newest 20k bars)', { last: 20_000 }], ['5m whole range', {}]] as const) {
        const t0 = performance.now();
        const page = await store.bars('WALK', '5m', range);
        console.log(`${label.padEnd(30)} ${(performance.now() - t0).toFixed(0)} ms (${page.length.toLocaleString('en')} bars from ${(ROWS + LATER_ROWS) / 1e6}M stored 1m)`);
      }
      // Part of what an import costs is paid at the next checkpoint (here: closing the store).
      await measure('checkpoint on close (10M rows)', async () => {
        open = false;
        store.close();
        return 3 * ROWS + LATER_ROWS;
      }, (n) => n);
    } finally {
      if (open) store.close();
    }
    await measure('loadBarFile (into memory)', () => loadBarFile(csv), (r) => r.series.length);
    await measure('  same, parsed inline', () => loadBarFile(csv, { parseThread: 'inline' }), (r) => r.series.length);

    const n = 10_000_000;
    const bars = emptySeries('R', '1m', n);
    for (let i = 0; i < n; i++) {
      bars.ts[i] = i * MINUTE;
      bars.open[i] = bars.close[i] = 100 + (i % 7);
      bars.high[i] = 110;
      bars.low[i] = 90;
      bars.volume[i] = 1;
    }
    const t = performance.now();
    const hourly = resampleBars(bars, '1h').series;
    console.log(`${'resample 10M 1m bars to 1h'.padEnd(30)} ${((performance.now() - t) / 1000).toFixed(3)} s (${hourly.length} bars)`);
    console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
