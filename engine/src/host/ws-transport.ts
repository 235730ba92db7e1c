import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX, type ServerMessage } from '../../protocol/index';
import type { Connection, HostLog } from './server';
import { tokenMatches } from './token';

/** Large enough for data.importText's 64 MiB of CSV plus JSON escaping. */
const MAX_PAYLOAD = 80 * 1024 * 1024;

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

export function webSocketConnection(ws: WebSocket, label: string, log: HostLog): Connection {
  return {
    label,
    send: (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    },
    onMessage(fn) {
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          log('warn', `${label} sent a binary frame; the protocol is JSON text`);
          return;
        }
        let msg: unknown;
        try {
          msg = JSON.parse(data.toString());
        } catch {
          log('warn', `${label} sent a frame that is not JSON; ignored`);
          return;
        }
        fn(msg);
      });
    },
    onClose: (fn) => void ws.on('close', fn),
    close: () => ws.close(1001, 'engine shutting down'),
  };
}

/**
 * Accepts protocol WebSockets on `server` at WS_PATH. The token is checked before the
 * upgrade completes: a wrong or missing token gets HTTP 401 and no socket.
 */
export function acceptWebSockets(
  server: Server,
  opts: { token: string; hostAllowed: (host: string | undefined) => boolean; onConnection: (c: Connection) => void; log: HostLog },
): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD,
    handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  let n = 0;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!opts.hostAllowed(req.headers.host)) return refuse(socket, 403, 'Forbidden');
    if (!tokenMatches(opts.token, presentedToken(req))) {
      opts.log('warn', `refused a WebSocket without a valid token from ${req.socket.remoteAddress ?? '?'}`);
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      n += 1;
      opts.onConnection(webSocketConnection(ws, `ws#${n}`, opts.log));
    });
  });
  return wss;
}
