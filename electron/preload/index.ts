/**
 * The page's only door to main: named functions on window.keel, nothing generic (no
 * ipcRenderer, no send(channel, ...)). Runs sandboxed, so it is bundled to one CJS file
 * and may use only `electron`'s renderer modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ENGINE_PORT_MESSAGE } from '../../engine/protocol/index';
import { ENGINE_LOST_MESSAGE, type KeelBridge, type MenuCommand } from '../../engine/protocol/bridge';
import { IPC } from '../main/ipc-channels';

// contextBridge cannot carry a MessagePort, so the port goes to the page as a window message.
// '*' as the target origin: this posts to our own window only (the page is app://keel, or the dev server in development).
ipcRenderer.on(IPC.enginePort, (e: IpcRendererEvent) => {
  window.postMessage(ENGINE_PORT_MESSAGE, '*', e.ports);
});
ipcRenderer.on(IPC.engineLost, () => {
  window.postMessage(ENGINE_LOST_MESSAGE, '*');
});

const MENU_COMMANDS: ReadonlySet<string> = new Set<MenuCommand>(['import-data', 'export-data', 'kill-switch', 'show-shortcuts', 'show-about']);

const bridge: KeelBridge = {
  getPlatform: () => process.platform,
  openFileDialog: (opts) => ipcRenderer.invoke(IPC.openFile, opts ?? {}) as Promise<string | undefined>,
  saveFileDialog: (opts) => ipcRenderer.invoke(IPC.saveFile, opts ?? {}) as Promise<string | undefined>,
  layout: {
    load: () => ipcRenderer.invoke(IPC.layoutLoad) as Promise<Record<string, unknown> | undefined>,
    save: (layout) => void ipcRenderer.invoke(IPC.layoutSave, layout),
  },
  onMenuCommand(fn) {
    const listener = (_e: IpcRendererEvent, cmd: unknown): void => {
      if (typeof cmd === 'string' && MENU_COMMANDS.has(cmd)) fn(cmd as MenuCommand);
    };
    ipcRenderer.on(IPC.menu, listener);
    return () => void ipcRenderer.removeListener(IPC.menu, listener);
  },
  requestEnginePort: () => ipcRenderer.send(IPC.requestPort),
};

contextBridge.exposeInMainWorld('keel', bridge);
