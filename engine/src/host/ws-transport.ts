import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX, type ServerMessage } from '../../protocol/index';
import type { RepeatLimiter } from '../app/logs';
import { NOT_JSON, type Connection, type HostLog } from './server';
import { tokenMatches } from './token';

/** Large enough for data.importText's 64 MiB of CSV plus JSON escaping. */
const MAX_PAYLOAD = 80 * 1024 * 1024;

/** RFC 6455 close codes the engine sends. */
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_GOING_AWAY = 1001;

/** The token a client presented: `?token=` or a `keel-token.<token>` subprotocol. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const q = url.searchParams.get('token');
  if (q) return q;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const p = protocols.find((x) => x.startsWith(WS_TOKEN_SUBPROTOCOL_PREFIX));
  return p?.slice(WS_TOKEN_SUBPROTOCOL_PREFIX.length);
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * One WebSocket as a protocol connection. A frame the ws library refuses (invalid UTF-8, a
 * reserved opcode, RSV bits, an unmasked frame, a stray continuation, a bad control frame, a
 * declared length over MAX_PAYLOAD) makes it close that socket with the matching code (1002,
 * 1007, 1009) and emit 'error'; the listener here logs it, because an 'error' event nobody
 * listens to is an uncaught exception that would end the whole engine.
 */
export function webSocketConnection(ws: WebSocket, label: string, log: HostLog, frameErrors?: RepeatLimiter): Connection {
  ws.on('error', (e: Error & { code?: string }) => {
    const first = `${label} closed: ${e.message}${e.code ? ` (${e.code})` : ''}`;
    if (frameErrors) frameErrors.note('frames', first, (n, window) => `${n} connections closed for malformed frames in the last ${window}`);
    else log('warn', first);
  });
  return {
    label,
    send: (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    },
    onMessage(fn) {
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          // The protocol is JSON text; 1003 is the code for data of a type the endpoint cannot accept.
          log('warn', `${label} sent a binary frame; closed (the protocol is JSON text)`);
          ws.close(CLOSE_UNSUPPORTED_DATA, 'the protocol is JSON text');
          return;
        }
        let msg: unknown;
        try {
          msg = JSON.parse(data.toString());
        } catch {
          msg = NOT_JSON;
        }
        fn(msg);
      });
    },
    onClose: (fn) => void ws.on('close', fn),
    close: () => ws.close(CLOSE_GOING_AWAY, 'engine shutting down'),
  };
}

export interface AcceptOptions {
  token: string;
  hostAllowed: (host: string | undefined) => boolean;
  /** A browser's Origin header; absent for non-browser clients (the CLI, tests), which the token alone guards. */
  originAllowed: (origin: string) => boolean;
  onConnection: (c: Connection) => void;
  log: HostLog;
  /** Refused upgrades, counted per reason and address rather than logged one by one. */
  refusals: RepeatLimiter;
  /** Connections closed for malformed frames, likewise. */
  frameErrors: RepeatLimiter;
}

/**
 * Accepts protocol WebSockets on `server` at WS_PATH. Host, Origin and token are checked
 * before the upgrade completes: a wrong one gets an HTTP error and no socket.
 */
export function acceptWebSockets(server: Server, opts: AcceptOptions): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD,
    handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  let n = 0;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an 'error' listener; a client that resets it
    // (or goes away before a refusal is written) must not become an uncaught exception.
    socket.on('error', () => socket.destroy());
    const from = req.socket.remoteAddress ?? '?';
    const refused = (status: number, text: string, why: string): void => {
      opts.refusals.note(
        `${why} ${from}`,
        `refused a WebSocket from ${from}: ${why} (more refusals from it are counted, not logged one by one)`,
        (total, window) => `${total} refused connections from ${from} in the last ${window} (${why})`,
      );
      refuse(socket, status, text);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!opts.hostAllowed(req.headers.host)) return refused(403, 'Forbidden', 'foreign Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !opts.originAllowed(origin)) return refused(403, 'Forbidden', 'foreign Origin');
    if (!tokenMatches(opts.token, presentedToken(req))) return refused(401, 'Unauthorized', 'no valid token');
    wss.handleUpgrade(req, socket, head, (ws) => {
      n += 1;
      opts.onConnection(webSocketConnection(ws, `ws#${n}`, opts.log, opts.frameErrors));
    });
  });
  return wss;
}
