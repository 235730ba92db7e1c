import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { isTrustedSender, isTrustedSenderUrl } from './sender-check';

const page = 'app://keel/index.html';

describe('IPC sender check', () => {
  it('trusts our page on app://keel', () => {
    expect(isTrustedSenderUrl(page, {})).toBe(true);
    expect(isTrustedSenderUrl(`${page}#/chart`, {})).toBe(true);
    expect(isTrustedSenderUrl('app://keel/assets/index-abc.js', {})).toBe(true);
  });

  it('refuses every file:// page, even the built renderer itself', () => {
    expect(isTrustedSenderUrl(pathToFileURL('/opt/Keel/resources/app.asar/out/renderer/index.html').href, {})).toBe(false);
    expect(isTrustedSenderUrl('file:///etc/passwd', {})).toBe(false);
  });

  it('refuses look-alikes of our origin', () => {
    expect(isTrustedSenderUrl('app://keel.evil/index.html', {})).toBe(false);
    expect(isTrustedSenderUrl('app://evil/index.html', {})).toBe(false);
    expect(isTrustedSenderUrl('app://keel:8080/index.html', {})).toBe(false);
    expect(isTrustedSenderUrl('app://user:pw@keel/index.html', {})).toBe(false);
    expect(isTrustedSenderUrl('apps://keel/index.html', {})).toBe(false);
    expect(isTrustedSenderUrl('https://keel/index.html', {})).toBe(false);
  });

  it('refuses the web, and the dev server unless we run it', () => {
    expect(isTrustedSenderUrl('https://evil.example/', {})).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/', {})).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/src/x', { devServerUrl: 'http://localhost:5173' })).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', { devServerUrl: 'http://localhost:5173' })).toBe(false);
    expect(isTrustedSenderUrl('not a url', {})).toBe(false);
    expect(isTrustedSenderUrl(undefined, {})).toBe(false);
  });

  it('trusts only the top frame, and not a frame that is gone', () => {
    expect(isTrustedSender({ senderFrame: { url: page, parent: null } }, {})).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: page, parent: {} } }, {})).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, {})).toBe(false);
  });
});
