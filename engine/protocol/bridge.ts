/**
 * What the Electron preload exposes to the page as `window.keel` (contextBridge). Only
 * OS work lives here; everything about trading goes to the engine over the protocol.
 * In a browser (headless mode) `window.keel` is absent: feature-detect it.
 */
export interface KeelBridge {
  /** 'darwin' | 'win32' | 'linux' ... as Node reports it. */
  getPlatform(): string;
  /** Native open dialog for a data file; resolves to the chosen path or null when cancelled. */
  openFileDialog(opts?: { title?: string; extensions?: string[] }): Promise<string | null>;
  /** Native save dialog; resolves to the chosen path or null. */
  saveFileDialog(opts?: { title?: string; defaultName?: string }): Promise<string | null>;
  /** Persisted UI layout (panel sizes, open tabs): any JSON-safe value the renderer chooses. */
  loadLayout(): Promise<unknown>;
  saveLayout(layout: unknown): Promise<void>;
  /** Menu commands ('import-data', 'export-data', 'kill-switch', 'show-shortcuts', ...). Returns an unsubscribe. */
  onMenuCommand(fn: (command: MenuCommand) => void): () => void;
  /** Exchange API keys in the OS keychain (main process only ever holds them). */
  keychain: {
    available(): Promise<{ ok: boolean; reason?: string }>;
    setApiKey(exchange: string, key: { apiKey: string; secret: string }): Promise<void>;
    hasApiKey(exchange: string): Promise<boolean>;
    deleteApiKey(exchange: string): Promise<boolean>;
  };
  /** Asks main for a fresh engine port (e.g. after a reload); the port arrives as ENGINE_PORT_MESSAGE. */
  requestEnginePort(): void;
}

export type MenuCommand = 'import-data' | 'export-data' | 'kill-switch' | 'show-shortcuts' | 'toggle-theme';
