import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { exportLake, importLake, queryLake } from '../../data/lake';
import { MarketStore, marketDbPath } from '../../data/market-store';
import type { CliCommand } from '../types';

const USAGE = `keel lake export DIR [--symbol S]...
keel lake import DIR
keel lake query DIR "SQL" [--json]

The Parquet lake: bar datasets as Parquet files partitioned as
exchange=binance/symbol=BTC-USDT/year=2024/month=1 under DIR.

  export  writes the store's bar datasets (or those of --symbol) to DIR, replacing what was there
  import  reads a lake back into the store (merged as imports merge: nothing doubled)
  query   runs SQL over the lake through DuckDB; the lake is the view \`lake\`
          (columns exchange, symbol, year, month, venue_symbol, timeframe, ts, open, high, low, close, volume)`;

export const command: CliCommand = {
  name: 'lake',
  summary: 'export datasets to a partitioned Parquet lake, import one, query it with DuckDB',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { symbol: { type: 'string', multiple: true }, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    } catch (e) {
      throw badInput((e as Error).message, 'keel lake');
    }
    const [action, dirArg, sql] = parsed.positionals;
    if (!action || !['export', 'import', 'query'].includes(action)) throw badInput('say export, import or query', 'keel lake');
    if (!dirArg) throw badInput('name the lake directory', 'keel lake');
    const dir = resolve(io.cwd, dirArg);
    if (action === 'query') {
      if (!sql) throw badInput('give the SQL to run, e.g. "SELECT exchange, symbol, count(*) FROM lake GROUP BY ALL"', 'keel lake query');
      const r = await queryLake(dir, sql);
      if (parsed.values.json) io.out(JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))), null, 2));
      else {
        io.out(r.columns.join('\t'));
        for (const row of r.rows) io.out(row.map((v) => (v instanceof Date ? v.toISOString() : String(v))).join('\t'));
      }
      return 0;
    }
    const store = await MarketStore.open(marketDbPath(io.env));
    try {
      if (action === 'export') {
        const r = await exportLake(store, dir, { symbols: parsed.values.symbol });
        for (const d of r.datasets) io.out(`${d.symbol} ${d.timeframe}: ${d.rows.toLocaleString('en-US')} bars`);
        io.out(`wrote ${r.files} Parquet files under ${r.dir}`);
      } else {
        for (const d of await importLake(store, dir)) io.out(`${d.symbol} ${d.timeframe}: ${d.rowsRead.toLocaleString('en-US')} read, ${d.rowsNew.toLocaleString('en-US')} new, ${d.rowsReplaced.toLocaleString('en-US')} replaced`);
      }
    } finally {
      store.close();
    }
    return 0;
  },
};
