import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { isoTime } from '../../data/import-report';
import { MarketStore, marketDbPath } from '../../data/market-store';
import type { CliCommand } from '../types';

const USAGE = `keel datasets [--imports] [--json]

Lists what the market store in $KEEL_HOME holds: each bar series (symbol, timeframe,
first and last bar, rows, gaps) and each symbol's trades.

  --imports  list the import log instead (file, SHA-256, when, rows added)
  --json     print JSON`;

export const command: CliCommand = {
  name: 'datasets',
  summary: 'list the bar series and trades in the market store',
  usage: USAGE,
  async run(args, io) {
    let values: { imports?: boolean; json?: boolean };
    try {
      ({ values } = parseArgs({ args, options: { imports: { type: 'boolean' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel datasets');
    }
    const store = await MarketStore.open(marketDbPath(io.env));
    try {
      if (values.imports) {
        const log = await store.imports();
        if (values.json) io.out(JSON.stringify(log.map(({ report: _report, ...entry }) => entry), null, 2));
        else if (log.length === 0) io.out('no imports yet');
        else for (const e of log) io.out(`${e.importedAt}  ${e.kind.padEnd(6)} ${e.symbol} ${e.timeframe ?? ''}  +${e.rowsNew} rows  ${e.fileName}  sha256 ${e.sha256.slice(0, 12)}`);
        return 0;
      }
      const sets = await store.datasets();
      if (values.json) {
        io.out(JSON.stringify(sets, null, 2));
        return 0;
      }
      if (sets.length === 0) {
        io.out('the market store is empty: `keel import FILE` adds bars or trades');
        return 0;
      }
      io.out(`${'kind'.padEnd(7)}${'symbol'.padEnd(16)}${'tf'.padEnd(5)}${'from'.padEnd(26)}${'to'.padEnd(26)}${'rows'.padStart(10)}${'gaps'.padStart(7)}`);
      for (const d of sets) {
        io.out(`${d.kind.padEnd(7)}${d.symbol.padEnd(16)}${(d.timeframe ?? '-').padEnd(5)}${isoTime(d.from).padEnd(26)}${isoTime(d.to).padEnd(26)}${String(d.rows).padStart(10)}${String(d.gaps ?? '-').padStart(7)}`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
