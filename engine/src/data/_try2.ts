import { MarketStore } from './market-store';
import { formatImportReport } from './import-report';
import { rmSync } from 'node:fs';
rmSync('/tmp/kx/m.duckdb', { force: true });
const store = await MarketStore.open('/tmp/kx/m.duckdb');
const dir = 'engine/test/fixtures/data';
for (const f of ['btc-usdt-5m-2023-01.csv', 'btc-usdt-5m-2023-01.csv', 'index-future-1m-2006-01-02.csv', 'orcl-1d-1995-2014.csv']) {
  const r = await store.importBars(`${dir}/${f}`);
  console.log(formatImportReport(r, 3).join('\n'));
}
for (const f of ['xrp-eth-trades-2019-10.csv', 'kraken-bcheur-trades-raw.csv', 'kraken-bcheur-trades-raw.csv']) {
  const r = await store.importTrades(`${dir}/${f}`);
  console.log(formatImportReport(r, 3).join('\n'));
}
console.log(await store.datasets());
const b = await store.bars('BTC-USDT', '1h', { from: Date.UTC(2023, 0, 3, 0, 30) });
console.log(b.length, b.origin, b.ts[0] && new Date(b.ts[0]).toISOString());
const t = await store.bars('XRP-ETH', '1h');
console.log(t.length, t.origin);
console.log(await store.exportBars('BTC-USDT', '5m', '/tmp/kx/out.parquet'));
console.log((await store.imports()).map((i) => [i.id, i.fileName, i.importedAt, i.rowsNew]));
store.close();
