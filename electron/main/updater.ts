import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import updater from 'electron-updater';

/**
 * Checks the generic update feed the build was configured with (KEEL_UPDATE_URL at
 * packaging time, written by electron-builder into app-update.yml). A build without a real
 * feed (the placeholder host) does not check at all rather than log a failure every start.
 */
export function feedConfigured(appUpdateYml: string): boolean {
  if (!existsSync(appUpdateYml)) return false;
  const url = /^url:\s*(\S+)/m.exec(readFileSync(appUpdateYml, 'utf8'))?.[1];
  return url !== undefined && !url.includes('updates.invalid');
}

export function checkForUpdates(resourcesPath: string, log: (level: 'info' | 'warn', m: string) => void): void {
  if (!feedConfigured(join(resourcesPath, 'app-update.yml'))) return;
  const { autoUpdater } = updater;
  autoUpdater.autoDownload = true;
  autoUpdater.on('error', (e: Error) => log('warn', `update check failed: ${e.message}`));
  autoUpdater.on('update-downloaded', (info: { version: string }) => log('info', `update ${info.version} downloaded; it installs when Keel quits`));
  void autoUpdater.checkForUpdatesAndNotify();
}
