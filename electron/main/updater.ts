import { dialog, type BrowserWindow, type MessageBoxOptions } from 'electron';
import { join } from 'node:path';
import updater from 'electron-updater';
import type { EngineProcess } from './engine-process';
import { electronUpdaterBackend } from './update/backend';
import { UpdateController, type UpdateChannel, type UpdateState } from './update/controller';
import { feedConfigured } from './update/feed';

type Log = (level: 'info' | 'warn' | 'error', m: string) => void;

/**
 * The update controller wired to Electron: electron-updater for the platform (NSIS,
 * dmg/zip, AppImage or deb), the engine's control channel for the install gate, native
 * dialogs for the trader, and the taskbar/dock progress bar for the download. Undefined
 * when the build has no HTTPS feed (a development run, or packaged without KEEL_UPDATE_URL).
 */
export function createUpdates(p: {
  resourcesPath: string;
  engine: EngineProcess;
  log: Log;
  window(): BrowserWindow | undefined;
  channel: UpdateChannel;
}): UpdateController | undefined {
  if (!feedConfigured(join(p.resourcesPath, 'app-update.yml'))) return undefined;
  const { autoUpdater } = updater;
  autoUpdater.logger = { info: (m: unknown) => p.log('info', `updater: ${String(m)}`), warn: (m: unknown) => p.log('warn', `updater: ${String(m)}`), error: (m: unknown) => p.log('error', `updater: ${String(m)}`) };
  const show = async (o: MessageBoxOptions): Promise<number> => {
    const win = p.window();
    return (win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o)).response;
  };
  const controller = new UpdateController({
    backend: electronUpdaterBackend(autoUpdater),
    exposure: () => p.engine.exposure(),
    channel: p.channel,
    log: p.log,
    beforeInstall: () => p.engine.stop(),
    ui: {
      offerRestart: async (version) =>
        (await show({
          type: 'info',
          title: 'Update ready',
          message: `Keel ${version} is ready to install`,
          detail: 'Installing restarts Keel. It goes ahead only when no position is open, no order is working and no strategy is running; otherwise Keel tells you what is open and asks again later.',
          buttons: ['Restart and install', 'Later'],
          defaultId: 1,
          cancelId: 1,
        })) === 0,
      deferred: (version, reason) =>
        void show({
          type: 'warning',
          title: 'Update waits',
          message: `Keel ${version} will be installed later`,
          detail: `Not now: ${reason}.\n\nClose them or let them finish; Keel asks again in 30 minutes, or use Help › Check for updates… when you are flat.`,
          buttons: ['OK'],
        }),
    },
  });
  controller.onState((s) => progress(p.window(), s));
  return controller;
}

function progress(win: BrowserWindow | undefined, s: UpdateState): void {
  if (!win || win.isDestroyed()) return;
  win.setProgressBar(s.state === 'downloading' ? s.percent / 100 : -1);
}

/** After Help › Check for updates…: say what the check found (at start-up it stays quiet unless an update is ready). */
export async function reportCheck(state: UpdateState, window: BrowserWindow | undefined): Promise<void> {
  const message =
    state.state === 'up-to-date'
      ? state.note
        ? `No update installed: ${state.note}.`
        : `Keel is up to date (${state.latest}).`
      : state.state === 'error'
        ? `The update check failed: ${state.message}`
        : undefined;
  if (!message) return;
  const o: MessageBoxOptions = { type: state.state === 'error' ? 'warning' : 'info', title: 'Updates', message, buttons: ['OK'] };
  await (window ? dialog.showMessageBox(window, o) : dialog.showMessageBox(o));
}
