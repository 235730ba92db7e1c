import { dialog, ipcMain, BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC } from './ipc-channels';
import { isTrustedSender, type TrustedOrigins } from './sender-check';
import type { SettingsFile } from './settings';

const DATA_EXTENSIONS = ['csv', 'txt', 'parquet', 'json', 'feather', 'gz'];

function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/**
 * Main's IPC surface. Every handler first checks that the call comes from our own page's
 * top frame (see sender-check.ts) and treats its arguments as untrusted input.
 */
export function registerIpc(p: {
  trusted: TrustedOrigins;
  settings: SettingsFile;
  requestPort(e: IpcMainEvent): void;
  /** Tells the engine the trader chose this path in a save dialog (data.export writes only there, or in <home>/exports). */
  grantExport(path: string): void;
}): void {
  const handle = (channel: string, fn: (e: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void => {
    ipcMain.handle(channel, (e, ...args) => {
      if (!isTrustedSender(e, p.trusted)) throw new Error(`${channel}: refused a call from an untrusted frame`);
      return fn(e, ...args);
    });
  };

  handle(IPC.openFile, async (e, opts) => {
    const o = (opts ?? {}) as { title?: unknown; extensions?: unknown };
    const extensions = Array.isArray(o.extensions) ? o.extensions.filter((x): x is string => typeof x === 'string' && /^[a-z0-9]{1,10}$/i.test(x)) : DATA_EXTENSIONS;
    const win = BrowserWindow.fromWebContents(e.sender);
    const options = {
      title: str(o.title, 200) ?? 'Import market data',
      properties: ['openFile' as const],
      filters: [{ name: 'Market data', extensions }, { name: 'All files', extensions: ['*'] }],
    };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? undefined : r.filePaths[0];
  });

  handle(IPC.saveFile, async (e, opts) => {
    const o = (opts ?? {}) as { title?: unknown; defaultName?: unknown };
    const win = BrowserWindow.fromWebContents(e.sender);
    const options = { title: str(o.title, 200) ?? 'Export', defaultPath: str(o.defaultName, 255)?.replace(/[/\\]/g, '_') };
    const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (r.canceled || !r.filePath) return undefined;
    // Granted before the page hears the path, so the engine has it when the export request comes.
    p.grantExport(r.filePath);
    return r.filePath;
  });

  handle(IPC.layoutLoad, () => p.settings.get().layout);
  handle(IPC.layoutSave, (_e, layout) => {
    if (layout && typeof layout === 'object' && !Array.isArray(layout)) p.settings.update({ layout: layout as Record<string, number> });
  });

  ipcMain.on(IPC.requestPort, (e) => {
    if (isTrustedSender(e, p.trusted)) p.requestPort(e);
  });
}
