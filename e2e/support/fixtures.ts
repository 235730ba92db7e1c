import { test as base, expect, _electron, type Browser, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startEngine, type RunningEngine } from './engine';

export type Target = 'browser' | 'electron';

export interface RestartOptions {
  kill?: boolean;
  whileDown?: () => Promise<unknown>;
}

/** What a spec drives: the page, whichever target it runs in, and the engine's lifecycle. */
export interface KeelApp {
  page: Page;
  target: Target;
  home: string;
  /**
   * Stops the engine and starts it again on the same home; resolves when the UI is connected
   * again. `kill`: the engine is killed with SIGKILL (a crash: nothing closed, nothing flushed)
   * instead of stopped gracefully. `whileDown` runs once the engine is gone and before it starts
   * again (something that happens while Keel is not running).
   */
  restartEngine(opts?: RestartOptions): Promise<void>;
  /** Saves a PNG of the page under e2e/screenshots/<target>-<name>.png. */
  shot(name: string): Promise<void>;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ELECTRON_DIST = join(repoRoot, 'node_modules/electron/dist');
const ELECTRON_MAIN = join(repoRoot, 'out/main/index.js');
const SHOTS = join(repoRoot, 'e2e/screenshots');

/** The UI is usable: the engine said hello and the header knows the trading state. */
export async function waitConnected(page: Page): Promise<void> {
  await expect(page.getByRole('alert').filter({ hasText: /Connecting|restarting|Disconnected/ })).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByRole('status', { name: /Trading mode/ })).toBeVisible();
}

export const test = base.extend<{ target: Target; app: KeelApp }, { chromiumBrowser: Browser | undefined }>({
  target: ['browser', { option: true }],

  chromiumBrowser: [
    async ({ playwright }, use, workerInfo) => {
      if ((workerInfo.project.use as { target?: Target }).target !== 'browser') return use(undefined);
      const browser = await playwright.chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],

  app: async ({ target, chromiumBrowser, viewport }, use, testInfo) => {
    const home = mkdtempSync(join(tmpdir(), 'keel-e2e-'));
    mkdirSync(SHOTS, { recursive: true });
    const shot = (page: Page) => async (name: string) => {
      await page.screenshot({ path: join(SHOTS, `${target}-${name}.png`) });
      await testInfo.attach(name, { path: join(SHOTS, `${target}-${name}.png`), contentType: 'image/png' });
    };

    if (target === 'browser') {
      let engine: RunningEngine = await startEngine(home);
      const context = await chromiumBrowser!.newContext({ viewport: viewport ?? { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(engine.url);
      await waitConnected(page);
      await use({
        page,
        target,
        home,
        shot: shot(page),
        async restartEngine(opts = {}) {
          const before = engine.url;
          if (opts.kill) expect(await engine.kill(), 'the engine died of SIGKILL').toBe('SIGKILL');
          else await engine.stop();
          // The page sees the socket drop and shows the banner while the engine is away.
          await expect(page.getByRole('alert').filter({ hasText: /restarting|Disconnected/ })).toBeVisible();
          await opts.whileDown?.();
          // Same home, same port: the engine keeps its token per home, so the open tab
          // reconnects by itself, as a trader's would.
          engine = await startEngine(home, 30_000, Number(new URL(before).port));
          expect(engine.url, 'the engine keeps its token per home').toBe(before);
          await waitConnected(page);
        },
      });
      await context.close();
      await engine.stop();
    } else {
      test.skip(!existsSync(ELECTRON_DIST), 'Electron binary not installed: node_modules/electron/dist missing');
      test.skip(!existsSync(ELECTRON_MAIN), 'Electron app not built: out/main/index.js missing (run npm run build)');
      const launch = async (): Promise<{ app: ElectronApplication; page: Page }> => {
        const app = await _electron.launch({ args: [ELECTRON_MAIN], env: { ...process.env, KEEL_HOME: home } as Record<string, string> });
        const page = await app.firstWindow();
        await waitConnected(page);
        return { app, page };
      };
      let running = await launch();
      const facade: KeelApp = {
        page: running.page,
        target,
        home,
        shot: (name) => shot(facade.page)(name),
        async restartEngine(opts = {}) {
          if (opts.kill) {
            // The engine utility process dies of SIGKILL; main restarts it by itself (restart-policy.ts), as after any crash.
            const pid = await running.app.evaluate(({ app }) => app.getAppMetrics().find((m) => m.type === 'Utility' && m.serviceName === 'Keel engine')?.pid);
            expect(pid, 'the engine utility process').toBeDefined();
            process.kill(pid!, 'SIGKILL');
            await expect(running.page.getByRole('alert').filter({ hasText: /restarting|Disconnected/ })).toBeVisible();
            await opts.whileDown?.();
            await waitConnected(running.page);
            return;
          }
          await running.app.close();
          await opts.whileDown?.();
          running = await launch();
          facade.page = running.page;
        },
      };
      await use(facade);
      await running.app.close();
    }
    rmSync(home, { recursive: true, force: true });
  },
});

export { expect };
