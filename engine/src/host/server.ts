import {
  PROTOCOL_VERSION,
  TOPIC_NAMES,
  type EngineInfo,
  type MethodHandlers,
  type MethodName,
  type ServerMessage,
  type TopicName,
  type Topics,
  type WireError,
} from '../../protocol/index';
import { isMethodName, parseParams } from '../../protocol/schemas';
import { PushBatcher } from './push-batcher';
import { toWireError } from './wire-error';

/** One UI connection, whatever carries it (a MessagePort, a WebSocket). */
export interface Connection {
  readonly label: string;
  send(msg: ServerMessage): void;
  onMessage(fn: (msg: unknown) => void): void;
  onClose(fn: () => void): void;
  close(): void;
}

export type HostLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

const TOPICS: ReadonlySet<string> = new Set<TopicName>(TOPIC_NAMES);

interface Client {
  conn: Connection;
  topics: Set<TopicName>;
}

/**
 * The engine end of the protocol: validates each request against its schema, runs the
 * handler, answers with a result or a WireError (never a crash, never a hang), and fans
 * batched pushes out to the connections subscribed to each topic.
 */
export class ProtocolServer {
  private readonly clients = new Set<Client>();
  private readonly batcher: PushBatcher;

  constructor(
    private readonly handlers: MethodHandlers,
    private readonly info: () => EngineInfo,
    private readonly log: HostLog = () => {},
    pushIntervalMs?: number,
  ) {
    this.batcher = new PushBatcher((topic, items) => this.fanOut(topic, items), pushIntervalMs);
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  connect(conn: Connection): void {
    const client: Client = { conn, topics: new Set() };
    this.clients.add(client);
    conn.onMessage((msg) => void this.receive(client, msg));
    conn.onClose(() => {
      this.clients.delete(client);
      this.log('debug', `${conn.label} disconnected`);
    });
    this.log('debug', `${conn.label} connected`);
    this.send(client, { t: 'hello', protocol: PROTOCOL_VERSION, info: this.info() });
  }

  publish: <T extends TopicName>(topic: T, item: Topics[T]) => void = (topic, item) => {
    if (this.clients.size > 0) this.batcher.add(topic, item);
  };

  /** Sends whatever is batched now (e.g. before shutdown). */
  flush(): void {
    this.batcher.flush();
  }

  close(): void {
    this.batcher.close();
    for (const c of [...this.clients]) c.conn.close();
    this.clients.clear();
  }

  private async receive(client: Client, raw: unknown): Promise<void> {
    if (typeof raw !== 'object' || raw === null) {
      this.log('warn', `${client.conn.label} sent a message that is not an object; ignored`);
      return;
    }
    const msg = raw as Record<string, unknown>;
    if (msg.t === 'sub') {
      const topics = Array.isArray(msg.topics) ? msg.topics : [];
      client.topics = new Set(topics.filter((t): t is TopicName => typeof t === 'string' && TOPICS.has(t)));
      return;
    }
    if (msg.t !== 'req' || typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id)) {
      this.log('warn', `${client.conn.label} sent an unknown message (t=${String(msg.t).slice(0, 20)}); ignored`);
      return;
    }
    const id = msg.id;
    if (!isMethodName(msg.method)) {
      this.fail(client, id, { code: 'BAD_INPUT', message: `unknown method "${String(msg.method).slice(0, 80)}"`, where: 'method' });
      return;
    }
    const method: MethodName = msg.method;
    const parsed = parseParams(method, msg.params);
    if (!parsed.ok) {
      this.fail(client, id, parsed.error);
      return;
    }
    try {
      const handler = this.handlers[method] as (p: unknown) => unknown;
      const result = await handler(parsed.params);
      this.send(client, { t: 'res', id, ok: true, result });
    } catch (e) {
      const wire = toWireError(e);
      if (wire.code === 'INTERNAL') this.log('error', `${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.fail(client, id, wire);
    }
  }

  private fail(client: Client, id: number, error: WireError): void {
    this.send(client, { t: 'res', id, ok: false, error });
  }

  private send(client: Client, msg: ServerMessage): void {
    try {
      client.conn.send(msg);
    } catch (e) {
      // A result that cannot be serialised is an engine bug; tell the caller rather than leave it waiting.
      this.log('error', `could not send to ${client.conn.label}: ${String(e)}`);
      if (msg.t === 'res' && msg.ok) {
        try {
          client.conn.send({ t: 'res', id: msg.id, ok: false, error: { code: 'INTERNAL', message: 'the result could not be sent' } });
        } catch {
          // the connection is gone; its close handler cleans up
        }
      }
    }
  }

  private fanOut(topic: TopicName, items: unknown[]): void {
    for (const c of this.clients) {
      if (c.topics.has(topic)) this.send(c, { t: 'push', topic, items });
    }
  }
}
