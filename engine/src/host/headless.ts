import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { EngineApp } from '../app/engine-app';
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

/**
 * Runs the engine with the UI and the protocol on 127.0.0.1 only. Listening happens
 * before the engine's pieces have opened (they open in the background), so the page
 * loads at once and its first requests simply wait for start-up.
 */
export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessEngine> {
  const t0 = performance.now();
  mkdirSync(opts.home, { recursive: true });
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
  const wss = acceptWebSockets(http, { token, hostAllowed, onConnection: (c) => protocol.connect(c), log: (l, m) => hostLog[l](m) });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
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
