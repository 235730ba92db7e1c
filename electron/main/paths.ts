import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the bundles live. electron-vite writes out/main (main + engine), out/preload and
 * out/renderer; in a packaged app the same tree sits inside app.asar.
 */
const mainDir = dirname(fileURLToPath(import.meta.url));

export const bundlePaths = {
  engineEntry: join(mainDir, 'engine.js'),
  preload: join(mainDir, '..', 'preload', 'index.cjs'),
  rendererDir: join(mainDir, '..', 'renderer'),
};
