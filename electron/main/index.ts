/**
 * Electron main: windows, menus, the engine's lifecycle and OS work. It never touches
 * market data or orders; those live in the engine utility process, which the page
 * reaches directly over a MessagePort that main brokers.
 */
import { app, BrowserWindow, crashReporter, dialog, globalShortcut, Menu, Notification, protocol, screen, session, shell, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, contentType, resolveAppUrl } from './app-protocol';
import { EngineProcess } from './engine-process';
import { denyAllPermissions, externalUrlAllowed } from './external-links';
import { registerIpc } from './ipc';
import { IPC } from './ipc-channels';
import { KILL_SWITCH_ACCELERATOR, menuTemplate, shortcutsText } from './menu';
import { bundlePaths } from './paths';
import { isTrustedSenderUrl, type TrustedOrigins } from './sender-check';
import { fitBounds, SettingsFile } from './settings';
import { createUpdates, reportCheck } from './updater';
import type { UpdateController } from './update/controller';
import { APP_CSP, devCsp, mainWindowOptions } from './window-options';
import type { MenuCommand } from '../../engine/protocol/bridge';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trusted: TrustedOrigins = { devServerUrl };

function log(level: 'info' | 'warn' | 'error', message: string): void {
  const line = `[main] ${level}: ${message}\n`;
  if (level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}

// Before ready: app:// is a standard, secure scheme for the page (served by serveRenderer below).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
// Crash dumps stay on this machine (no upload, no telemetry); Export diagnostics lists them.
crashReporter.start({ uploadToServer: false });

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  void app.whenReady().then(start);
}

let mainWindow: BrowserWindow | undefined;

function start(): void {
  const settings = new SettingsFile(join(app.getPath('userData'), 'settings.json'));
  // Packaged: electron-builder's extraResources; from the repo: data/samples next to package.json.
  const samplesDir = app.isPackaged ? join(process.resourcesPath, 'samples') : join(app.getAppPath(), 'data', 'samples');
  // Alerts fire in the engine with or without a window; main shows each on the desktop (not testable without a display).
  const notify = (n: { title: string; body: string }): void => {
    if (Notification.isSupported()) new Notification({ title: n.title, body: n.body }).show();
  };
  const engine = new EngineProcess(bundlePaths.engineEntry, log, samplesDir, { ...process.env, KEEL_CRASH_DIR: app.getPath('crashDumps') }, notify);
  engine.start();

  hardenSessions();
  serveRenderer();
  registerIpc({
    trusted,
    settings,
    requestPort: (e) => engine.attach(e.sender),
    grantExport: (path) => engine.grantExport(path),
  });

  const send = (cmd: MenuCommand): void => mainWindow?.webContents.send(IPC.menu, cmd);
  const killSwitch = (): void => {
    log('warn', 'kill switch from the keyboard/menu');
    engine.killSwitch('kill switch shortcut');
    send('kill-switch');
  };
  const isMac = process.platform === 'darwin';
  const showShortcuts = (): void => {
    const options = { type: 'info' as const, title: 'Keyboard shortcuts', message: 'Keyboard shortcuts', detail: shortcutsText(isMac) };
    void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
  };
  const updates: UpdateController | undefined = app.isPackaged
    ? createUpdates({ resourcesPath: process.resourcesPath, engine, log, window: () => mainWindow, channel: settings.get().updateChannel })
    : undefined;
  const menuUpdates = updates && {
    check: () => void updates.check().then((s) => reportCheck(s, mainWindow)),
    beta: updates.getChannel() === 'beta',
    setBeta: (on: boolean) => {
      updates.setChannel(on ? 'beta' : 'stable');
      settings.update({ updateChannel: on ? 'beta' : 'stable' });
    },
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isMac, send, killSwitch, restartEngine: () => engine.restart(), showShortcuts, updates: menuUpdates })));
  // Global: works when Keel is not focused. Another app may already own the combination.
  if (!globalShortcut.register(KILL_SWITCH_ACCELERATOR, killSwitch)) {
    log('warn', `could not register the global kill-switch shortcut ${KILL_SWITCH_ACCELERATOR}; it still works from the menu while Keel is focused`);
  }

  mainWindow = createWindow(settings, engine);
  // At start: quiet unless an update is found (then it downloads in the background and asks before it restarts).
  void updates?.check();
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(settings, engine);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting) return;
    e.preventDefault();
    quitting = true;
    globalShortcut.unregisterAll();
    // A downloaded update installs on this quit only if the engine (still running) says nothing is open.
    void (async () => {
      const installing = (await updates?.onQuit().catch(() => false)) === true;
      if (!installing) await engine.stop();
      app.quit();
    })();
  });
}

function createWindow(settings: SettingsFile, engine: EngineProcess): BrowserWindow {
  const saved = settings.get();
  const bounds = fitBounds(
    saved.bounds,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow(mainWindowOptions({ bounds: bounds ?? {}, preloadPath: bundlePaths.preload }));
  if (saved.maximized) win.maximize();

  const remember = (): void => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    const maximized = win.isMaximized();
    settings.update(maximized ? { maximized } : { maximized, bounds: win.getBounds() });
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rememberSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(remember, 500);
  };
  win.on('resize', rememberSoon);
  win.on('move', rememberSoon);
  win.on('close', remember);

  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-finish-load', () => engine.attach(win.webContents));
  void win.loadURL(devServerUrl ?? APP_INDEX_URL);
  return win;
}

/** app://keel/… from the built renderer directory only (app-protocol.ts), with the CSP as a header too. */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppUrl(request.url, bundlePaths.rendererDir);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': APP_CSP, 'X-Content-Type-Options': 'nosniff' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

/** CSP as a header too (the dev server), no permissions, no navigation, no new windows, links out only to listed hosts. */
function hardenSessions(): void {
  const csp = devServerUrl ? devCsp(devServerUrl) : APP_CSP;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  denyAllPermissions(session.defaultSession);

  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedSenderUrl(url, trusted)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Listed links (the chart's attribution, licences, docs) open in the user's browser, never in Keel.
      if (externalUrlAllowed(url)) void shell.openExternal(url);
      else log('warn', `refused to open a link outside the allow-list: ${url.slice(0, 200)}`);
      return { action: 'deny' };
    });
  });
}
