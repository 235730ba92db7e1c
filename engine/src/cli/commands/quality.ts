import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { datasetQuality } from '../../data/dataset-quality';
import { isoTime } from '../../data/import-report';
import { MarketStore, marketDbPath } from '../../data/market-store';
import type { CliCommand } from '../types';

const USAGE = `keel quality --symbol S --timeframe TF [--k K] [--stale N] [--json]

The quality report of a dataset in the store: gaps (and which of them the exchange itself
has), repeated rows merged and rows out of time order met on the way in, stale stretches
(N or more bars that did not move) and outliers (a print more than K median absolute
deviations of the recent returns from the previous close).

  --symbol S      e.g. binance:BTC/USDT or BTC-USDT
  --timeframe TF  e.g. 1m
  --k K           outlier threshold in deviations (default 12)
  --stale N       bars in a row for a stale stretch (default 10)
  --json          print the report as JSON`;

export const command: CliCommand = {
  name: 'quality',
  summary: 'a dataset\'s quality report: gaps, duplicates, out-of-order rows, stale stretches, outliers',
  usage: USAGE,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({ args, options: { symbol: { type: 'string' }, timeframe: { type: 'string' }, k: { type: 'string' }, stale: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel quality');
    }
    if (typeof values.symbol !== 'string') throw badInput('--symbol is required', '--symbol');
    if (typeof values.timeframe !== 'string') throw badInput('--timeframe is required', '--timeframe');
    const store = await MarketStore.open(marketDbPath(io.env));
    try {
      const r = await datasetQuality(store, values.symbol, values.timeframe, {
        k: values.k === undefined ? undefined : Number(values.k),
        staleMinBars: values.stale === undefined ? undefined : Number(values.stale),
      });
      if (values.json) {
        io.out(JSON.stringify(r, null, 2));
        return 0;
      }
      io.out(`${r.symbol} ${r.timeframe}: ${r.rows.toLocaleString('en-US')} bars${r.from !== null ? ` ${isoTime(r.from)} .. ${isoTime(r.to!)}` : ''}`);
      io.out(`  gaps ${r.gaps.count} (${r.gaps.missingBars.toLocaleString('en-US')} bars missing; ${r.gaps.atExchange} known holes at the exchange)`);
      for (const g of r.gaps.spans.slice(0, 10)) io.out(`    ${isoTime(g.from)} .. ${isoTime(g.to)}  ${g.bars} bars`);
      io.out(`  duplicates merged ${r.duplicatesMerged}, out of order ${r.outOfOrder}, rejected ${r.rejected}`);
      io.out(`  stale stretches ${r.stale.count} (${r.stale.bars} bars)`);
      for (const s of r.stale.spans.slice(0, 10)) io.out(`    ${isoTime(s.from)} .. ${isoTime(s.to)}  ${s.bars} bars`);
      io.out(`  outliers ${r.outliers.count} (beyond ${r.outliers.k} deviations)`);
      for (const o of r.outliers.points.slice(0, 10)) io.out(`    ${isoTime(o.ts)}  ${o.price}  ${o.deviations.toFixed(1)} deviations`);
      return 0;
    } finally {
      store.close();
    }
  },
};
