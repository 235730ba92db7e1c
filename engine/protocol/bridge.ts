/**
 * What the Electron preload exposes to the page as `window.keel` (contextBridge). Only
 * OS work lives here; everything about trading goes to the engine over the protocol,
 * exchange keys included (`accounts.add`): the page has no keychain door of its own.
 * In a browser (headless mode) `window.keel` is absent: feature-detect it.
 *
 * The engine's MessagePort is NOT part of this object (contextBridge cannot carry ports):
 * the preload posts it to the page with window.postMessage(ENGINE_PORT_MESSAGE, '*', [port])
 * and posts ENGINE_LOST_MESSAGE when the engine process dies (a new port follows once it
 * is back). The page is loaded from file://, so listen for both on `window`.
 */
export interface KeelBridge {
  /** 'darwin' | 'win32' | 'linux' ... as Node reports it. */
  getPlatform(): string;
  /** Native open dialog for a data file; the chosen path, or undefined when cancelled. */
  openFileDialog(opts?: { title?: string; extensions?: string[] }): Promise<string | undefined>;
  /** Native save dialog; the chosen path, or undefined. */
  saveFileDialog(opts?: { title?: string; defaultName?: string }): Promise<string | undefined>;
  /** Panel layout persisted by main next to the window bounds (numbers by key). */
  layout: {
    load(): Promise<Record<string, unknown> | undefined>;
    save(layout: Record<string, unknown>): void;
  };
  /** Menu commands. Returns an unsubscribe. */
  onMenuCommand(fn: (command: MenuCommand) => void): () => void;
  /** Asks main for a fresh engine port (after a page reload); it arrives as ENGINE_PORT_MESSAGE. */
  requestEnginePort(): void;
}

export type MenuCommand = 'import-data' | 'export-data' | 'kill-switch' | 'show-shortcuts' | 'show-about';

/** window.postMessage data: the engine died; requests fail until the next ENGINE_PORT_MESSAGE. */
export const ENGINE_LOST_MESSAGE = 'keel:engine-lost';
