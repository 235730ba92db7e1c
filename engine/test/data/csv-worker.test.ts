import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { BAR_BATCH_COLUMNS } from '../../src/data/bar-batches';
import { CsvParseWorker, CsvWorkerUnavailable, parseBarCsvOnWorker } from '../../src/data/bar-csv-threaded';
import { csvParseThread, parseBarFile, type ParsedBars, type ParseThread } from '../../src/data/bar-file';
import { GrowableF64 } from '../../src/data/growable';
import { MarketStore } from '../../src/data/market-store';
import { FIXTURES, fixture, msBarLines, storeFingerprint, tempDir, writeFile } from './helpers';

/**
 * Large imports parse on a worker thread while the engine thread stores (bar-csv-threaded.ts).
 * Whatever thread parses, the bars, the checks, the rejections, the layout, the hash and the
 * errors must be the same, to the bit.
 */

const BAR_FILES = [
  'btc-usdt-5m-2023-01.csv',
  'alt-btc-1m-2017-11.csv',
  'index-future-1m-2006-01-02.csv',
  'index-5m-2006.csv',
  'orcl-1d-1995-2014.csv',
  'nvda-1d-1999-2014.csv',
  'yhoo-1d-1996-2015.csv',
  'xrp-usdt-perp-1h-2021-11.csv',
];

interface Collected {
  parsed: ParsedBars;
  /** The consumed batches, concatenated column by column, as bytes. */
  columns: Buffer[];
  batches: number;
}

function collector(): { consume: (cols: readonly Float64Array[], rows: number) => void; done: () => Pick<Collected, 'columns' | 'batches'> } {
  const cols = BAR_BATCH_COLUMNS.map(() => new GrowableF64());
  let batches = 0;
  return {
    consume: (batch, rows) => {
      batches++;
      batch.forEach((c, i) => cols[i]!.pushAll(c.subarray(0, rows)));
    },
    done: () => ({ columns: cols.map((g) => { const a = g.toArray(); return Buffer.from(a.buffer, a.byteOffset, a.byteLength); }), batches }),
  };
}

const noDuckDb = () => Promise.reject(new Error('a CSV parse needs no DuckDB'));

async function parseWith(path: string, thread: ParseThread): Promise<Collected> {
  const c = collector();
  const parsed = await parseBarFile(path, c.consume, noDuckDb, undefined, thread);
  return { parsed, ...c.done() };
}

/** Digest of bytes: NaN, -0 and every bit compare exactly, and fast (deep equality walks a typed array value by value). */
const digest = (b: Buffer | Float64Array) => createHash('sha256').update(b instanceof Buffer ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

/** Plain data, with the accepted times and the bars as digests. */
function comparable(c: Collected): unknown {
  const { checks, ...rest } = c.parsed;
  return { ...rest, checks: { ...checks, ts: digest(checks.ts) }, columns: c.columns.map(digest) };
}

/** 150,000 one-minute bars (~9 MB, several batches and 4 MB chunks) with one bad row of each kind spread through. */
function fileWithRejects(dir: string): string {
  const lines = msBarLines(150_000, Date.UTC(2021, 0, 1), 60_000, 3);
  const cells = (i: number) => lines[i]!.split(',');
  lines[10] = lines[10]!.replace(/,[^,]*$/, ',abc');
  lines[4_000] = [cells(4_000)[0], '-1', '2', '0.5', '1', '1'].join(',');
  lines[65_536] = lines[65_535]!; // an identical duplicate at a batch boundary: merged
  lines[70_001] = [cells(70_000)[0], ...cells(70_001).slice(1)].join(','); // same time, other values: rejected
  lines[100_000] = [cells(99_000)[0], ...cells(100_000).slice(1)].join(','); // back in time
  lines[120_000] = ['2021-13-45T00:00:00Z', ...cells(120_000).slice(1)].join(',');
  lines[149_999] = lines[149_999]! + '\r';
  return writeFile(dir, 'rejects-1m.csv', lines);
}

describe('bar CSV parsed on a worker thread', () => {
  it('gives every reference bar file exactly as the engine thread does', async () => {
    for (const file of BAR_FILES) {
      const inline = await parseWith(fixture(file), 'inline');
      const worker = await parseWith(fixture(file), 'worker');
      expect(comparable(worker), file).toEqual(comparable(inline));
      expect(inline.parsed.checks.ts.length, file).toBeGreaterThan(0);
    }
  });

  it('gives a large file with rejected rows across batches exactly as the engine thread does', async () => {
    const path = fileWithRejects(tempDir());
    const inline = await parseWith(path, 'inline');
    const worker = await parseWith(path, 'worker');
    expect(comparable(worker)).toEqual(comparable(inline));
    expect(worker.batches).toBeGreaterThan(2);
    expect(inline.parsed.rejected.byReason).toEqual({ 'not-a-number': 1, 'non-positive-price': 1, 'conflicting-duplicate': 1, 'out-of-order': 1, 'bad-timestamp': 1 });
    expect(inline.parsed.rejected.rows.map((r) => r.line)).toEqual([11, 4_001, 70_002, 100_001, 120_001]);
    expect(inline.parsed.checks.duplicatesInFile).toBe(1);
  });

  it('keeps file order when the consumer is slower than the parser (the parser waits for batches to come back)', async () => {
    const path = writeFile(tempDir(), 'slow-1m.csv', msBarLines(120_000, Date.UTC(2021, 0, 1), 60_000, 5));
    const inline = await parseWith(path, 'inline');
    const c = collector();
    let consumed = 0;
    const result = await parseBarCsvOnWorker(
      path,
      (cols, rows) => {
        consumed++;
        const until = performance.now() + 1;
        while (performance.now() < until); // a store that takes a while per batch
        c.consume(cols, rows);
      },
      undefined,
      1000,
    );
    const got = c.done();
    expect(consumed).toBe(120);
    expect(got.columns.map(digest)).toEqual(inline.columns.map(digest));
    expect(digest(result.checks.ts)).toBe(digest(inline.parsed.checks.ts));
  });

  it('refuses a bad file with the same error from either thread, and then parses the next file', async () => {
    const dir = tempDir();
    const lines = msBarLines(20_000, Date.UTC(2022, 0, 1), 60_000, 9);
    lines[15_000] += ',1';
    const cases = [writeFile(dir, 'bad-1m.csv', lines), join(dir, 'missing.csv'), writeFile(dir, 'junk.csv', ['hello there', 'not, a, bar, file'])];
    for (const path of cases) {
      const a = await parseWith(path, 'inline').catch((e: unknown) => e);
      const b = await parseWith(path, 'worker').catch((e: unknown) => e);
      expect(isKeelError(a), path).toBe(true);
      expect(isKeelError(b), path).toBe(true);
      const shape = (e: unknown) => (isKeelError(e) ? { code: e.code, where: e.where, message: e.message, details: e.details } : e);
      expect(shape(b), path).toEqual(shape(a));
    }
    const after = await parseWith(fixture('index-5m-2006.csv'), 'worker');
    expect(after.parsed.checks.ts.length).toBe(2142);
  });
});

describe('a parse worker that fails', () => {
  const entry = (name: string) => pathToFileURL(join(FIXTURES, '..', 'workers', name));
  const parse = (w: CsvParseWorker) => w.parse(fixture('index-5m-2006.csv'), () => {}, undefined, 1000);

  it('before it started is "unavailable" (so an automatic choice can parse inline); after, an internal error', async () => {
    for (const name of ['missing.mjs', 'dies-at-start.mjs']) {
      const err = await parse(new CsvParseWorker(entry(name))).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(CsvWorkerUnavailable);
    }
    const mid = await parse(new CsvParseWorker(entry('dies-mid-parse.mjs'))).catch((e: unknown) => e);
    expect(mid).not.toBeInstanceOf(CsvWorkerUnavailable);
    expect(isKeelError(mid) && [mid.code, mid.message]).toEqual(['INTERNAL', `${fixture('index-5m-2006.csv')}: the CSV parse worker exited (code 3)`]);
  });

  it('is replaced by a new one for the next parse', async () => {
    const w = new CsvParseWorker(entry('dies-mid-parse.mjs'));
    await expect(parse(w)).rejects.toThrow('exited (code 3)');
    await expect(parse(w)).rejects.toThrow('exited (code 3)');
  });
});

describe('MarketStore import with the parse on a worker thread', () => {
  it('stores the same bars and reports the same as with the parse on the engine thread', async () => {
    const dir = tempDir();
    const path = fileWithRejects(dir);
    const results: { report: unknown; fingerprint: string }[] = [];
    for (const parseThread of ['inline', 'worker'] as const) {
      const store = await MarketStore.open(join(dir, `${parseThread}.duckdb`));
      try {
        const report = await store.importBars(path, { parseThread });
        results.push({ report, fingerprint: await storeFingerprint(store) });
      } finally {
        store.close();
      }
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]!.report).toMatchObject({ rowsRead: 150_000, rowsAccepted: 150_000 - 6, store: { rowsNew: 150_000 - 6 } });
  });

  it('a file from 8 MB parses on the worker; cancelled half-way it leaves the store as it was, and goes through afterwards', async () => {
    const dir = tempDir();
    const path = writeFile(dir, 'big-1m.csv', msBarLines(160_000, Date.UTC(2022, 0, 1), 60_000, 7));
    const store = await MarketStore.open(join(dir, 'market.duckdb'));
    try {
      await store.importBars(fixture('btc-usdt-5m-2023-01.csv'));
      const before = await storeFingerprint(store);
      expect(csvParseThread(path, 'auto')).toBe('worker');
      expect(csvParseThread(fixture('alt-btc-1m-2017-11.csv'), 'auto')).toBe('inline');
      expect(csvParseThread(join(dir, 'missing.csv'), 'auto')).toBe('inline');
      let reads = 0;
      const err = await store
        .importBars(path, { onProgress: (phase) => { if (phase === 'reading' && ++reads === 2) throw new Error('injected: cancelled after chunk 2'); } })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('injected: cancelled after chunk 2');
      expect(await storeFingerprint(store)).toBe(before);
      const ok = await store.importBars(path);
      expect(ok.store).toEqual({ alreadyImported: false, rowsNew: 160_000, rowsReplaced: 0, rowsUnchanged: 0 });
      expect((await store.bars('BIG', '1m')).length).toBe(160_000);
    } finally {
      store.close();
    }
  });
});
