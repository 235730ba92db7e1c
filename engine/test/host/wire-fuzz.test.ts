// A hostile client against a real `keel serve` child process: thousands of malformed
// WebSocket frames (each on its own authenticated raw TCP connection, since the first bad
// frame ends a connection) and thousands of malformed messages on live connections. The
// engine must stay up, keep answering a well-formed request, close only the offending
// connection with the RFC 6455 code for its fault, and answer every malformed message with a
// typed error. Counts are bounded and the randomness seeded, so a failure replays exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TOPIC_NAMES, WS_PATH, type ServerMessage } from '../../protocol/index';
import { paramSchemas } from '../../protocol/schemas';
import { rng } from '../features/random-walk';
import { startServe, stubUi, type ServeChild } from './serve-child';

let dir: string;
let serve: ServeChild;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-fuzz-'));
  serve = await startServe(join(dir, 'home'), stubUi(dir));
}, 40_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// ---------- raw frames ----------

interface FrameSpec {
  fin?: boolean;
  rsv?: number; // bits 0x40 (RSV1), 0x20, 0x10
  opcode: number;
  masked?: boolean;
  payload?: Buffer;
  /** A length to declare instead of the payload's (the payload is then not sent). */
  declared?: bigint;
}

function frame(f: FrameSpec): Buffer {
  const payload = f.payload ?? Buffer.alloc(0);
  const masked = f.masked ?? true;
  const len = f.declared ?? BigInt(payload.length);
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | (f.rsv ?? 0) | f.opcode];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(maskBit | Number(len));
  else if (len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  if (f.declared !== undefined) return Buffer.concat([Buffer.from(head), ext, masked ? randomBytes(4) : Buffer.alloc(0)]);
  if (!masked) return Buffer.concat([Buffer.from(head), ext, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, mask, body]);
}

const OPCODE = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };
const RESERVED_OPCODES = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15];
const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]];
const BAD_CLOSE_CODES = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535];
/** The engine's maximum message (ws-transport.ts MAX_PAYLOAD) is 80 MiB. */
const OVER_MAX = [81n << 20n, 1n << 32n, 1n << 40n, (1n << 53n) - 1n, 1n << 60n];

interface Fault {
  kind: string;
  bytes: Buffer;
  /** The close code RFC 6455 gives this fault: 1002 protocol error, 1003 unacceptable data, 1007 invalid data, 1009 too big. */
  code: number;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function asciiJunk(r: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(r() * max) }, () => 32 + Math.floor(r() * 95)));
}

/** One malformed frame of each kind the issue lists, varied by the seed. */
function faults(r: () => number): Fault[] {
  const text = (p: Buffer) => frame({ opcode: OPCODE.text, payload: p });
  const invalidUtf8 = () => Buffer.concat([asciiJunk(r, 20), Buffer.from(pick(r, INVALID_UTF8)), asciiJunk(r, 20)]);
  const closeWith = (code: number, reason: Buffer) => {
    const p = Buffer.alloc(2 + reason.length);
    p.writeUInt16BE(code);
    reason.copy(p, 2);
    return frame({ opcode: OPCODE.close, payload: p });
  };
  return [
    { kind: 'invalid UTF-8 text', bytes: text(invalidUtf8()), code: 1007 },
    // A well-formed binary message: the protocol is JSON text, 1003 is "data of a type I cannot accept".
    { kind: 'binary message', bytes: frame({ opcode: OPCODE.binary, payload: Buffer.from(asciiJunk(r, 30)) }), code: 1003 },
    {
      kind: 'invalid UTF-8 across fragments',
      bytes: Buffer.concat([frame({ fin: false, opcode: OPCODE.text, payload: Buffer.from('{"t":"req","id":1,') }), frame({ opcode: OPCODE.cont, payload: Buffer.from(pick(r, INVALID_UTF8)) })]),
      code: 1007,
    },
    { kind: 'reserved opcode', bytes: frame({ opcode: pick(r, RESERVED_OPCODES), payload: asciiJunk(r, 30) }), code: 1002 },
    { kind: 'RSV1 set', bytes: frame({ rsv: 0x40, opcode: pick(r, [OPCODE.text, OPCODE.binary, OPCODE.ping]), payload: asciiJunk(r, 30) }), code: 1002 },
    { kind: 'RSV2/RSV3 set', bytes: frame({ rsv: pick(r, [0x20, 0x10, 0x30]), opcode: OPCODE.text, payload: asciiJunk(r, 30) }), code: 1002 },
    { kind: 'unmasked client frame', bytes: frame({ opcode: pick(r, [OPCODE.text, OPCODE.binary, OPCODE.ping]), masked: false, payload: asciiJunk(r, 30) }), code: 1002 },
    { kind: 'stray continuation', bytes: frame({ opcode: OPCODE.cont, fin: r() < 0.5, payload: asciiJunk(r, 30) }), code: 1002 },
    {
      kind: 'new message inside a fragmented one',
      bytes: Buffer.concat([frame({ fin: false, opcode: OPCODE.text, payload: Buffer.from('{"t"') }), frame({ opcode: OPCODE.text, payload: Buffer.from('{}') })]),
      code: 1002,
    },
    { kind: 'ping over 125 bytes', bytes: frame({ opcode: OPCODE.ping, payload: Buffer.alloc(126 + Math.floor(r() * 200), 0x61) }), code: 1002 },
    { kind: 'fragmented ping', bytes: frame({ opcode: pick(r, [OPCODE.ping, OPCODE.pong]), fin: false, payload: asciiJunk(r, 20) }), code: 1002 },
    { kind: 'close with a 1-byte payload', bytes: frame({ opcode: OPCODE.close, payload: Buffer.from([0x03]) }), code: 1002 },
    { kind: 'close with an invalid code', bytes: closeWith(pick(r, BAD_CLOSE_CODES), asciiJunk(r, 10)), code: 1002 },
    { kind: 'close with an invalid UTF-8 reason', bytes: closeWith(1000, invalidUtf8()), code: 1007 },
    { kind: 'declared length over the maximum', bytes: frame({ opcode: pick(r, [OPCODE.text, OPCODE.binary]), declared: pick(r, OVER_MAX) }), code: 1009 },
    {
      kind: 'fragments adding up to over the maximum',
      bytes: Buffer.concat([frame({ fin: false, opcode: OPCODE.text, payload: Buffer.from('[') }), frame({ opcode: OPCODE.cont, declared: 80n << 20n })]),
      code: 1009,
    },
  ];
}

/** Reads server frames (unmasked) from a byte stream. */
function serverFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    let len = buf[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      if (buf.length - off < 2) break;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (buf.length - off < 8) break;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (buf.length - off < len) break;
    frames.push({ opcode: buf[at]! & 0x0f, payload: buf.subarray(off, off + len) });
    at = off + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/**
 * Opens an authenticated WebSocket by hand over TCP, sends `bytes` after the 101, and
 * resolves with the close code the server sent and whether it then ended the connection.
 */
function rawSession(bytes: Buffer): Promise<{ closeCode: number | undefined; ended: boolean; greeted: boolean }> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(serve.port, '127.0.0.1');
    let stage: 'http' | 'ws' = 'http';
    let buf: Buffer = Buffer.alloc(0);
    let closeCode: number | undefined;
    let greeted = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close within 10 s (close code so far ${closeCode})`));
    }, 10_000);
    sock.on('error', () => {
      // a reset after the server's close frame counts as ended
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ closeCode, ended: true, greeted });
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'http') {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) {
          clearTimeout(timer);
          sock.destroy();
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          return;
        }
        stage = 'ws';
        buf = buf.subarray(end + 4);
        sock.write(bytes);
      }
      const { frames, rest } = serverFrames(buf);
      buf = rest;
      for (const f of frames) {
        if (f.opcode === OPCODE.text && f.payload.toString().startsWith('{"t":"hello"')) greeted = true;
        if (f.opcode === OPCODE.close && closeCode === undefined) {
          closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          // Answer it, as a client should: a server that closes politely (1003) waits for this before it ends the connection.
          if (!sock.destroyed) sock.write(frame({ opcode: OPCODE.close, payload: f.payload.subarray(0, 2) }));
        }
      }
    });
    sock.write(
      [
        `GET ${WS_PATH}?token=${serve.token} HTTP/1.1`,
        `Host: 127.0.0.1:${serve.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** A well-formed client that stays connected throughout: the engine must keep answering it. */
async function healthyClient(): Promise<{ ask(): Promise<unknown>; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${serve.port}${WS_PATH}?token=${serve.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 1_000_000;
  const waiting = new Map<number, (m: ServerMessage) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as ServerMessage;
    if (m.t === 'res') waiting.get(m.id)?.(m);
  });
  return {
    ask: () =>
      new Promise((resolve, reject) => {
        const mine = ++id;
        const timer = setTimeout(() => reject(new Error('the engine did not answer engine.info within 5 s')), 5_000);
        waiting.set(mine, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        ws.send(JSON.stringify({ t: 'req', id: mine, method: 'engine.info', params: {} }));
      }),
    close: () => ws.close(),
  };
}

async function inBatches<T, R>(items: T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

// ---------- malformed messages ----------

const HOSTILE_KEYS = ['toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty', 'then', 'toJSON', 'prototype', 't', 'id', 'method', 'params', 'topics'];
const METHODS = Object.keys(paramSchemas);

function randomJson(r: () => number, depth: number): unknown {
  const k = r();
  if (depth <= 0 || k < 0.35) {
    return pick(r, [
      () => Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1),
      () => r() * 1e308,
      () => -0,
      () => 1.5,
      () => r() < 0.5,
      () => null,
      () => '',
      () => asciiJunk(r, 40).toString(),
      () => pick(r, METHODS),
      () => pick(r, TOPIC_NAMES),
      () => '\u0000\u001b[31m\ud800',
      () => 'x'.repeat(Math.floor(r() * 5000)),
    ])();
  }
  if (k < 0.65) return Array.from({ length: Math.floor(r() * 5) }, () => randomJson(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[r() < 0.6 ? pick(r, HOSTILE_KEYS) : asciiJunk(r, 8).toString()] = randomJson(r, depth - 1);
  return o;
}

function deep(n: number, r: () => number): string {
  return r() < 0.5 ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
}

/** What the protocol promises for a message: a `res` for its id, an `error`, or nothing (a valid `sub`). */
type Expect = { res: number } | 'error' | 'none';

function oracle(text: string): Expect {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'error';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'error';
  const o = v as Record<string, unknown>;
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
  if (own('t') === 'req' && typeof own('id') === 'number' && Number.isSafeInteger(own('id'))) return { res: own('id') as number };
  if (own('t') === 'sub') {
    const topics = own('topics');
    return Array.isArray(topics) && topics.every((x) => typeof x === 'string' && (TOPIC_NAMES as readonly string[]).includes(x)) ? 'none' : 'error';
  }
  return 'error';
}

function malformedMessages(r: () => number, n: number): string[] {
  let id = 1;
  const out = [
    // The 20-byte killers, first.
    '{"t":{"toString":1}}',
    '{"t":"req","id":1,"method":{"toString":1}}',
    '{"t":"req","id":2,"method":"engine.info","params":{"toString":1}}',
    '{"t":{"__proto__":{"toString":1}}}',
    '{"__proto__":{"t":"req"},"id":3}',
    '{"t":"sub","topics":{"toString":1}}',
    '{"t":"sub","topics":[{"toString":1}]}',
  ];
  id = 10;
  const shapes: (() => unknown)[] = [
    () => randomJson(r, 4),
    () => ({ t: randomJson(r, 2) }),
    () => ({ t: 'req', id: randomJson(r, 1), method: pick(r, METHODS), params: {} }),
    () => ({ t: 'req', id: id++, method: randomJson(r, 2), params: randomJson(r, 2) }),
    () => ({ t: 'req', id: id++, method: pick(r, METHODS), params: randomJson(r, 3) }),
    () => ({ t: 'req', id: id++, method: pick(r, HOSTILE_KEYS) }),
    () => ({ t: 'sub', topics: randomJson(r, 2) }),
    () => ({ t: 'sub', topics: [pick(r, TOPIC_NAMES), randomJson(r, 1)] }),
  ];
  while (out.length < n) {
    const k = r();
    if (k < 0.05) out.push(`{"t":"req","id":${id++},"method":"engine.info","params":${deep(40 + Math.floor(r() * 5000), r)}}`);
    else if (k < 0.08) out.push(deep(10 + Math.floor(r() * 100_000), r));
    else if (k < 0.12) out.push(asciiJunk(r, 60).toString());
    else if (k < 0.14) out.push(pick(r, ['1', '"x"', 'null', '[]', 'true', '[{"t":"req","id":5}]']));
    else out.push(JSON.stringify(pick(r, shapes)()));
  }
  return out;
}

describe('keel serve under a hostile client', () => {
  it('closes only the connection that sent a malformed frame, with the code for its fault, and keeps serving', async () => {
    const healthy = await healthyClient();
    const r = rng(20240901);
    const sessions: Fault[] = [];
    // 16 kinds x 100 rounds: 1,600 malformed frames, each on its own connection.
    for (let round = 0; round < 100; round++) sessions.push(...faults(r));
    const results = await inBatches(sessions, 12, async (f) => ({ f, got: await rawSession(f.bytes) }));
    const wrong = results.filter(({ f, got }) => got.closeCode !== f.code || !got.ended).map(({ f, got }) => `${f.kind}: expected ${f.code}, got ${got.closeCode} (ended ${got.ended})`);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(results.every(({ got }) => got.greeted)).toBe(true);
    expect(serve.child.exitCode).toBeNull();
    expect(await healthy.ask()).toMatchObject({ t: 'res', ok: true, result: { mode: 'headless' } });
    healthy.close();
  }, 60_000);

  it('answers every malformed message with a typed error (a res for a known id), and keeps serving', async () => {
    const healthy = await healthyClient();
    const messages = malformedMessages(rng(7), 3_000);
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}${WS_PATH}?token=${serve.token}`);
    const got: ServerMessage[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString()) as ServerMessage));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const expected = messages.map(oracle);
    const ids = expected.filter((e): e is { res: number } => typeof e === 'object').map((e) => e.res);
    const errors = expected.filter((e) => e === 'error').length;
    for (const m of messages) ws.send(m);
    const deadline = Date.now() + 30_000;
    const answered = () => {
      const res = got.filter((m) => m.t === 'res').length;
      const err = got.filter((m) => m.t === 'error').length;
      return res >= ids.length && err >= errors;
    };
    while (!answered() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // nothing more may arrive
    const res = got.filter((m): m is Extract<ServerMessage, { t: 'res' }> => m.t === 'res');
    const err = got.filter((m): m is Extract<ServerMessage, { t: 'error' }> => m.t === 'error');
    expect(res.map((m) => m.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(err).toHaveLength(errors);
    // Typed: every error has a code, a message and where the fault is; nothing answered INTERNAL.
    const failures = [...res.filter((m) => !m.ok).map((m) => (m as { error: { code: string; where?: string; message: string } }).error), ...err.map((m) => m.error)];
    expect(failures.length).toBeGreaterThan(2_500);
    // A request that happened to be well-formed may fail in its handler (a random path is not a file): still typed, never INTERNAL.
    expect(failures.filter((e) => e.code === 'INTERNAL' || typeof e.code !== 'string')).toEqual([]);
    expect(failures.filter((e) => e.code === 'BAD_INPUT' && (typeof e.where !== 'string' || e.message === ''))).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    expect(serve.child.exitCode).toBeNull();
    expect(await healthy.ask()).toMatchObject({ t: 'res', ok: true });
    healthy.close();
  }, 60_000);

  it('survives the 20-byte message of the issue, and says which field was wrong', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}${WS_PATH}?token=${serve.token}`);
    const got: ServerMessage[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString()) as ServerMessage));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    ws.send('{"t":{"toString":1}}');
    ws.send('{"t":"req","id":41,"method":{"toString":1}}');
    ws.send('{"t":"req","id":42,"method":"engine.info"}');
    for (let waited = 0; got.filter((m) => m.t !== 'hello').length < 3 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(got.find((m) => m.t === 'error')).toMatchObject({ error: { code: 'BAD_INPUT', where: 't' } });
    expect(got.find((m) => m.t === 'res' && m.id === 41)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', where: 'method', message: 'method must be a method name (a string), got an object' } });
    expect(got.find((m) => m.t === 'res' && m.id === 42)).toMatchObject({ ok: true });
    ws.close();
    expect(serve.child.exitCode).toBeNull();
  });
});
