import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { licencesPlugin } from '../scripts/licences.js';

// The renderer is built once and served two ways: from file:// inside Electron and by the
// headless engine over http. A relative base makes both work from the same build.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react(), licencesPlugin()],
  build: {
    outDir: 'out',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
  },
});
