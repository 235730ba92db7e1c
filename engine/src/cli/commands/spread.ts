import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import type { BarSeries } from '../../model/bar';
import { isoTime } from '../../data/import-report';
import { loadBarFile } from '../../data/load-bar-file';
import { MarketStore, marketDbPath } from '../../data/market-store';
import { analyzeSpread, spreadSummary, type SpreadResult } from '../../data/spread';
import { parseTimeArg } from '../time-arg';
import type { CliCommand, CliIO } from '../types';

const USAGE = `keel spread --data A --data B [--fee-a F] [--fee-b F] [--slippage S] --threshold X --out DIR
            [--timeframe TF] [--from T] [--to T] [--participation P] [--json]

The same asset on two venues, aligned on bar time: the gross spread (B - A) / A, the spread
net of both legs' fees and slippage, and the opportunities: runs of bars whose net spread
stays above the threshold in one direction, with start, duration, peak, the size that could
be traded and its net PnL.

  --data A, --data B  a bar file (CSV or Parquet), or a dataset in the store such as
                      binance:BTC/USDT (with --timeframe)
  --fee-a, --fee-b F  fee per fill on each venue, a fraction (default 0.001 = 10 bps)
  --slippage S        slippage per leg, a fraction of price (default 0)
  --threshold X       net spread an opportunity must exceed, a fraction (e.g. 0.001)
  --timeframe TF      timeframe of store datasets (default 1m)
  --from, --to T      time range (2024-01-01, ISO or ms since 1970)
  --participation P   share of the smaller venue's bar volume tradable per bar (default 0.1)
  --out DIR           writes spread.csv (ts, a, b, gross, net), opportunities.csv, summary.json
  --json              print the summary as JSON`;

export const command: CliCommand = {
  name: 'spread',
  summary: 'cross-exchange spread of one asset on two venues: gross, net of costs, opportunities',
  usage: USAGE,
  async run(args, io) {
    let values: Record<string, string | boolean | string[] | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          data: { type: 'string', multiple: true },
          'fee-a': { type: 'string' },
          'fee-b': { type: 'string' },
          slippage: { type: 'string' },
          threshold: { type: 'string' },
          timeframe: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          participation: { type: 'string' },
          out: { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel spread');
    }
    const data = (values.data as string[] | undefined) ?? [];
    if (data.length !== 2) throw badInput(`give exactly two --data (got ${data.length})`, '--data');
    if (typeof values.threshold !== 'string') throw badInput('--threshold is required (a fraction, e.g. 0.001)', '--threshold');
    if (typeof values.out !== 'string') throw badInput('--out DIR is required', '--out');
    const num = (k: string, def: number): number => {
      if (values[k] === undefined) return def;
      const n = Number(values[k]);
      if (!Number.isFinite(n)) throw badInput(`--${k} must be a number, got "${String(values[k])}"`, `--${k}`);
      return n;
    };
    const range = {
      from: typeof values.from === 'string' ? parseTimeArg(values.from, '--from') : undefined,
      to: typeof values.to === 'string' ? parseTimeArg(values.to, '--to') : undefined,
    };
    const timeframe = typeof values.timeframe === 'string' ? values.timeframe : undefined;
    const [a, b] = await loadBoth(io, data as [string, string], timeframe, range);
    const result = analyzeSpread(a, b, {
      feeA: num('fee-a', 0.001),
      feeB: num('fee-b', 0.001),
      slippage: num('slippage', 0),
      threshold: num('threshold', 0),
      participation: num('participation', 0.1),
    });
    const out = resolve(io.cwd, values.out);
    writeSpreadFiles(out, result);
    const summary = { ...spreadSummary(result), opportunities: result.opportunities.length };
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    else {
      io.out(`${result.symbolA} vs ${result.symbolB} ${result.timeframe}: ${result.aligned.toLocaleString('en-US')} bars aligned (${result.onlyA} only on A, ${result.onlyB} only on B); round-trip cost ${(result.cost * 1e4).toFixed(1)} bps`);
      io.out(`  ${result.opportunities.length} opportunities above ${(num('threshold', 0) * 1e4).toFixed(1)} bps net, ${result.totalSize.toPrecision(6)} tradable, net PnL ${result.totalPnl.toFixed(2)}`);
      for (const o of result.opportunities.slice(0, 20)) {
        io.out(`  ${isoTime(o.start)}  ${Math.round(o.durationMs / 60_000)} min  ${o.direction}  peak ${(o.peakNet * 1e4).toFixed(1)} bps  size ${o.size.toPrecision(4)}  pnl ${o.pnl.toFixed(2)}`);
      }
      if (result.opportunities.length > 20) io.out(`  ...and ${result.opportunities.length - 20} more (opportunities.csv)`);
      io.out(`  wrote ${join(out, 'spread.csv')}, opportunities.csv, summary.json`);
    }
    return 0;
  },
};

async function loadBoth(io: CliIO, data: [string, string], timeframe: string | undefined, range: { from?: number; to?: number }): Promise<[BarSeries, BarSeries]> {
  const files = data.map((d) => resolve(io.cwd, d));
  const fromStore = data.filter((_, i) => !existsSync(files[i]!));
  const store = fromStore.length > 0 ? await MarketStore.open(marketDbPath(io.env)) : undefined;
  try {
    const load = async (d: string, i: number): Promise<BarSeries> => {
      let s: BarSeries;
      if (existsSync(files[i]!)) s = (await loadBarFile(files[i]!, { timeframe })).series;
      else s = await store!.bars(d, timeframe ?? '1m', range);
      return clip(s, range);
    };
    return [await load(data[0], 0), await load(data[1], 1)];
  } finally {
    store?.close();
  }
}

function clip(s: BarSeries, r: { from?: number; to?: number }): BarSeries {
  if (r.from === undefined && r.to === undefined) return s;
  let i = 0;
  while (i < s.length && s.ts[i]! < (r.from ?? -Infinity)) i++;
  let j = i;
  while (j < s.length && s.ts[j]! < (r.to ?? Infinity)) j++;
  const sub = (a: Float64Array) => a.subarray(i, j);
  return { ...s, length: j - i, ts: sub(s.ts), open: sub(s.open), high: sub(s.high), low: sub(s.low), close: sub(s.close), volume: sub(s.volume) };
}

/** The three output files, each written whole (a temporary name, then renamed). */
function writeSpreadFiles(dir: string, r: SpreadResult): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    const tmp = join(dir, `.${name}.partial-${process.pid}`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  };
  const rows = ['ts,a,b,gross,net'];
  for (let i = 0; i < r.ts.length; i++) rows.push(`${r.ts[i]},${r.a[i]},${r.b[i]},${r.gross[i]},${r.net[i]}`);
  write('spread.csv', rows.join('\n') + '\n');
  const opp = ['start,end,duration_ms,bars,direction,peak_net,mean_net,size,pnl'];
  for (const o of r.opportunities) opp.push(`${o.start},${o.end},${o.durationMs},${o.bars},${o.direction},${o.peakNet},${o.meanNet},${o.size},${o.pnl}`);
  write('opportunities.csv', opp.join('\n') + '\n');
  write('summary.json', JSON.stringify({ ...spreadSummary(r), opportunities: r.opportunities.length, list: r.opportunities }, null, 2) + '\n');
}
