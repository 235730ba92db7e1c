import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { badInput } from '../../core/errors';
import { loadBarFile } from '../../data/load-bar-file';
import { FAULT_SYNTAX, parseFaults } from '../../exchange/simulator/faults';
import { DEFAULT_MARKETS, ExchangeSimulator } from '../../exchange/simulator/server';
import { parseTimeArg } from '../time-arg';
import type { CliCommand } from '../types';

const USAGE = `keel simulate-exchange --port N [--history BARS] [--speed X] [--trades-per-second R] [--tick-ms N] [--basis-bps N]
                       [--data FILE] [--start T] [--seed S] [--faults SPEC] [--no-rate-limit] [--key KEY:SECRET]...

Runs an exchange on 127.0.0.1 that speaks Binance's spot REST and websocket APIs, so
unmodified ccxt reaches it through --api-url: markets (BTC/USDT, ETH/USDT), klines, trades,
ticker, the book, orders, open orders, my trades, balances and the user data stream.
Point Keel at it with \`--api-url http://127.0.0.1:N\` (or the Data screen's API URL).

  --port N               port (0: any free port; the URL is printed)
  --history BARS         one-minute bars of seeded random-walk history (default 10000)
  --data FILE            a bar file (CSV or Parquet) as BTC/USDT's market instead: its bars up
                         to --start are history, the rest are replayed live
  --start T              the exchange's time at start (default now; with --data the file's middle)
  --speed X              exchange time per real time (default 1; 60 closes a 1m bar a second)
  --trades-per-second R  random-walk trades a second per market (default 5)
  --tick-ms N            how often, in real ms, the market moves and sends the trades made since
                         (default 10; 1 sends each trade within a millisecond of its time)
  --seed S               seed of the random walk and the faults (default 1)
  --basis-bps N          prices carry a premium wandering around zero, N bps standard deviation:
                         with the same --seed, a second venue of the same market (history)
  --faults SPEC          comma-separated faults:
${FAULT_SYNTAX.split('\n').map((l) => `                           ${l}`).join('\n')}
  --hole FROM..TO        no bars in the history between these times (repeatable): a hole in the
                         exchange's data, which downloads must report as a gap
  --no-rate-limit        no 429s for request weight (Binance's 6,000 a minute)
  --key KEY:SECRET       accept only these API keys, and check their HMAC signatures
                         (default: any key, signatures not checked)

Control endpoints for tests: POST /_sim/drop-ws, POST /_sim/pause?ms=N, GET /_sim/state.
Ctrl-C stops it.`;

export const command: CliCommand = {
  name: 'simulate-exchange',
  summary: 'run a Binance-like exchange on 127.0.0.1 (for tests and trying things out)',
  usage: USAGE,
  async run(args, io) {
    let values: Record<string, string | boolean | string[] | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          port: { type: 'string' },
          history: { type: 'string' },
          data: { type: 'string' },
          start: { type: 'string' },
          speed: { type: 'string' },
          'trades-per-second': { type: 'string' },
          'tick-ms': { type: 'string' },
          seed: { type: 'string' },
          'basis-bps': { type: 'string' },
          faults: { type: 'string' },
          'no-rate-limit': { type: 'boolean' },
          key: { type: 'string', multiple: true },
          hole: { type: 'string', multiple: true },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      throw badInput((e as Error).message, 'keel simulate-exchange');
    }
    const num = (k: string, min: number, def: number): number => {
      if (values[k] === undefined) return def;
      const n = Number(values[k]);
      if (!(Number.isFinite(n) && n >= min)) throw badInput(`--${k} must be a number >= ${min}, got "${String(values[k])}"`, `--${k}`);
      return n;
    };
    if (values.port === undefined) throw badInput('--port is required (0 for any free port)', '--port');
    const port = num('port', 0, 0);
    if (!Number.isInteger(port) || port > 65535) throw badInput(`--port must be 0-65535, got "${String(values.port)}"`, '--port');
    const keys: Record<string, string> = {};
    for (const k of (values.key as string[] | undefined) ?? []) {
      const at = k.indexOf(':');
      if (at <= 0 || at === k.length - 1) throw badInput(`--key takes KEY:SECRET, got "${k}"`, '--key');
      keys[k.slice(0, at)] = k.slice(at + 1);
    }
    const holes = ((values.hole as string[] | undefined) ?? []).map((h) => {
      const [a, b] = h.split('..');
      if (!a || !b) throw badInput(`--hole takes FROM..TO, got "${h}"`, '--hole');
      return { from: parseTimeArg(a, '--hole'), to: parseTimeArg(b, '--hole') };
    });
    const series = typeof values.data === 'string' ? (await loadBarFile(resolve(io.cwd, values.data), { symbol: 'BTC/USDT' })).series : undefined;
    if (series && series.length < 2) throw badInput('the data file holds fewer than two bars', '--data');
    const sim = await ExchangeSimulator.start({
      port,
      historyBars: num('history', 0, 10_000),
      holes,
      series,
      baseTimeframe: series?.timeframe,
      start: typeof values.start === 'string' ? parseTimeArg(values.start, '--start') : undefined,
      speed: num('speed', 0.001, 1),
      tradesPerSecond: num('trades-per-second', 0, 5),
      tickMs: num('tick-ms', 1, 10),
      seed: num('seed', 0, 1),
      basisBps: num('basis-bps', 0, 0),
      faults: typeof values.faults === 'string' ? parseFaults(values.faults) : undefined,
      rateLimit: values['no-rate-limit'] !== true,
      keys: Object.keys(keys).length > 0 ? keys : undefined,
    });
    io.out(`keel: exchange simulator (Binance spot API) listening on ${sim.url}`);
    io.out(`keel: markets ${DEFAULT_MARKETS.map((m) => m.symbol).join(', ')}; use --api-url ${sim.url}`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void sim.stop().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
