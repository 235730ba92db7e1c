import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { isTrustedSender, isTrustedSenderUrl } from './sender-check';

const rendererDir = '/opt/Keel/resources/app.asar/out/renderer';
const page = pathToFileURL(`${rendererDir}/index.html`).href;

describe('IPC sender check', () => {
  it('trusts our page and files under the renderer directory', () => {
    expect(isTrustedSenderUrl(page, { rendererDir })).toBe(true);
    expect(isTrustedSenderUrl(`${page}#/chart`, { rendererDir })).toBe(true);
  });

  it('refuses other files, climbing out, and look-alike prefixes', () => {
    expect(isTrustedSenderUrl('file:///etc/passwd', { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl(`file://${rendererDir}/../../evil.html`, { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl(`file://${rendererDir}-evil/index.html`, { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl(`file://remotehost${rendererDir}/index.html`, { rendererDir })).toBe(false);
  });

  it('refuses the web, and the dev server unless we run it', () => {
    expect(isTrustedSenderUrl('https://evil.example/', { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/', { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173/src/x', { rendererDir, devServerUrl: 'http://localhost:5173' })).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', { rendererDir, devServerUrl: 'http://localhost:5173' })).toBe(false);
    expect(isTrustedSenderUrl('not a url', { rendererDir })).toBe(false);
    expect(isTrustedSenderUrl(undefined, { rendererDir })).toBe(false);
  });

  it('trusts only the top frame, and not a frame that is gone', () => {
    expect(isTrustedSender({ senderFrame: { url: page, parent: null } }, { rendererDir })).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: page, parent: {} } }, { rendererDir })).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, { rendererDir })).toBe(false);
  });

  it('handles directories with spaces (percent-encoded in URLs)', () => {
    const dir = '/Users/ann/My Apps/Keel/out/renderer';
    expect(isTrustedSenderUrl(pathToFileURL(`${dir}/index.html`).href, { rendererDir: dir })).toBe(true);
  });
});
