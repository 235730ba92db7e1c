import {
  RpcClient,
  messagePortTransport,
  webSocketTransport,
  type ClientTransport,
  type MessagePortLike,
  type RequestOptions,
  type WebSocketLike,
} from '../../../engine/protocol/client';
import type { EngineInfo, MethodName, Params, Result, ServerMessage, TopicName, Topics } from '../../../engine/protocol';

/**
 * What the UI shows about its link to the engine. `ready` only after the engine's hello:
 * an open socket to an engine still starting is not yet usable.
 */
export type ConnectionState = 'connecting' | 'ready' | 'restarting' | 'disconnected';

/**
 * The page's link to the engine: the shared RpcClient plus what a UI needs around it: a
 * visible state, and a new transport whenever the old one dies (a WebSocket reconnects
 * with backoff; in Electron main hands over a fresh MessagePort). Subscriptions survive
 * (RpcClient re-sends them on attach), and every hello tells screens to reload.
 */
export class EngineConnection {
  readonly rpc = new RpcClient();
  private _state: ConnectionState = 'connecting';
  private everReady = false;
  private stateHandlers = new Set<(s: ConnectionState) => void>();
  private readyHandlers = new Set<(info: EngineInfo) => void>();
  private deliver: ((msg: ServerMessage) => void) | undefined;

  constructor() {
    this.rpc.onHello((info) => {
      performance.mark('keel:hello');
      this.everReady = true;
      this.setState('ready');
      for (const h of this.readyHandlers) h(info);
    });
    this.rpc.onClose(() => this.lost());
    this.rpc.subscribe('engine', (e) => {
      if (e.state === 'restarting') this.setState('restarting');
      else if (e.state === 'stopped') this.setState('disconnected');
    });
  }

  get state(): ConnectionState {
    return this._state;
  }

  get info(): EngineInfo | undefined {
    return this.rpc.info;
  }

  /** Binds a fresh transport (tapped so a bench can inject pushes through the same path). */
  attach(t: ClientTransport): void {
    this.rpc.attach({
      send: (m) => t.send(m),
      onMessage: (fn) => {
        this.deliver = fn;
        t.onMessage(fn);
      },
      onClose: t.onClose ? (fn) => t.onClose!(fn) : undefined,
      close: t.close ? () => t.close!() : undefined,
    });
  }

  /** The engine went away; a transport will be attached again when it is back. */
  lost(): void {
    this.setState(this.everReady ? 'restarting' : 'connecting');
  }

  call<M extends MethodName>(method: M, params: Params<M>, opts?: RequestOptions): Promise<Result<M>> {
    return this.rpc.request(method, params, opts);
  }

  on<T extends TopicName>(topic: T, fn: (item: Topics[T]) => void): () => void {
    return this.rpc.subscribe(topic, fn);
  }

  onState(handler: (s: ConnectionState) => void): () => void {
    this.stateHandlers.add(handler);
    handler(this._state);
    return () => this.stateHandlers.delete(handler);
  }

  /** Called after every hello: the first connection and each reconnect (screens reload then). */
  onReady(handler: (info: EngineInfo) => void): () => void {
    this.readyHandlers.add(handler);
    if (this._state === 'ready' && this.rpc.info) handler(this.rpc.info);
    return () => this.readyHandlers.delete(handler);
  }

  /** Feeds a server message in as if it came over the wire (benchmarks of the render path). */
  inject(msg: ServerMessage): void {
    this.deliver?.(msg);
  }

  close(): void {
    this.rpc.close();
    this.setState('disconnected');
  }

  private setState(s: ConnectionState): void {
    if (s === this._state) return;
    this._state = s;
    for (const h of this.stateHandlers) h(s);
  }
}

export interface ReconnectOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Keeps a WebSocket to the headless engine: on every close, waits (doubling up to the max)
 * and opens a new one. The engine may be restarted under a watching browser; the trader
 * should see a banner, not a dead page. Returns a stop function.
 */
export function keepWebSocket(conn: EngineConnection, open: () => WebSocketLike, opts: ReconnectOptions = {}): () => void {
  const min = opts.minDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 4000;
  let delay = min;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: WebSocketLike | undefined;
  const offReady = conn.onReady(() => {
    delay = min;
  });
  const start = (): void => {
    if (stopped) return;
    const ws = open();
    current = ws;
    const t = webSocketTransport(ws);
    t.onClose?.(() => {
      if (stopped || current !== ws) return;
      conn.lost();
      timer = setTimeout(start, delay);
      delay = Math.min(max, delay * 2);
    });
    conn.attach(t);
  };
  start();
  return () => {
    stopped = true;
    offReady();
    clearTimeout(timer);
    current?.close();
  };
}

/** Electron: ports arrive as window messages from the preload (contextBridge cannot carry them). */
export function acceptEnginePorts(
  conn: EngineConnection,
  target: Pick<Window, 'addEventListener'>,
  messages: { port: string; lost: string },
): void {
  target.addEventListener('message', (ev: MessageEvent) => {
    if (ev.data === messages.port && ev.ports[0]) conn.attach(messagePortTransport(ev.ports[0] as MessagePortLike));
    else if (ev.data === messages.lost) conn.lost();
  });
}
