/**
 * The client side of the protocol, shared by every UI. Transport-agnostic: give it
 * something that can send a ClientMessage and deliver ServerMessages (a MessagePort in
 * Electron, a WebSocket in a browser; adapters below). Errors come back as RpcError with
 * the engine's code and `where`, so a form can point at the field at fault.
 * Plain TypeScript: no Node, no DOM types (structural interfaces only).
 */
import type { ClientMessage, EngineInfo, ErrorCode, MethodName, Params, Result, ServerMessage, TopicName, Topics, WireError } from './index';

export interface ClientTransport {
  send(msg: ClientMessage): void;
  /** Registers the one handler for incoming messages. */
  onMessage(fn: (msg: ServerMessage) => void): void;
  /** Called once when the transport is gone (socket closed, port closed). */
  onClose?(fn: () => void): void;
  close?(): void;
}

export class RpcError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(e: WireError) {
    super(e.message);
    this.name = 'RpcError';
    this.code = e.code;
    this.where = e.where;
    this.details = e.details;
  }
}

export function isRpcError(e: unknown): e is RpcError {
  return e instanceof RpcError;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Listener = (item: never) => void;

export interface RequestOptions {
  /** Rejects with code UNAVAILABLE after this long; default 30 s, 0 = never. */
  timeoutMs?: number;
}

export class RpcClient {
  private transport: ClientTransport | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<TopicName, Set<Listener>>();
  private readonly helloListeners = new Set<(info: EngineInfo) => void>();
  private readonly closeListeners = new Set<() => void>();
  /** The engine's hello, once received. */
  info: EngineInfo | undefined;

  constructor(transport?: ClientTransport) {
    if (transport) this.attach(transport);
  }

  /**
   * Binds to a (new) transport, e.g. the port that arrives after an engine restart.
   * Requests still waiting on the old one fail with UNAVAILABLE; subscriptions carry over.
   */
  attach(transport: ClientTransport): void {
    const old = this.transport;
    this.transport = transport;
    if (old) {
      this.failPending('the engine connection was replaced');
      old.close?.();
    }
    transport.onMessage((msg) => {
      if (this.transport === transport) this.receive(msg);
    });
    transport.onClose?.(() => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      this.failPending('the engine connection closed');
      for (const fn of this.closeListeners) fn();
    });
    if (this.listeners.size > 0) this.sendSubscriptions();
  }

  get connected(): boolean {
    return this.transport !== undefined;
  }

  request<M extends MethodName>(method: M, params: Params<M>, opts: RequestOptions = {}): Promise<Result<M>> {
    const transport = this.transport;
    if (!transport) return Promise.reject(new RpcError({ code: 'UNAVAILABLE', message: 'not connected to the engine', where: method }));
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise<Result<M>>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new RpcError({ code: 'UNAVAILABLE', message: `${method} got no answer within ${timeoutMs} ms`, where: method }));
            }, timeoutMs)
          : undefined;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        transport.send({ t: 'req', id, method, params });
      } catch (e) {
        this.settle(id);
        reject(new RpcError({ code: 'UNAVAILABLE', message: `could not send ${method}: ${String(e)}`, where: method }));
      }
    });
  }

  /** Calls `fn` for every pushed item of `topic`. Returns an unsubscribe. */
  subscribe<T extends TopicName>(topic: T, fn: (item: Topics[T]) => void): () => void {
    let set = this.listeners.get(topic);
    const isNew = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(fn as Listener);
    if (isNew) this.sendSubscriptions();
    return () => {
      const s = this.listeners.get(topic);
      if (!s || !s.delete(fn as Listener) || s.size > 0) return;
      this.listeners.delete(topic);
      this.sendSubscriptions();
    };
  }

  onHello(fn: (info: EngineInfo) => void): () => void {
    this.helloListeners.add(fn);
    return () => this.helloListeners.delete(fn);
  }

  onClose(fn: () => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  close(): void {
    const t = this.transport;
    this.transport = undefined;
    this.failPending('the client was closed');
    t?.close?.();
  }

  private sendSubscriptions(): void {
    try {
      this.transport?.send({ t: 'sub', topics: [...this.listeners.keys()] });
    } catch {
      // A dead transport reports itself through onClose; the next attach re-sends.
    }
  }

  private receive(msg: ServerMessage): void {
    switch (msg.t) {
      case 'res': {
        const p = this.settle(msg.id);
        if (!p) return;
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new RpcError(msg.error));
        return;
      }
      case 'push': {
        const set = this.listeners.get(msg.topic);
        if (!set) return;
        for (const item of msg.items) for (const fn of set) fn(item as never);
        return;
      }
      case 'hello':
        this.info = msg.info;
        for (const fn of this.helloListeners) fn(msg.info);
        return;
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    return p;
  }

  private failPending(message: string): void {
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(new RpcError({ code: 'UNAVAILABLE', message }));
    }
  }
}

// ---------- transport adapters (structural: browser WebSocket / MessagePort, or Node's) ----------

interface EventTargetLike<E> {
  addEventListener(type: string, fn: (e: E) => void): void;
}

export interface WebSocketLike extends EventTargetLike<{ data?: unknown }> {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
}

/** A browser WebSocket (or anything shaped like one). Sends queue until the socket opens. */
export function webSocketTransport(ws: WebSocketLike): ClientTransport {
  const OPEN = 1;
  const queue: string[] = [];
  ws.addEventListener('open', () => {
    for (const m of queue.splice(0)) ws.send(m);
  });
  return {
    send(msg) {
      const text = JSON.stringify(msg);
      if (ws.readyState === OPEN) ws.send(text);
      else if (ws.readyState === 0) queue.push(text);
      else throw new Error('WebSocket is closed');
    },
    onMessage(fn) {
      ws.addEventListener('message', (e) => {
        if (typeof e.data === 'string') fn(JSON.parse(e.data) as ServerMessage);
      });
    },
    onClose(fn) {
      ws.addEventListener('close', () => fn());
    },
    close: () => ws.close(),
  };
}

export interface MessagePortLike extends EventTargetLike<{ data?: unknown }> {
  postMessage(msg: unknown): void;
  start(): void;
  close(): void;
}

/** A DOM MessagePort (Electron renderer). Messages are structured-cloned, not JSON. */
export function messagePortTransport(port: MessagePortLike): ClientTransport {
  return {
    send: (msg) => port.postMessage(msg),
    onMessage(fn) {
      port.addEventListener('message', (e) => fn(e.data as ServerMessage));
      port.start();
    },
    onClose(fn) {
      port.addEventListener('close', () => fn());
    },
    close: () => port.close(),
  };
}
