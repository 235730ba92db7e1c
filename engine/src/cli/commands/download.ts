import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { STATE_DB_FILE, keelHome } from '../../core/paths';
import { downloadBars, type DownloadProgress, type DownloadReport } from '../../data/download';
import { downloadTrades } from '../../data/download-trades';
import { isoTime } from '../../data/import-report';
import { MarketStore, marketDbPath } from '../../data/market-store';
import { ExchangeClient } from '../../exchange/client';
import { ExchangeSettings } from '../../exchange/settings';
import { StateStore } from '../../state/store';
import { parseTimeArg } from '../time-arg';
import type { CliCommand, CliIO } from '../types';

const USAGE = `keel download --exchange ID --symbol S --timeframe TF --from T [--to T] [--api-url URL] [--trades] [--json]

Downloads an exchange's history into the market store in $KEEL_HOME as EXCHANGE:SYMBOL
(binance:BTC/USDT), page by page within the exchange's limits and under its rate limit.
Each page is stored as it arrives: a download that is stopped or killed resumes where it
stopped when run again, and never fetches twice what the store holds. Progress goes to
stderr; the report to stdout. Holes the exchange has no bars for are reported as gaps.

  --exchange ID    ccxt's exchange id: binance, kraken, coinbase, ...
  --symbol S       ccxt's unified symbol, e.g. BTC/USDT
  --timeframe TF   1m, 5m, 1h, 1d, ... (what the exchange offers)
  --from T         start: 2024-01-01, 2024-01-01T12:00 (UTC) or ms since 1970
  --to T           end, exclusive (default: now; only closed bars are stored)
  --api-url URL    replace the exchange's scheme, host and port (a testnet, a proxy,
                   \`keel simulate-exchange\`); default: the saved setting, else the exchange
  --rate-limit MS  ms between requests for ccxt's limiter; 0 turns it off (with --api-url only)
  --trades         download trades instead (Kraken's candles reach back only 720 bars) and
                   build TF bars from them
  --json           print the report as JSON

Exit code: 0 done, 2 refused or stopped (the error names the range that failed).`;

export const command: CliCommand = {
  name: 'download',
  summary: 'download an exchange\'s history (bars or trades) into the market store, resumably',
  usage: USAGE,
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          exchange: { type: 'string' },
          symbol: { type: 'string' },
          timeframe: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          'api-url': { type: 'string' },
          'rate-limit': { type: 'string' },
          trades: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel download');
    }
    for (const k of ['exchange', 'symbol', 'timeframe', 'from']) if (typeof values[k] !== 'string') throw badInput(`--${k} is required`, `--${k}`);
    const exchange = String(values.exchange).toLowerCase();
    const from = parseTimeArg(String(values.from), '--from');
    const to = values.to === undefined ? undefined : parseTimeArg(String(values.to), '--to');
    const rateLimitMs = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
    if (rateLimitMs !== undefined && !(rateLimitMs >= 0)) throw badInput(`--rate-limit must be ms >= 0, got "${values['rate-limit']}"`, '--rate-limit');
    const apiUrl = typeof values['api-url'] === 'string' ? values['api-url'] : savedApiUrl(io, exchange);
    const client = await ExchangeClient.create({ exchange, apiUrl, rateLimitMs });
    const store = await MarketStore.open(marketDbPath(io.env));
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const printer = progressPrinter(io);
    try {
      const req = { exchange, symbol: String(values.symbol), timeframe: String(values.timeframe), from, to, apiUrl };
      const report = values.trades
        ? await downloadTrades(client, store, req, { signal: abort.signal, onProgress: printer.update })
        : await downloadBars(client, store, req, { signal: abort.signal, onProgress: printer.update });
      printer.done();
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else formatDownloadReport(report).forEach((l) => io.out(l));
      return 0;
    } finally {
      printer.done();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      store.close();
      await client.close();
    }
  },
};

function savedApiUrl(io: CliIO, exchange: string): string | undefined {
  try {
    const state = StateStore.open(join(keelHome(io.env), STATE_DB_FILE));
    try {
      return new ExchangeSettings(state).apiUrl(exchange);
    } finally {
      state.close();
    }
  } catch {
    return undefined; // no state database yet: no saved setting
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function progressLine(p: DownloadProgress): string {
  const pct = p.expected > 0 ? ` (${((100 * p.done) / p.expected).toFixed(1)}%)` : '';
  const eta = p.etaMs === undefined ? '' : `, ETA ${p.etaMs < 60_000 ? `${Math.ceil(p.etaMs / 1000)}s` : `${Math.ceil(p.etaMs / 60_000)} min`}`;
  return `download ${p.symbol} ${p.timeframe}: ${int(p.done)} of ${int(p.expected)} bars${pct}, ${int(p.ratePerSec)} bars/s${eta}`;
}

/** Progress on stderr, at most four lines a second, and the last one always. */
function progressPrinter(io: CliIO): { update(p: DownloadProgress): void; done(): void } {
  let last = 0;
  let pending: DownloadProgress | undefined;
  return {
    update(p) {
      pending = p;
      const now = Date.now();
      if (now - last < 250 && p.done < p.expected) return;
      last = now;
      io.err(progressLine(p));
      pending = undefined;
    },
    done() {
      if (pending) io.err(progressLine(pending));
      pending = undefined;
    },
  };
}

export function formatDownloadReport(r: DownloadReport): string[] {
  const secs = r.elapsedMs / 1000;
  const missing = r.gaps.reduce((a, g) => a + g.missing, 0);
  const out = [
    `${r.symbol} ${r.timeframe} ${isoTime(r.from)} .. ${isoTime(r.to)}`,
    `  stored ${int(r.stored)} new bars from ${int(r.pages)} pages in ${secs.toFixed(1)} s${r.stored > 0 ? ` (${int(r.stored / Math.max(secs, 1e-3))} bars/s)` : ''}; ${int(r.alreadyHeld)} already held${
      r.pagesOnThreads > 0 ? `; ${int(r.pagesOnThreads)} pages fetched on ${r.threads} download thread${r.threads === 1 ? '' : 's'}` : ''
    }`,
    `  gaps at the exchange: ${r.gaps.length}${r.gaps.length ? ` (${int(missing)} bars missing, none invented)` : ''}`,
  ];
  for (const g of r.gaps.slice(0, 20)) out.push(`    ${isoTime(g.from)} .. ${isoTime(g.to)}  ${int(g.missing)} bars`);
  if (r.gaps.length > 20) out.push(`    ...and ${r.gaps.length - 20} more`);
  out.push(`  duplicates merged ${int(r.duplicatesMerged)}, out of order ${int(r.outOfOrder)}, rejected ${int(r.rejected)}, retries ${int(r.retries)}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}
