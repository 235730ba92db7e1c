import type { AppUpdater, ProgressInfo } from 'electron-updater';
import type { UpdateChannel, UpdaterBackend } from './controller';

/** The channel a setting names, as electron-builder publishes it: latest.yml or beta.yml (…-mac.yml, …-linux.yml). */
export function channelFile(channel: UpdateChannel): string {
  return channel === 'beta' ? 'beta' : 'latest';
}

/**
 * electron-updater set up the one safe way for Keel: nothing happens behind the
 * controller's back (no automatic download, and above all no install on quit: that would
 * restart in the middle of a trade), no downgrade ever, no web installer; signature and
 * checksum verification are the library's defaults and stay on (nothing here replaces
 * `verifyUpdateCodeSignature`).
 */
export function configureUpdater(u: AppUpdater): void {
  u.autoDownload = false;
  u.autoInstallOnAppQuit = false;
  u.allowDowngrade = false;
  u.disableWebInstaller = true;
  u.forceDevUpdateConfig = false;
}

/** The controller's seam over a real electron-updater instance (NsisUpdater, MacUpdater, AppImageUpdater, DebUpdater). */
export function electronUpdaterBackend(u: AppUpdater): UpdaterBackend {
  configureUpdater(u);
  return {
    currentVersion: u.currentVersion.version,
    setChannel(channel) {
      u.channel = channelFile(channel);
      // Setting a channel turns allowDowngrade on in electron-updater: turn it off again.
      u.allowDowngrade = false;
    },
    async check() {
      const r = await u.checkForUpdates();
      if (!r) throw new Error('the updater is not active in this build (not packaged, or no app-update.yml)');
      const version = r.updateInfo.version;
      return { version, newer: r.isUpdateAvailable && u.currentVersion.compare(version) < 0, ...(r.updateInfo.releaseDate ? { releaseDate: r.updateInfo.releaseDate } : {}) };
    },
    async download(onProgress) {
      const listener = (p: ProgressInfo): void => onProgress({ percent: p.percent, transferred: p.transferred, total: p.total, bytesPerSecond: p.bytesPerSecond });
      u.on('download-progress', listener);
      try {
        await u.downloadUpdate();
      } finally {
        u.off('download-progress', listener);
      }
    },
    install() {
      // Not silent: the installer shows itself; Keel starts again when it is done.
      u.quitAndInstall(false, true);
    },
  };
}
