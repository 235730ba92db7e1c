import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { exportLake, importLake, queryLake } from '../../src/data/lake';
import { MarketStore } from '../../src/data/market-store';
import { tempDir, writeFile } from './helpers';

const MIN = 60_000;
/** 1m bars from 30 Jan to 2 Feb 2024: two months. */
function bars(n: number, start = Date.UTC(2024, 0, 30, 22)): string[] {
  const out = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < n; i++) out.push(`${start + i * 60 * MIN},${100 + i},${101 + i},${99 + i},${100.5 + i},${1 + i / 10}`);
  return out;
}

describe('the Parquet lake', () => {
  it('exports partitioned as exchange/symbol/year/month, queries through DuckDB, and imports back into an empty store bit for bit', async () => {
    const dir = tempDir();
    const store = await MarketStore.open(join(dir, 'a.duckdb'));
    await store.importBars(writeFile(dir, 'btc.csv', bars(80)), { symbol: 'BTC-USDT', timeframe: '1h' });
    await store.importBars(writeFile(dir, 'btc2.csv', bars(80)), { symbol: 'binance:BTC/USDT', timeframe: '1h' });
    const lake = join(dir, 'lake');
    const r = await exportLake(store, lake);
    expect(r.datasets.map((d) => [d.symbol, d.rows])).toEqual([['BTC-USDT', 80], ['binance:BTC/USDT', 80]]);
    expect(readdirSync(lake).sort()).toEqual(['exchange=binance', 'exchange=local']);
    expect(readdirSync(join(lake, 'exchange=binance', 'symbol=BTC-USDT')).sort()).toEqual(['year=2024']);
    expect(readdirSync(join(lake, 'exchange=binance', 'symbol=BTC-USDT', 'year=2024')).sort()).toEqual(['month=1', 'month=2']);

    const q = await queryLake(lake, 'SELECT exchange, symbol, month, count(*) AS n FROM lake GROUP BY ALL ORDER BY ALL');
    expect(q.columns).toEqual(['exchange', 'symbol', 'month', 'n']);
    expect(q.rows).toEqual([
      ['binance', 'BTC-USDT', 1, 26],
      ['binance', 'BTC-USDT', 2, 54],
      ['local', 'BTC-USDT', 1, 26],
      ['local', 'BTC-USDT', 2, 54],
    ]);

    const fresh = await MarketStore.open(join(dir, 'b.duckdb'));
    const back = await importLake(fresh, lake);
    expect(back.map((d) => [d.symbol, d.rowsNew])).toEqual([['BTC-USDT', 80], ['binance:BTC/USDT', 80]]);
    for (const s of ['BTC-USDT', 'binance:BTC/USDT']) {
      const x = await store.bars(s, '1h');
      const y = await fresh.bars(s, '1h');
      expect(Array.from(y.ts)).toEqual(Array.from(x.ts));
      expect(Array.from(y.close)).toEqual(Array.from(x.close));
      expect(Array.from(y.volume)).toEqual(Array.from(x.volume));
    }
    // Importing the same lake again changes nothing.
    expect((await importLake(fresh, lake)).map((d) => d.rowsNew + d.rowsReplaced)).toEqual([0, 0]);
    store.close();
    fresh.close();
  });

  it('keel lake export/query/import as the README writes them, and a clear error for a folder with no Parquet', async () => {
    const dir = tempDir();
    const env = { KEEL_HOME: join(dir, 'home') };
    const io = captureIO(dir, env);
    expect(await main(['import', writeFile(dir, 'eth-usdt-1h.csv', bars(10))], io)).toBe(0);
    expect(await main(['lake', 'export', 'lake'], io), io.stderr.join('\n')).toBe(0);
    expect(existsSync(join(dir, 'lake', 'exchange=local', 'symbol=ETH-USDT'))).toBe(true);
    const q = captureIO(dir, env);
    expect(await main(['lake', 'query', 'lake', 'SELECT count(*) AS n FROM lake', '--json'], q)).toBe(0);
    expect(JSON.parse(q.stdout.join('\n'))).toEqual([{ n: 10 }]);
    const bad = captureIO(dir, env);
    expect(await main(['lake', 'import', 'nowhere'], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/no lake at/);
  });
});
