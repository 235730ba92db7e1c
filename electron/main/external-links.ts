/**
 * Which links Keel hands to the system browser (shell.openExternal). A page that could
 * open any URL could launch any registered protocol handler on the machine (file:,
 * smb:, custom app schemes), so only https links to a short list of hosts go out: the
 * chart library's attribution (TradingView) and the source of the licences and docs the
 * About dialog links to. Everything else is refused and logged.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['www.tradingview.com', 'tradingview.com', 'github.com', 'www.electronjs.org', 'docs.ccxt.com'];

export function externalUrlAllowed(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && !url.username && !url.password && url.port === '' && EXTERNAL_HOSTS.includes(url.hostname);
}

/** The part of Electron's Session that decides permissions, as deny-all handlers set it. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/**
 * Keel's pages need no browser permission (camera, microphone, geolocation, notifications,
 * clipboard reads, MIDI, HID, serial, USB, fullscreen by the page, opening external
 * protocols): every request and check is refused, whatever it asks for.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
