import { APP_HOST, APP_SCHEME } from './app-protocol';

/**
 * Which frames may call main's IPC handlers and where our windows may navigate: only our
 * own page, served from app://keel (app-protocol.ts) or, in development, from the
 * electron-vite dev server. A frame that navigated elsewhere, an iframe from the web, or
 * any file:// page gets nothing. Pure, so it is tested without Electron.
 */
export interface TrustedOrigins {
  /** The dev server URL (ELECTRON_RENDERER_URL) when running `electron-vite dev`. */
  devServerUrl?: string;
}

export function isTrustedSenderUrl(frameUrl: string | undefined, trusted: TrustedOrigins): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  // Node's URL gives a non-special scheme the origin "null": compare scheme and host instead.
  if (url.protocol === `${APP_SCHEME}:` && url.host.toLowerCase() === APP_HOST && !url.port && !url.username && !url.password) return true;
  if (trusted.devServerUrl) {
    let dev: URL;
    try {
      dev = new URL(trusted.devServerUrl);
    } catch {
      return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === dev.origin;
  }
  return false;
}

/** The structural bit of an IpcMainInvokeEvent we look at (senderFrame can be null once the frame is gone). */
export interface SenderEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

/** A handler's event is trusted when it comes from our page's top frame. */
export function isTrustedSender(event: SenderEventLike, trusted: TrustedOrigins): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isTrustedSenderUrl(frame.url, trusted);
}
