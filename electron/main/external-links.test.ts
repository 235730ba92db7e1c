import { describe, expect, it } from 'vitest';
import { denyAllPermissions, externalUrlAllowed, type PermissionSession } from './external-links';

describe('links opened in the system browser', () => {
  it('lets https links to the listed hosts out', () => {
    expect(externalUrlAllowed('https://www.tradingview.com/')).toBe(true);
    expect(externalUrlAllowed('https://www.tradingview.com/lightweight-charts/')).toBe(true);
    expect(externalUrlAllowed('https://github.com/tradingview/lightweight-charts/blob/master/LICENSE')).toBe(true);
  });

  it('refuses other schemes, other hosts, look-alikes, ports and credentials', () => {
    for (const url of [
      'http://www.tradingview.com/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'ms-settings:privacy',
      'https://evil.example/',
      'https://www.tradingview.com.evil.example/',
      'https://github.com.evil.example/x',
      'https://evilgithub.com/',
      'https://github.com:8443/x',
      'https://user:pw@github.com/x',
      'not a url',
      '',
    ]) {
      expect(externalUrlAllowed(url), url).toBe(false);
    }
  });
});

describe('browser permissions', () => {
  it('denies every request, check and device, whatever is asked', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, p: string) => boolean) | undefined;
    let device: ((d: unknown) => boolean) | undefined;
    const session: PermissionSession = {
      setPermissionRequestHandler: (h) => void (request = h),
      setPermissionCheckHandler: (h) => void (check = h),
      setDevicePermissionHandler: (h) => void (device = h),
    };
    denyAllPermissions(session);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'midiSysex']) {
      const granted: boolean[] = [];
      request!({}, p, (g) => granted.push(g));
      expect(granted, p).toEqual([false]);
      expect(check!({}, p), p).toBe(false);
    }
    expect(device!({ deviceType: 'usb' })).toBe(false);
  });
});
