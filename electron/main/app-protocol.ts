import { extname, isAbsolute, join, relative } from 'node:path';

/**
 * The renderer is served from `app://keel/…`, a privileged standard scheme main handles
 * itself, instead of file://. A file:// page has the whole disk as its origin (any file
 * URL is "same origin" to it, and the GrantFileProtocolExtraPrivileges fuse is turned off);
 * app://keel is one origin with one directory behind it, the built renderer. Pure, so the
 * path rule is tested without Electron.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'keel';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** What registerSchemesAsPrivileged gets: a standard, secure scheme (so 'self', fetch and ES modules work), nothing more. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rendererDir` an app:// request names, or undefined when it names
 * nothing there: another host, a query-free path that decodes to `..`, a backslash or a
 * NUL, or anything that resolves outside the directory. `/` is index.html.
 */
export function resolveAppUrl(requestUrl: string, rendererDir: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host.toLowerCase() !== APP_HOST || url.port || url.username || url.password) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\\') || path.includes('\0')) return undefined;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.')) return undefined;
  const file = join(rendererDir, ...(parts.length === 0 ? ['index.html'] : parts));
  const rel = relative(rendererDir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return file;
}
