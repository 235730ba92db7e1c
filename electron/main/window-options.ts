import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

/**
 * The main window's options. The security settings are spelled out rather than left to
 * defaults so a reviewer (and the unit test) can see each one: the page gets no Node, runs
 * sandboxed in an isolated world, and reaches main only through the preload's named calls.
 */
export function mainWindowOptions(p: { bounds: Partial<Rectangle>; preloadPath: string; backgroundColor?: string }): BrowserWindowConstructorOptions {
  return {
    ...p.bounds,
    width: p.bounds.width ?? 1440,
    height: p.bounds.height ?? 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Keel',
    backgroundColor: p.backgroundColor ?? '#0f1115',
    webPreferences: {
      preload: p.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** The CSP main adds as a header to anything served over http(s) to our windows (the dev server). */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Dev only: Vite's HMR client needs its websocket and inline module preamble. */
export function devCsp(devServerUrl: string): string {
  const u = new URL(devServerUrl);
  const ws = `ws://${u.host}`;
  return APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", `connect-src 'self' ${ws}`);
}
