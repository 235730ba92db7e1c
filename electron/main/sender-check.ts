/**
 * Which frames may call main's IPC handlers: only our own page, loaded from the built
 * renderer directory (file://) or, in development, from the electron-vite dev server.
 * A frame that navigated elsewhere, an iframe from the web, or a file outside the app
 * gets nothing. Pure, so it is tested without Electron.
 */
export interface TrustedOrigins {
  /** Absolute path of the built renderer directory (renderer/out or out/renderer). */
  rendererDir: string;
  /** The dev server URL (ELECTRON_RENDERER_URL) when running `electron-vite dev`. */
  devServerUrl?: string;
}

function toFileUrlPath(dir: string): string {
  // Windows paths become /C:/...; URL pathnames are percent-encoded, so encode the same way.
  const slashed = dir.replace(/\\/g, '/');
  const withRoot = slashed.startsWith('/') ? slashed : `/${slashed}`;
  return new URL(`file://${withRoot}`).pathname.replace(/\/+$/, '') + '/';
}

export function isTrustedSenderUrl(frameUrl: string | undefined, trusted: TrustedOrigins): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    if (url.host !== '') return false;
    const path = url.pathname;
    // URL parsing already collapsed /../, so a prefix check on the normalised path is sound.
    return path.startsWith(toFileUrlPath(trusted.rendererDir));
  }
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
