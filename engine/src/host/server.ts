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
import { RepeatLimiter } from '../app/logs';
import { PushBatcher } from './push-batcher';
import { describeValue, errorText, toWireError } from './wire-error';

/** One UI connection, whatever carries it (a MessagePort, a WebSocket). */
export interface Connection {
  readonly label: string;
  send(msg: ServerMessage): void;
  onMessage(fn: (msg: unknown) => void): void;
  onClose(fn: () => void): void;
  close(): void;
}

/** What a transport hands on for a message that was not JSON text, so the server answers it like any malformed message. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

export type HostLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

const TOPICS: ReadonlySet<string> = new Set<TopicName>(TOPIC_NAMES);

/** Params nest three levels at most; a message nested deeper is refused before any schema walks it. */
const MAX_MESSAGE_DEPTH = 32;

/** A field of an untrusted object: its own property only, never one inherited through a hostile prototype chain. */
function own(o: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** The id of a request, when the message is one and carries a usable id. */
function requestId(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || own(raw, 't') !== 'req') return undefined;
  const id = own(raw, 'id');
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}

/** Recursion bounded by `left`, so a deep or cyclic (structured-clone) value cannot exhaust the stack. */
function nestedDeeperThan(v: unknown, left: number): boolean {
  // A typed array is a leaf: its elements are numbers, and listing their keys would cost as much as the array.
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
  if (left === 0) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (nestedDeeperThan(x, left - 1)) return true;
    return false;
  }
  for (const k of Object.keys(v)) if (nestedDeeperThan((v as Record<string, unknown>)[k], left - 1)) return true;
  return false;
}

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
  /** Warnings about malformed messages, one line per connection and minute at most. */
  private readonly complaints: RepeatLimiter;

  constructor(
    private readonly handlers: MethodHandlers,
    private readonly info: () => EngineInfo,
    private readonly log: HostLog = () => {},
    pushIntervalMs?: number,
  ) {
    this.batcher = new PushBatcher((topic, items) => this.fanOut(topic, items), pushIntervalMs);
    this.complaints = new RepeatLimiter((m) => this.log('warn', m));
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
      this.complaints.end(conn.label);
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
    this.complaints.close();
    this.batcher.close();
    for (const c of [...this.clients]) c.conn.close();
    this.clients.clear();
  }

  /**
   * Takes one message from a connection. Never rejects: whatever a client sends gets a typed
   * error (a `res` when the request id is known, else an `error` message), and an exception no
   * check foresaw is logged and answered INTERNAL, so one hostile message cannot take down the
   * engine or leave a request waiting.
   */
  private async receive(client: Client, raw: unknown): Promise<void> {
    const id = requestId(raw);
    try {
      await this.handle(client, raw, id);
    } catch (e) {
      this.log('error', `${client.conn.label}: a message could not be handled: ${errorText(e)}`);
      const error: WireError = { code: 'INTERNAL', message: 'internal engine error (details are in the engine log)' };
      this.send(client, id === undefined ? { t: 'error', error } : { t: 'res', id, ok: false, error });
    }
  }

  private async handle(client: Client, raw: unknown, id: number | undefined): Promise<void> {
    if (raw === NOT_JSON) {
      this.refuse(client, undefined, 'message', 'the message is not JSON text');
      return;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.refuse(client, undefined, 'message', `a message is a JSON object, got ${describeValue(raw)}`);
      return;
    }
    // Before any field is used: nothing the protocol defines nests this deep, and a schema must not recurse into a hostile shape.
    if (nestedDeeperThan(raw, MAX_MESSAGE_DEPTH)) {
      this.refuse(client, id, 'message', `the message nests deeper than ${MAX_MESSAGE_DEPTH} levels`);
      return;
    }
    const t = own(raw, 't');
    if (t === 'sub') {
      const topics = own(raw, 'topics');
      if (!Array.isArray(topics)) {
        this.refuse(client, undefined, 'topics', `topics must be an array of topic names, got ${describeValue(topics)}`);
        return;
      }
      const bad = topics.findIndex((x) => typeof x !== 'string' || !TOPICS.has(x));
      if (bad >= 0) {
        this.refuse(client, undefined, `topics.${bad}`, `unknown topic ${describeValue(topics[bad])} (the topics are ${TOPIC_NAMES.join(', ')})`);
        return;
      }
      client.topics = new Set(topics as TopicName[]);
      return;
    }
    if (t !== 'req') {
      this.refuse(client, undefined, 't', `unknown message type ${describeValue(t)}; expected "req" or "sub"`);
      return;
    }
    if (id === undefined) {
      this.refuse(client, undefined, 'id', `a request needs an id that is a safe integer, got ${describeValue(own(raw, 'id'))}`);
      return;
    }
    const method = own(raw, 'method');
    if (!isMethodName(method)) {
      this.refuse(client, id, 'method', typeof method === 'string' ? `unknown method ${describeValue(method)}` : `method must be a method name (a string), got ${describeValue(method)}`);
      return;
    }
    let parsed: ReturnType<typeof parseParams>;
    try {
      parsed = parseParams(method, own(raw, 'params'));
    } catch (e) {
      this.log('error', `${client.conn.label}: the params of ${method} broke their schema: ${errorText(e)}`);
      this.refuse(client, id, 'params', `${method}: the params could not be read`);
      return;
    }
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
      if (wire.code === 'INTERNAL') this.log('error', `${method} failed: ${errorText(e)}`);
      this.fail(client, id, wire);
    }
  }

  /** A malformed message: BAD_INPUT naming the field, as a `res` when the request id is known. */
  private refuse(client: Client, id: number | undefined, where: string, message: string): void {
    const error: WireError = { code: 'BAD_INPUT', message, where };
    this.send(client, id === undefined ? { t: 'error', error } : { t: 'res', id, ok: false, error });
    const label = client.conn.label;
    this.complaints.note(label, `${label} sent a malformed message (${where}: ${message})`, (n, window) => `${label} sent ${n} malformed messages in the last ${window}`);
  }

  private fail(client: Client, id: number, error: WireError): void {
    this.send(client, { t: 'res', id, ok: false, error });
  }

  private send(client: Client, msg: ServerMessage): void {
    try {
      client.conn.send(msg);
    } catch (e) {
      // A result that cannot be serialised is an engine bug; tell the caller rather than leave it waiting.
      this.log('error', `could not send to ${client.conn.label}: ${errorText(e)}`);
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
