import { describe, expect, it } from 'vitest';
import { APP_CSP, devCsp, mainWindowOptions } from './window-options';

describe('main window options', () => {
  const o = mainWindowOptions({ bounds: { x: 10, y: 20, width: 1200, height: 800 }, preloadPath: '/app/out/preload/index.cjs' });

  it('isolates and sandboxes the page with no Node', () => {
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('uses remembered bounds and defaults when there are none', () => {
    expect(o).toMatchObject({ x: 10, y: 20, width: 1200, height: 800, show: false });
    const d = mainWindowOptions({ bounds: {}, preloadPath: 'p' });
    expect(d.width).toBe(1440);
    expect(d.x).toBeUndefined();
  });

  it('has a CSP without eval or inline script, and loosens it only for the dev server', () => {
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe-eval');
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(APP_CSP).toContain("object-src 'none'");
    const dev = devCsp('http://localhost:5173');
    expect(dev).toContain('connect-src \'self\' ws://localhost:5173');
  });
});
