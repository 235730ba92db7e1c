import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether the build has a real update feed: electron-builder writes the generic feed
 * (KEEL_UPDATE_URL at packaging time) into resources/app-update.yml. A build without one
 * (the placeholder host), or with a feed that is not HTTPS, does not check at all rather
 * than log a failure every start or fetch installers in the clear.
 */
export function feedConfigured(appUpdateYml: string): boolean {
  if (!existsSync(appUpdateYml)) return false;
  const url = /^url:\s*['"]?([^'"\s]+)/m.exec(readFileSync(appUpdateYml, 'utf8'))?.[1];
  if (url === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && !parsed.hostname.endsWith('.invalid');
}
