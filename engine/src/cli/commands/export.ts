import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { dateTimeFromText } from '../../data/csv-fields';
import { MarketStore, marketDbPath } from '../../data/market-store';
import type { CliCommand } from '../types';

const USAGE = `keel export --symbol S --timeframe TF --out FILE.csv|FILE.parquet [--from T] [--to T]

Writes bars from the market store in $KEEL_HOME in the ms layout
(timestamp,open,high,low,close,volume; timestamp = bar open, ms since epoch UTC), which
\`keel import\` reads back bit for bit. A timeframe that is not stored is resampled from a
lower stored one (or built from trades) and the output says so.

  --from T, --to T  bars with open time in [from, to): ISO date/time (UTC unless it has a zone) or epoch ms`;

function timeArg(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d+$/.test(text) ? Number(text) : dateTimeFromText(text);
  if (Number.isNaN(t)) throw badInput(`"${text}" is not a date/time (e.g. 2023-01-31 or 2023-01-31T12:00:00Z) or epoch ms`, name);
  return t;
}

export const command: CliCommand = {
  name: 'export',
  summary: 'write bars from the market store to CSV or Parquet',
  usage: USAGE,
  async run(args, io) {
    let values: { symbol?: string; timeframe?: string; out?: string; from?: string; to?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: { symbol: { type: 'string' }, timeframe: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel export');
    }
    if (!values.symbol || !values.timeframe || !values.out) throw badInput('--symbol, --timeframe and --out are required', 'keel export');
    const range = { from: timeArg(values.from, '--from'), to: timeArg(values.to, '--to') };
    const out = resolve(io.cwd, values.out);
    const store = await MarketStore.open(marketDbPath(io.env));
    try {
      const r = await store.exportBars(values.symbol, values.timeframe, out, range);
      const how =
        r.origin.kind === 'resampled' ? ` (resampled from ${r.origin.from}${r.origin.lastPartial ? '; the last bar may be incomplete' : ''})`
        : r.origin.kind === 'trades' ? ' (built from trades)'
        : '';
      io.out(`wrote ${r.rows} ${values.timeframe} bars of ${values.symbol}${how} to ${out}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
