import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput, isKeelError } from '../../core/errors';
import { formatImportReport, type ImportReport } from '../../data/import-report';
import { MarketStore, marketDbPath } from '../../data/market-store';
import type { CliCommand } from '../types';

const USAGE = `keel import FILE... [--symbol S] [--timeframe TF] [--snap] [--strict] [--trades] [--json]

Imports bar files (CSV in any layout docs/data.md lists, or .parquet) or, with --trades,
trade files into the market store in $KEEL_HOME, and prints what happened to every row.

  --symbol S      store under this symbol (default: from the file name, e.g. btc-usdt-5m.csv -> BTC-USDT)
  --timeframe TF  the bars' timeframe, e.g. 1m, 5m, 1h, 1d (default: the median bar spacing)
  --snap          move each bar's time down onto the --timeframe grid (default: a bar off the
                  grid is a rejected row); the report says what was snapped
  --strict        refuse a file if any row is bad (default: store the good rows, list the bad)
  --trades        the file holds trades (time, price, amount[, side, id]), not bars
  --json          print the reports as JSON

Re-importing a file changes nothing; overlapping files merge, the newer file's values win.
Exit code: 0 all rows stored, 1 some rows rejected, 2 a file was refused (nothing stored from it).`;

export const command: CliCommand = {
  name: 'import',
  summary: 'import bar or trade files (CSV, Parquet) into the market store',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          symbol: { type: 'string' },
          timeframe: { type: 'string' },
          strict: { type: 'boolean' },
          snap: { type: 'boolean' },
          trades: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: true,
      });
    } catch (e) {
      throw badInput((e as Error).message, 'keel import');
    }
    const { values, positionals: files } = parsed;
    if (files.length === 0) throw badInput('name at least one FILE to import', 'keel import');
    if (values.trades && values.timeframe) throw badInput('--timeframe does not apply to --trades: bars of any timeframe are built from stored trades when asked for', 'keel import');
    if (values.symbol && files.length > 1) throw badInput('--symbol applies to one file; import files of different symbols one by one', 'keel import');
    if (values.snap && values.trades) throw badInput('--snap applies to bars: trades are not on a grid', 'keel import');
    if (values.snap && !values.timeframe) throw badInput('--snap needs --timeframe: the grid to snap the bars onto', 'keel import');
    const store = await MarketStore.open(marketDbPath(io.env));
    for (const note of store.recovered) io.err(`keel import: the store ${note}`);
    const results: (ImportReport | { file: string; error: { code: string; message: string; where?: string } })[] = [];
    let code = 0;
    try {
      for (const file of files) {
        const path = resolve(io.cwd, file);
        try {
          const report = values.trades
            ? await store.importTrades(path, { symbol: values.symbol, strict: values.strict })
            : await store.importBars(path, { symbol: values.symbol, timeframe: values.timeframe, strict: values.strict, snap: values.snap });
          results.push(report);
          if (report.rejected.count > 0) code = Math.max(code, 1);
          if (!values.json) formatImportReport(report).forEach((l) => io.out(l));
        } catch (e) {
          if (!isKeelError(e)) throw e;
          code = 2;
          results.push({ file, error: { code: e.code, message: e.message, where: e.where } });
          io.err(`keel import: refused ${file}: ${e.message}`);
          // Text from a file that was not recognised stays out of messages (an engine caller could read files with it); here the user named the file.
          if (typeof e.details?.fileText === 'string') io.err(`  header: ${e.details.fileText}`);
        }
      }
    } finally {
      store.close();
    }
    if (values.json) io.out(JSON.stringify(files.length === 1 ? results[0] : results, null, 2));
    return code;
  },
};
