import type { TimeInForce } from '../../model/order';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { badInput } from '../../core/errors';
import { bucketStart, timeframeMs } from '../../core/timeframe';
import type { BarSeries } from '../../model/bar';
import { SimBroker, SimReject, type SimAccount, type SimSide, type SimOrderType, type UserEvent } from './broker';
import { SimClock } from './clock';
import { Faults, WeightLimiter, type FaultConfig } from './faults';
import * as fmt from './format';
import { SimSymbol, type SimMarketSpec } from './market';

export interface SimulatorOptions {
  /** 0 (the default): any free port. Always on 127.0.0.1. */
  port?: number;
  markets?: SimMarketSpec[];
  /** The bar the market keeps (klines of longer intervals are built from it). Default 1m. */
  baseTimeframe?: string;
  /** History before the start, in base bars (default 10,000). */
  historyBars?: number;
  /** Holes in the history (bar open times [from, to)) of every market: the source has no bars there. */
  holes?: { from: number; to: number }[];
  /** A stored dataset for the first market instead of a random walk: its bars after `start` are replayed live. */
  series?: BarSeries;
  /** Prices carry a premium wandering around zero with this standard deviation, bps (history): with the same seed, a second venue. */
  basisBps?: number;
  /** Virtual time at start (default: now; with a dataset, the dataset's middle unless given). */
  start?: number;
  /** Virtual time per real time (default 1). */
  speed?: number;
  /** Random-walk trades per real second per market (default 5). */
  tradesPerSecond?: number;
  seed?: number;
  faults?: Partial<FaultConfig>;
  /** Binance's 6,000 weight a minute; off for benchmarks and long downloads. Default on. */
  rateLimit?: boolean;
  /** API keys and secrets: when given, only they are accepted and their requests must be signed. */
  keys?: Record<string, string>;
  /** Every new account's balances (default 100,000 USDT, 10 BTC, 100 ETH). */
  balances?: Record<string, number>;
  /** How often the market moves, real ms (default 10). */
  tickMs?: number;
  /** false: no user data stream over websockets (its sockets are refused), as an exchange that offers none: a client polls REST. Default true. */
  userStream?: boolean;
}

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  params: Record<string, string>;
  status: number;
}

export const DEFAULT_MARKETS: SimMarketSpec[] = [
  { symbol: 'BTC/USDT', tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 5, startPrice: 30_000 },
  { symbol: 'ETH/USDT', tickSize: 0.01, stepSize: 0.0001, minQty: 0.0001, minNotional: 5, startPrice: 2_000 },
];

/** Request weights of Binance's spot endpoints (the ones the simulator serves). */
const WEIGHTS: Record<string, number> = {
  '/api/v3/exchangeInfo': 20,
  '/api/v3/klines': 2,
  '/api/v3/aggTrades': 4,
  '/api/v3/trades': 25,
  '/api/v3/ticker/24hr': 2,
  '/api/v3/depth': 5,
  '/api/v3/account': 20,
  '/api/v3/openOrders': 6,
  '/api/v3/allOrders': 20,
  '/api/v3/myTrades': 20,
  '/api/v3/order': 4,
};

const MAX_LOG = 200_000;

interface MarketConn {
  ws: WebSocket;
  streams: Set<string>;
}

/**
 * An exchange on 127.0.0.1 that speaks enough of Binance's spot REST and websocket APIs that
 * unmodified ccxt trades against it through `--api-url`: markets, klines, trades, ticker, the
 * book (snapshot and diff stream with Binance's update ids), orders, open orders, my trades,
 * balances and the user data stream (the websocket API's signature subscription, and the older
 * listenKey stream). Faults come from configuration (faults.ts) and can be changed while it runs.
 */
export class ExchangeSimulator {
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly limiter: WeightLimiter;
  readonly broker: SimBroker;
  readonly symbols = new Map<string, SimSymbol>();
  readonly baseTimeframe: string;
  readonly requests: LoggedRequest[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly marketConns = new Set<MarketConn>();
  private readonly userSockets = new Set<WebSocket>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly listenKeys = new Map<string, SimAccount>();
  private lastTick: number;
  private owed = 0;
  private pausedUntil = 0;
  private subscriptionSeq = 0;
  private wsDownUntil = 0;
  /** Added to the close of candles on the kline stream: the exchange's candles disagree with its trades (tests the check). */
  klineCloseOffset = 0;
  /** Dead man's switches armed (Kraken's CancelAllOrdersAfter), per account. */
  private readonly deadMen = new Map<SimAccount, ReturnType<typeof setTimeout>>();
  /** How often a dead man's switch ran out and cancelled an account's open orders. */
  deadManFired = 0;
  /** Requests a test wants refused (503), e.g. one page of klines. */
  refuse: ((path: string, params: Record<string, string>) => boolean) | undefined;
  port = 0;

  private constructor(private readonly opts: SimulatorOptions) {
    this.baseTimeframe = opts.baseTimeframe ?? '1m';
    const baseMs = timeframeMs(this.baseTimeframe);
    const start = opts.start ?? (opts.series ? opts.series.ts[Math.floor(opts.series.length / 2)]! : Date.now());
    this.clock = new SimClock(start, opts.speed ?? 1);
    this.faults = new Faults(opts.faults, (opts.seed ?? 1) + 1000);
    this.limiter = new WeightLimiter(opts.rateLimit ?? true);
    this.broker = new SimBroker(() => this.clock.now(), this.faults, opts.balances ?? { USDT: 100_000, BTC: 10, ETH: 100 }, new Map(Object.entries(opts.keys ?? {})));
    const markets = opts.markets ?? DEFAULT_MARKETS;
    markets.forEach((m, i) => {
      const s = new SimSymbol(m, baseMs, start, { bars: opts.historyBars ?? 10_000, holes: opts.holes, series: i === 0 ? opts.series : undefined, basisBps: opts.basisBps }, (opts.seed ?? 1) * 31 + i);
      this.symbols.set(s.id, s);
      s.onTrades.on((trades) => {
        this.broker.onMarketTrades(s, trades);
        this.sendTrades(s, trades);
      });
      s.onKline.on(({ bar, closed }) => this.sendKlines(s, bar.ts, closed));
      s.onDepth.on((d) => this.sendStream(s, ['depth', 'depth@100ms', 'depth@1000ms'], fmt.depthEvent(s, d)));
    });
    this.lastTick = this.clock.now();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(opts: SimulatorOptions = {}): Promise<ExchangeSimulator> {
    const sim = new ExchangeSimulator(opts);
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    sim.port = (sim.server.address() as AddressInfo).port;
    sim.startLoops();
    return sim;
  }

  /** The API URL to give Keel (`--api-url`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  symbol(id: string): SimSymbol {
    const s = this.symbols.get(id.replace('/', '').toUpperCase());
    if (!s) throw badInput(`the simulator lists no ${id}`, 'symbol');
    return s;
  }

  /** Closes every websocket, as a network failure would, and refuses new ones for `downForMs`; returns how many. */
  dropWebsockets(downForMs = 0): number {
    this.wsDownUntil = Date.now() + downForMs;
    const all = [...[...this.marketConns].map((c) => c.ws), ...this.userSockets];
    for (const ws of all) ws.terminate();
    this.faults.count('drop-ws');
    return all.length;
  }

  /** The market streams subscribed now, over every connection. */
  subscriptions(): string[] {
    return [...new Set([...this.marketConns].flatMap((c) => [...c.streams]))].sort();
  }

  /** Withholds market-data stream messages for `ms` real ms (the market goes on; REST still answers). */
  pauseData(ms: number): void {
    this.pausedUntil = Date.now() + ms;
    this.faults.count('pause');
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const t of this.deadMen.values()) clearTimeout(t);
    this.deadMen.clear();
    for (const c of this.marketConns) c.ws.terminate();
    for (const ws of this.userSockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------- the market's clock ----------

  private startLoops(): void {
    const tickMs = this.opts.tickMs ?? 10;
    const perSecond = this.opts.tradesPerSecond ?? 5;
    let realLast = Date.now();
    this.timers.push(
      setInterval(() => {
        const now = this.clock.now();
        const real = Date.now();
        this.owed += ((real - realLast) / 1000) * perSecond;
        realLast = real;
        const count = Math.floor(this.owed);
        this.owed -= count;
        for (const s of this.symbols.values()) s.advance(this.lastTick, now, count);
        this.lastTick = now;
      }, tickMs),
      setInterval(() => {
        for (const s of this.symbols.values()) s.flushDepth();
      }, 100),
      setInterval(() => {
        for (const s of this.symbols.values()) {
          this.sendStream(s, ['ticker'], fmt.tickerEvent(s, this.clock.now()));
          this.sendStream(s, ['miniTicker'], fmt.miniTickerEvent(s, this.clock.now()));
        }
      }, 1000),
    );
    const f = this.faults.config;
    if (f.dropWsEveryMs > 0) this.timers.push(setInterval(() => this.dropWebsockets(), f.dropWsEveryMs));
    if (f.pauseEveryMs > 0 && f.pauseForMs > 0) this.timers.push(setInterval(() => this.pauseData(f.pauseForMs), f.pauseEveryMs));
    for (const t of this.timers) t.unref?.();
  }

  // ---------- market streams ----------

  private sendStream(s: SimSymbol, names: string[], payload: unknown): void {
    if (this.marketConns.size === 0 || Date.now() < this.pausedUntil) return;
    const lower = s.id.toLowerCase();
    const wanted = names.map((n) => `${lower}@${n}`);
    let text: string | undefined;
    for (const c of this.marketConns) {
      if (!wanted.some((w) => c.streams.has(w))) continue;
      text ??= JSON.stringify(payload);
      c.ws.send(text);
    }
  }

  private sendTrades(s: SimSymbol, trades: { id: number; ts: number; price: number; qty: number; buyerMaker: boolean }[]): void {
    if (this.marketConns.size === 0 || Date.now() < this.pausedUntil) return;
    const now = this.clock.now();
    for (const name of ['trade', 'aggTrade'] as const) {
      const key = `${s.id.toLowerCase()}@${name}`;
      const conns = [...this.marketConns].filter((c) => c.streams.has(key));
      if (conns.length === 0) continue;
      for (const t of trades) {
        const text = JSON.stringify(fmt.tradeEvent(s, t, name, now));
        for (const c of conns) c.ws.send(text);
      }
    }
  }

  private sendKlines(s: SimSymbol, baseTs: number, baseClosed: boolean): void {
    if (this.marketConns.size === 0 || Date.now() < this.pausedUntil) return;
    const lower = s.id.toLowerCase();
    const intervals = new Set<string>();
    for (const c of this.marketConns) for (const st of c.streams) if (st.startsWith(`${lower}@kline_`)) intervals.add(st.slice(lower.length + 7));
    const now = this.clock.now();
    for (const interval of intervals) {
      let ms: number;
      try {
        ms = timeframeMs(interval);
      } catch {
        continue;
      }
      if (ms % s.baseMs !== 0) continue;
      const bucket = bucketStart(baseTs, ms);
      const bar = s.klines(ms, bucket, bucket + ms - 1, 1)[0];
      if (!bar) continue;
      const closed = baseClosed && baseTs + s.baseMs === bucket + ms;
      if (this.klineCloseOffset !== 0) bar.close += this.klineCloseOffset;
      this.sendStream(s, [`kline_${interval}`], fmt.klineEvent(s, bar, interval, ms, closed, now));
    }
  }

  private upgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (Date.now() < this.wsDownUntil) {
      socket.destroy();
      return;
    }
    const key = path.split('/')[2];
    const byKey = key ? this.listenKeys.get(key) : undefined;
    if (this.opts.userStream === false && (path.startsWith('/ws-api/') || byKey)) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (path.startsWith('/ws-api/')) return this.wsApi(ws);
      if (byKey) return this.userStream(ws, byKey, (e) => fmt.userEvent(e, byKey));
      this.marketStream(ws);
    });
  }

  private marketStream(ws: WebSocket): void {
    const conn: MarketConn = { ws, streams: new Set() };
    this.marketConns.add(conn);
    ws.on('close', () => this.marketConns.delete(conn));
    ws.on('error', () => this.marketConns.delete(conn));
    ws.on('message', (raw) => {
      let m: { method?: string; params?: string[]; id?: unknown };
      try {
        m = JSON.parse(String(raw)) as typeof m;
      } catch {
        return ws.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: not JSON' } }));
      }
      const params = Array.isArray(m.params) ? m.params.map(String) : [];
      if (m.method === 'SUBSCRIBE') params.forEach((p) => conn.streams.add(p));
      else if (m.method === 'UNSUBSCRIBE') params.forEach((p) => conn.streams.delete(p));
      else if (m.method === 'LIST_SUBSCRIPTIONS') return ws.send(JSON.stringify({ result: [...conn.streams], id: m.id }));
      else return ws.send(JSON.stringify({ error: { code: 1, msg: `unknown method ${String(m.method)}` }, id: m.id }));
      ws.send(JSON.stringify({ result: null, id: m.id }));
    });
  }

  /** The websocket API: here only the user data stream's signature subscription (and ping). */
  private wsApi(ws: WebSocket): void {
    this.userSockets.add(ws);
    const offs: (() => void)[] = [];
    ws.on('close', () => {
      this.userSockets.delete(ws);
      offs.forEach((off) => off());
    });
    ws.on('message', (raw) => {
      let m: { id?: unknown; method?: string; params?: Record<string, unknown> };
      try {
        m = JSON.parse(String(raw)) as typeof m;
      } catch {
        return;
      }
      const reply = (status: number, body: Record<string, unknown>) => ws.send(JSON.stringify({ id: m.id, status, ...body }));
      if (m.method === 'ping') return reply(200, { result: {} });
      if (m.method !== 'userDataStream.subscribe.signature') return reply(400, { error: { code: -1020, msg: `This operation is not supported: ${String(m.method)}` } });
      try {
        const params = Object.fromEntries(Object.entries(m.params ?? {}).map(([k, v]) => [k, String(v)]));
        const acct = this.broker.account(params.apiKey);
        // The websocket API signs the key-sorted parameters without the signature.
        const payload = Object.keys(params)
          .filter((k) => k !== 'signature')
          .sort()
          .map((k) => `${k}=${params[k]}`)
          .join('&');
        this.checkSignature(acct, payload, params.signature, params.timestamp, params.recvWindow);
        const subscriptionId = this.subscriptionSeq++;
        offs.push(acct.events.on((e) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ subscriptionId, event: fmt.userEvent(e, acct) }))));
        reply(200, { result: { subscriptionId } });
      } catch (e) {
        const r = e instanceof SimReject ? e : new SimReject(-1000, String(e));
        reply(r.status, { error: { code: r.code, msg: r.msg } });
      }
    });
  }

  private userStream(ws: WebSocket, acct: SimAccount, format: (e: UserEvent) => unknown): void {
    this.userSockets.add(ws);
    const off = acct.events.on((e) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(format(e))));
    ws.on('close', () => {
      off();
      this.userSockets.delete(ws);
    });
  }

  // ---------- REST ----------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const log: LoggedRequest = { at: Date.now(), method, path, params: { ...params }, status: 0 };
    delete log.params.signature;
    if (this.requests.length >= MAX_LOG) this.requests.splice(0, MAX_LOG / 2);
    this.requests.push(log);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': typeof payload === 'string' && status >= 500 ? 'text/plain' : 'application/json', 'x-mbx-used-weight-1m': String(this.limiter.usedWeight()), ...headers });
      res.end(text);
    };
    if (path.startsWith('/_sim/')) return this.control(path, params, send);
    const f = this.faults.config;
    const over = this.limiter.take(WEIGHTS[path] ?? 1, Date.now());
    if (over !== undefined) {
      this.faults.count('rate-limit');
      return send(429, { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' }, { 'retry-after': String(over) });
    }
    if (this.faults.draw('429', f.rate429)) return send(429, { code: -1003, msg: 'Too many requests; please use the websocket for live updates.' }, { 'retry-after': String(f.retryAfterSec) });
    if (this.faults.draw('5xx', f.rate5xx) || this.refuse?.(path, params)) return send(503, 'Service Unavailable');
    const delay = f.latencyMs + (this.faults.draw('slow', f.slow) ? f.slowMs : 0) + (method === 'POST' && path === '/api/v3/order' ? f.holdCreateMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    try {
      const out = this.route(method, path, params, req, url, body);
      if (out === DROP) {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      send(200, out);
    } catch (e) {
      if (e instanceof SimReject) return send(e.status, { code: e.code, msg: e.msg });
      send(500, { code: -1000, msg: `An unknown error occurred while processing the request: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private control(path: string, params: Record<string, string>, send: (status: number, payload: unknown) => void): void {
    if (path === '/_sim/drop-ws') return send(200, { dropped: this.dropWebsockets(Number(params.downMs ?? 0)) });
    if (path === '/_sim/pause') {
      this.pauseData(Number(params.ms ?? 5000));
      return send(200, { pausedMs: Number(params.ms ?? 5000) });
    }
    if (path === '/_sim/state') {
      return send(200, {
        now: this.clock.now(),
        faults: this.faults.config,
        injected: this.faults.injected,
        requests: this.requests.length,
        markets: [...this.symbols.values()].map((s) => ({ symbol: s.spec.symbol, closedBars: s.closedCount, lastPrice: s.lastPrice() })),
      });
    }
    send(404, { code: -1, msg: `no control ${path}` });
  }

  private sym(params: Record<string, string>): SimSymbol {
    const s = params.symbol ? this.symbols.get(params.symbol.toUpperCase()) : undefined;
    if (!s) throw new SimReject(-1121, 'Invalid symbol.');
    return s;
  }

  private route(method: string, path: string, p: Record<string, string>, req: IncomingMessage, url: URL, body: string): unknown {
    const now = this.clock.now();
    const int = (k: string): number | undefined => (p[k] === undefined ? undefined : Number(p[k]));
    const limitOf = (def: number, max: number) => Math.max(1, Math.min(max, int('limit') ?? def));
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /api/v3/ping':
        return {};
      case 'GET /api/v3/time':
        return { serverTime: now };
      case 'GET /api/v3/exchangeInfo':
        return fmt.exchangeInfo([...this.symbols.values()], now);
      case 'GET /api/v3/klines': {
        const s = this.sym(p);
        let ms: number;
        try {
          ms = timeframeMs(p.interval ?? '');
        } catch {
          throw new SimReject(-1120, 'Invalid interval.');
        }
        if (ms % s.baseMs !== 0) throw new SimReject(-1120, 'Invalid interval.');
        const rows = s.klines(ms, int('startTime'), int('endTime'), limitOf(500, 1000)).map((b) => fmt.klineRow(b, ms));
        return `[${rows.join(',')}]`;
      }
      case 'GET /api/v3/aggTrades':
        return this.sym(p).aggTrades({ fromId: int('fromId'), startTime: int('startTime'), endTime: int('endTime'), limit: limitOf(500, 1000) }).map(fmt.aggTrade);
      case 'GET /api/v3/trades':
        return this.sym(p).aggTrades({ limit: limitOf(500, 1000) }).map(fmt.recentTrade);
      case 'GET /api/v3/ticker/24hr':
        return p.symbol ? fmt.ticker24h(this.sym(p), now) : [...this.symbols.values()].map((s) => fmt.ticker24h(s, now));
      case 'GET /api/v3/depth':
        return fmt.depth(this.sym(p), limitOf(100, 5000));
      case 'POST /api/v3/userDataStream': {
        const acct = this.broker.account(header(req, 'x-mbx-apikey'));
        const listenKey = `lk${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
        this.listenKeys.set(listenKey, acct);
        return { listenKey };
      }
      case 'PUT /api/v3/userDataStream':
      case 'DELETE /api/v3/userDataStream':
        return {};
    }
    // Kraken's dead man's switch (Binance spot has none): the one endpoint served in Kraken's terms.
    if (key === 'POST /0/private/CancelAllOrdersAfter') return this.cancelAllAfter(this.krakenSigned(req, path, body, p), p.timeout);
    // Everything below is signed.
    const acct = this.signed(req, url, body, p);
    switch (key) {
      case 'POST /api/v3/order':
      case 'POST /api/v3/order/test': {
        const s = this.sym(p);
        const side = p.side as SimSide;
        const type = p.type as SimOrderType;
        if (side !== 'BUY' && side !== 'SELL') throw new SimReject(-1117, 'Invalid side.');
        if (!['LIMIT', 'MARKET', 'LIMIT_MAKER'].includes(type)) throw new SimReject(-1116, 'Invalid orderType.');
        if (key.endsWith('/test')) return {};
        const o = this.broker.create(acct, {
          symbol: s,
          side,
          type,
          timeInForce: p.timeInForce as Exclude<TimeInForce, 'DAY'> | undefined,
          quantity: int('quantity'),
          quoteOrderQty: int('quoteOrderQty'),
          price: int('price'),
          newClientOrderId: p.newClientOrderId,
        });
        if (this.faults.draw('timeout-after-accept', this.faults.config.timeoutAfterAccept)) return DROP;
        return p.newOrderRespType === 'ACK' ? { symbol: s.id, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time } : fmt.newOrderFull(o);
      }
      case 'DELETE /api/v3/order':
        return fmt.order(this.broker.cancel(acct, this.sym(p), { orderId: int('orderId'), origClientOrderId: p.origClientOrderId, newClientOrderId: p.newClientOrderId }));
      case 'GET /api/v3/order': {
        const o = this.broker.find(acct, this.sym(p), { orderId: int('orderId'), origClientOrderId: p.origClientOrderId });
        if (!o) throw new SimReject(-2013, 'Order does not exist.');
        return fmt.order(o);
      }
      case 'GET /api/v3/openOrders':
        return acct.openOrders(p.symbol ? this.sym(p) : undefined).map(fmt.order);
      case 'DELETE /api/v3/openOrders': {
        const s = this.sym(p);
        return acct.openOrders(s).map((o) => fmt.order(this.broker.cancel(acct, s, { orderId: o.orderId })));
      }
      case 'GET /api/v3/allOrders': {
        const s = this.sym(p);
        const from = int('startTime') ?? 0;
        return [...acct.orders.values()].filter((o) => o.symbol === s && o.time >= from).slice(-limitOf(500, 1000)).map(fmt.order);
      }
      case 'GET /api/v3/myTrades': {
        const s = this.sym(p);
        const from = int('startTime') ?? 0;
        const fromId = int('fromId') ?? 0;
        const orderId = int('orderId');
        return acct.trades
          .filter((t) => t.symbol === s.id && t.time >= from && t.tradeId >= fromId && (orderId === undefined || t.orderId === orderId))
          .slice(0, limitOf(500, 1000))
          .map(fmt.myTrade);
      }
      case 'GET /api/v3/account':
        return fmt.account(acct, now);
    }
    throw new SimReject(-1, `the simulator does not serve ${method} ${path}`, 404);
  }

  /**
   * Kraken's CancelAllOrdersAfter: `timeout` seconds (real time) from now, every open order of
   * the account is cancelled, unless the call is made again first (which sets a new deadline);
   * timeout 0 disarms it. Answered as Kraken answers.
   */
  private cancelAllAfter(acct: SimAccount, timeout: string | undefined): unknown {
    const sec = Number(timeout);
    if (timeout === undefined || !(Number.isInteger(sec) && sec >= 0 && sec < 86_400)) throw new SimReject(-1102, 'EGeneral:Invalid arguments:timeout');
    clearTimeout(this.deadMen.get(acct));
    this.deadMen.delete(acct);
    const now = Date.now();
    if (sec > 0) {
      const t = setTimeout(() => {
        this.deadMen.delete(acct);
        this.deadManFired++;
        for (const o of acct.openOrders()) this.broker.cancel(acct, o.symbol, { orderId: o.orderId });
      }, sec * 1000);
      t.unref?.();
      this.deadMen.set(acct, t);
    }
    const iso = (t: number) => `${new Date(t).toISOString().slice(0, 19)}Z`;
    return { error: [], result: { currentTime: iso(now), triggerTime: sec > 0 ? iso(now + sec * 1000) : '0' } };
  }

  /** The account of a Kraken-signed request: API-Sign is HMAC-SHA512 (key: the base64-decoded secret) of the path and SHA-256 of nonce and body. */
  private krakenSigned(req: IncomingMessage, path: string, body: string, p: Record<string, string>): SimAccount {
    const acct = this.broker.account(header(req, 'api-key'));
    const sign = header(req, 'api-sign');
    if (p.nonce === undefined || sign === undefined) throw new SimReject(-1102, 'EAPI:Invalid nonce', 401);
    if (acct.secret === undefined) return acct;
    const hash = createHash('sha256').update(p.nonce + body).digest();
    const want = createHmac('sha512', Buffer.from(acct.secret, 'base64')).update(Buffer.concat([Buffer.from(path), hash])).digest('base64');
    if (want.length !== sign.length || !timingSafeEqual(Buffer.from(want), Buffer.from(sign))) throw new SimReject(-1022, 'EAPI:Invalid key', 401);
    return acct;
  }

  /** The account of a signed request, its signature checked when the key is known (Binance: HMAC-SHA256 of query then body). */
  private signed(req: IncomingMessage, url: URL, body: string, p: Record<string, string>): SimAccount {
    const acct = this.broker.account(header(req, 'x-mbx-apikey'));
    const strip = (s: string) => s.replace(/&?signature=[^&]*/, '');
    const payload = strip(url.search.replace(/^\?/, '')) + strip(body);
    this.checkSignature(acct, payload, p.signature, p.timestamp, p.recvWindow);
    return acct;
  }

  private checkSignature(acct: SimAccount, payload: string, signature: string | undefined, timestamp: string | undefined, recvWindow: string | undefined): void {
    if (timestamp === undefined) throw new SimReject(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    if (signature === undefined) throw new SimReject(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    if (acct.secret === undefined) return;
    const want = createHmac('sha256', acct.secret).update(payload).digest('hex');
    const ok = want.length === signature.length && timingSafeEqual(Buffer.from(want), Buffer.from(signature));
    if (!ok) throw new SimReject(-1022, 'Signature for this request is not valid.');
    const window = Number(recvWindow ?? 5000);
    if (Math.abs(Date.now() - Number(timestamp)) > Math.max(window, 1000)) throw new SimReject(-1021, 'Timestamp for this request is outside of the recvWindow.');
  }
}

const DROP = Symbol('drop the connection');

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    return Promise.resolve('');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}
