#!/usr/bin/env node
// `npm start`: the Electron app when its binary is installed, else the same engine and UI
// headless in the browser (installs made with ELECTRON_SKIP_BINARY_DOWNLOAD=1 have no
// binary). Extra arguments go to `keel serve` in headless mode, e.g. `npm start -- --port 8080`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const electronDir = join(root, 'node_modules', 'electron');

function electronBinaryPresent() {
  // electron's install script writes path.txt next to dist/ once the binary is in place.
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(join(electronDir, 'dist')) || !existsSync(pathFile)) return false;
  return existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (electronBinaryPresent()) {
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'preview']);
} else {
  console.log('keel: the Electron binary is not installed (node_modules/electron/dist is missing),');
  console.log('keel: so Keel starts headless: the same engine and UI, in your browser.');
  console.log('keel: to get the desktop app, reinstall electron without ELECTRON_SKIP_BINARY_DOWNLOAD.');
  if (!existsSync(join(root, 'renderer', 'out', 'index.html'))) {
    console.log('keel: building the UI first (npm run build:ui)…');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['run', 'build:ui'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('keel: the UI build failed; see above.');
      process.exit(r.status ?? 1);
    }
  }
  run(process.execPath, [join(root, 'bin', 'keel.js'), 'serve', ...process.argv.slice(2)]);
}
