import { defineConfig } from '@playwright/test';
import type { Target } from './support/fixtures';

/**
 * One set of specs, two targets. `browser`: the headless engine (`keel serve`) on a fresh
 * KEEL_HOME per test, driven in the system Chromium. `electron`: the built app
 * (out/main/index.js); skips with a reason where the Electron binary is not installed.
 * Neither project builds anything: run `npm run build:ui` (and `npm run build` for
 * Electron) first.
 */
export default defineConfig<{ target: Target }>({
  testDir: './specs',
  outputDir: '../test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'browser', use: { target: 'browser' } },
    { name: 'electron', use: { target: 'electron' } },
  ],
});
