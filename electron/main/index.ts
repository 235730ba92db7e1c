/**
 * Electron main: windows, menus, the engine's lifecycle and OS work. It never touches
 * market data or orders; those live in the engine utility process, which the page
 * reaches directly over a MessagePort that main brokers.
 */
import { app, BrowserWindow, dialog, globalShortcut, Menu, Notification, screen, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { EngineProcess } from './engine-process';
import { registerIpc } from './ipc';
import { Keychain } from './keychain';
import { IPC } from './ipc-channels';
import { KILL_SWITCH_ACCELERATOR, menuTemplate, shortcutsText } from './menu';
import { bundlePaths } from './paths';
import { isTrustedSenderUrl, type TrustedOrigins } from './sender-check';
import { fitBounds, SettingsFile } from './settings';
import { checkForUpdates } from './updater';
import { APP_CSP, devCsp, mainWindowOptions } from './window-options';
import type { MenuCommand } from '../../engine/protocol/bridge';

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trusted: TrustedOrigins = { rendererDir: bundlePaths.rendererDir, devServerUrl };

function log(level: 'info' | 'warn' | 'error', message: string): void {
  const line = `[main] ${level}: ${message}\n`;
  if (level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}

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
  const engine = new EngineProcess(bundlePaths.engineEntry, log, samplesDir, process.env, notify);
  engine.start();

  hardenSessions();
  registerIpc({
    trusted,
    settings,
    keychain: new Keychain('Keel'),
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
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isMac, send, killSwitch, restartEngine: () => engine.restart(), showShortcuts })));
  // Global: works when Keel is not focused. Another app may already own the combination.
  if (!globalShortcut.register(KILL_SWITCH_ACCELERATOR, killSwitch)) {
    log('warn', `could not register the global kill-switch shortcut ${KILL_SWITCH_ACCELERATOR}; it still works from the menu while Keel is focused`);
  }

  mainWindow = createWindow(settings, engine);
  if (app.isPackaged) checkForUpdates(process.resourcesPath, log);
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
    void engine.stop().finally(() => app.quit());
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
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(bundlePaths.rendererIndex);
  return win;
}

/** CSP as a header too (the dev server), no permissions, no navigation, no new windows. */
function hardenSessions(): void {
  const csp = devServerUrl ? devCsp(devServerUrl) : APP_CSP;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedSenderUrl(url, trusted)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation or an exchange open in the user's browser, never in Keel.
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
