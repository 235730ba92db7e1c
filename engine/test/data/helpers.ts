import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { MarketStore } from '../../src/data/market-store';
import { rng } from '../features/random-walk';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'data');
export const fixture = (name: string) => join(FIXTURES, name);

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A fresh directory removed after the test (a KEEL_HOME, or a place for generated files). */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-data-'));
  dirs.push(d);
  return d;
}

export function writeFile(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/**
 * Everything a store holds, as one digest over its public reads: every series' bars bit for
 * bit, every symbol's trades, and the import log. Two equal fingerprints mean equal stores.
 */
export async function storeFingerprint(store: MarketStore): Promise<string> {
  const h = createHash('sha256');
  const sets = await store.datasets();
  h.update(JSON.stringify(sets));
  for (const d of sets) {
    if (d.kind === 'bars') {
      const s = await store.bars(d.symbol, d.timeframe!);
      for (const col of [s.ts, s.open, s.high, s.low, s.close, s.volume]) h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
    } else {
      const t = await store.trades(d.symbol);
      for (const col of [t.ts, t.price, t.amount]) h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
      h.update(new Uint8Array(t.side.buffer, t.side.byteOffset, t.side.byteLength));
    }
  }
  h.update(JSON.stringify((await store.imports()).map((i) => [i.id, i.sha256, i.rowsNew])));
  return h.digest('hex');
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed. */
export { rng };

/** A random-walk bar series in the ms layout, as CSV lines (header first). */
export function msBarLines(n: number, startMs: number, stepMs: number, seed = 1): string[] {
  const r = rng(seed);
  const lines = ['timestamp,open,high,low,close,volume'];
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = Math.max(1, open + (r() - 0.5) * 2);
    const high = Math.max(open, close) + r();
    const low = Math.max(0.5, Math.min(open, close) - r());
    lines.push(`${startMs + i * stepMs},${open},${high},${low},${close},${(r() * 1000).toFixed(3)}`);
    price = close;
  }
  return lines;
}

/**
 * Bar rows in a closed store file counted in SQL, below the public reads: all of them, and
 * those of no registered series (rows a failed import could leave that no query would show).
 */
export async function rawBarRows(path: string): Promise<{ all: number; orphans: number }> {
  const instance = await DuckDBInstance.create(path);
  const con = await instance.connect();
  try {
    const r = await con.runAndReadAll('SELECT count(*)::DOUBLE, count(*) FILTER (WHERE series NOT IN (SELECT id FROM bar_series))::DOUBLE FROM bars');
    const [all, orphans] = r.getRowsJS()[0] as [number, number];
    return { all, orphans };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
