#!/usr/bin/env node
// `npm test`: typecheck, unit and integration tests (vitest), the UI build, then the UI specs
// (Playwright, headless mode in Chromium; the Electron target skips where its binary is absent).
// Ends with one "N passed, N failed, N skipped" line over everything that ran.
//
// Keychain tests need a Secret Service. Where none is running and dbus + gnome-keyring are
// installed, this script re-runs itself inside a private D-Bus session with an unlocked
// keyring under a throwaway HOME, so the developer's real keychain is never touched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.KEEL_TEST_INNER && has('dbus-run-session') && has('gnome-keyring-daemon')) {
  const home = mkdtempSync(join(tmpdir(), 'keel-test-home-'));
  const inner = `printf '\\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec node ${JSON.stringify(join(root, 'scripts/test.js'))} ${process.argv.slice(2).join(' ')}`;
  const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner], {
    stdio: 'inherit',
    env: { ...process.env, HOME: home, KEEL_TEST_INNER: '1', npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? home, '.npm') },
  });
  rmSync(home, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}

const only = process.argv[2]; // optional: "unit" or "e2e"
const results = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.log(`=== ${title}: FAILED (exit ${r.status ?? r.signal})`);
    ok = false;
  }
  return r.status === 0;
}

const out = mkdtempSync(join(tmpdir(), 'keel-test-out-'));

if (!only || only === 'unit') {
  step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  const json = join(out, 'vitest.json');
  step('unit and integration tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  if (existsSync(json)) {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    results.passed += r.numPassedTests;
    results.failed += r.numFailedTests;
    results.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } else {
    results.failed += 1;
  }
}

if ((!only || only === 'e2e') && existsSync(join(root, 'e2e', 'playwright.config.ts'))) {
  if (step('UI build', 'npm', ['run', '-s', 'build:ui'])) {
    const json = join(out, 'playwright.json');
    step('UI specs (Playwright)', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: json });
    if (existsSync(json)) {
      const s = JSON.parse(readFileSync(json, 'utf8')).stats;
      results.passed += s.expected + (s.flaky ?? 0);
      results.failed += s.unexpected;
      results.skipped += s.skipped;
    } else {
      results.failed += 1;
    }
  } else {
    results.failed += 1;
  }
}

rmSync(out, { recursive: true, force: true });
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exit(ok && results.failed === 0 ? 0 : 1);
