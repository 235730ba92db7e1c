import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineApp } from '../app/engine-app';
import { RepeatLimiter } from '../app/logs';
import { KeelError } from '../core/errors';
import { ensurePrivateDir } from '../core/paths';
import { ProtocolServer } from './server';
import { contentSecurityPolicy, serveStatic } from './static-files';
import { newToken } from './token';
import { acceptWebSockets } from './ws-transport';

export interface HeadlessOptions {
  /** 0 picks a free port. */
  port: number;
  home: string;
  /** The built UI (renderer/out); requests for it 404 with a hint when it is missing. */
  uiDir: string;
  /** The token to require (`keel serve` keeps one per home); by default a fresh random one per start. */
  token?: string;
  /** The shipped sample data; the repo's data/samples by default. */
  samplesDir?: string;
  /** Override the app (tests inject one with replaced pieces). */
  app?: EngineApp;
  pushIntervalMs?: number;
}

export interface HeadlessEngine {
  url: string;
  port: number;
  token: string;
  app: EngineApp;
  /** ms from the call to listening. */
  readyMs: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** A listen failure as a trader can act on it: which port, and how to choose another. */
function listenError(e: unknown, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new KeelError('UNAVAILABLE', `port ${port} on ${HOST} is already in use (another keel serve, or another program); choose another with --port N, or --port 0 for any free port`, { where: '--port', cause: e });
  }
  if (code === 'EACCES') {
    return new KeelError('UNAVAILABLE', `not allowed to listen on port ${port} (ports below 1024 need privileges); choose another with --port N`, { where: '--port', cause: e });
  }
  return e;
}

/**
 * Runs the engine with the UI and the protocol on 127.0.0.1 only. Listening happens
 * before the engine's pieces have opened (they open in the background), so the page
 * loads at once and its first requests simply wait for start-up.
 */
export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessEngine> {
  const t0 = performance.now();
  ensurePrivateDir(opts.home);
  const app = opts.app ?? new EngineApp({ home: opts.home, mode: 'headless', samplesDir: opts.samplesDir });
  const hostLog = app.logs.logger('host');
  const protocol = new ProtocolServer(app.handlers, () => app.info(), (level, m) => hostLog[level](m), opts.pushIntervalMs);
  app.setPublish(protocol.publish);
  const token = opts.token ?? newToken();

  let port = opts.port;
  // Refuses Host headers other than our own: a DNS-rebinding page must not reach the engine.
  const hostAllowed = (host: string | undefined): boolean => host === `${HOST}:${port}` || host === `localhost:${port}`;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers = {
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    };
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('forbidden host');
      return;
    }
    serveStatic(opts.uiDir, req, res, headers);
  });
  // The served page's own origin; a page from anywhere else must not drive the engine with a token it found.
  const originAllowed = (origin: string): boolean => origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
  const refusals = new RepeatLimiter((m) => hostLog.warn(m));
  const frameErrors = new RepeatLimiter((m) => hostLog.warn(m));
  const wss = acceptWebSockets(http, { token, hostAllowed, originAllowed, onConnection: (c) => protocol.connect(c), log: (l, m) => hostLog[l](m), refusals, frameErrors });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port, HOST, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    protocol.close();
    wss.close();
    await app.close();
    throw listenError(e, opts.port);
  }
  port = (http.address() as AddressInfo).port;
  void app.start();
  const readyMs = performance.now() - t0;
  hostLog.info(`listening on http://${HOST}:${port}/ after ${readyMs.toFixed(0)} ms`);

  let closed: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}/#token=${token}`,
    port,
    token,
    app,
    readyMs,
    close() {
      closed ??= (async () => {
        refusals.close();
        frameErrors.close();
        protocol.flush();
        protocol.close();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        await app.close();
      })();
      return closed;
    },
  };
}
