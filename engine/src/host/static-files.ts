import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The UI's Content-Security-Policy: only our own scripts, no eval, no inline script, no
 * framing; the socket back to this engine is the only place the page may connect to.
 * Inline styles are allowed because the grid and chart libraries set style attributes.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Resolves a URL path to a file strictly inside `root`, or undefined. Decoding happens
 * once, before the check, so %2e%2e and backslashes cannot climb out.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built UI from `root`. Paths without an extension fall back to index.html
 * (client-side routes); anything outside root is a 404, never a file from elsewhere.
 */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const urlPath = (req.url ?? '/').split(/[?#]/)[0]!;
  let file = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath);
  if (file === undefined) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  if (!isFile(file) && extname(file) === '') file = join(resolve(root), 'index.html');
  if (!isFile(file) && urlPath === '/favicon.ico') {
    // Browsers ask for it whether or not the page names an icon; a 404 would be console noise.
    res.writeHead(204, headers).end();
    return;
  }
  if (!isFile(file)) {
    const hint = urlPath === '/' ? 'the UI is not built: run `npm run build:ui`' : 'not found';
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(hint);
    return;
  }
  const ext = extname(file).toLowerCase();
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    // Vite puts content-hashed files under /assets/; everything else must be revalidated.
    'Cache-Control': urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
