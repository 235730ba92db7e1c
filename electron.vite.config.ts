import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { licencesPlugin } from './scripts/licences.js';

/**
 * Three bundles: main (Electron main, the engine utility process entry and the engine's
 * worker-thread entries, all side by side in out/main), preload (one
 * sandboxed CJS file) and renderer (the same React app `npm run build:ui` builds for the
 * headless server; settings mirror renderer/vite.config.ts, only the output moves to
 * out/renderer). Native modules stay external: they are loaded from node_modules
 * (unpacked from the asar) at run time.
 */
const root = import.meta.dirname;
// @duckdb/node-bindings is node-api's native half; the store's column copy imports it directly.
const NATIVE = ['better-sqlite3', '@duckdb/node-api', '@duckdb/node-bindings', '@napi-rs/keyring'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: NATIVE },
      sourcemap: false,
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          engine: resolve(root, 'engine/src/host/utility-main.ts'),
          // Worker threads start from their own file, found beside the engine's (threads/module-worker.ts).
          'bar-csv-worker': resolve(root, 'engine/src/data/bar-csv-worker.ts'),
          'download-worker': resolve(root, 'engine/src/data/download-worker.ts'),
          'research-worker': resolve(root, 'engine/src/threads/research-worker.ts'),
          'write-behind-worker': resolve(root, 'engine/src/state/write-behind-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot require anything but electron: bundle every dependency into one CJS file.
      externalizeDeps: false,
      sourcemap: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [react(), licencesPlugin()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 2500,
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
