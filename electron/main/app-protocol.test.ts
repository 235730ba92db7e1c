import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APP_INDEX_URL, contentType, resolveAppUrl } from './app-protocol';

const dir = '/opt/Keel/resources/app.asar/out/renderer';

describe('the app:// protocol that serves the renderer', () => {
  it('maps our URLs to files in the renderer directory, / to index.html', () => {
    expect(resolveAppUrl(APP_INDEX_URL, dir)).toBe(join(dir, 'index.html'));
    expect(resolveAppUrl('app://keel/', dir)).toBe(join(dir, 'index.html'));
    expect(resolveAppUrl('app://keel/assets/index-abc.js?v=1#x', dir)).toBe(join(dir, 'assets', 'index-abc.js'));
    expect(resolveAppUrl('app://keel/assets/My%20Font.woff2', dir)).toBe(join(dir, 'assets', 'My Font.woff2'));
  });

  it('never serves anything outside that directory', () => {
    for (const url of [
      'app://keel/../../etc/passwd',
      'app://keel/%2e%2e/%2e%2e/etc/passwd',
      'app://keel/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://keel/assets/%2e%2e%2f%2e%2e%2fsecret',
      'app://keel/..%5c..%5cwindows%5cwin.ini',
      'app://keel/index.html%00.png',
      'app://keel/%E0%A4%A',
      'app://evil/index.html',
      'app://keel:99/index.html',
      'file:///etc/passwd',
      'https://keel/index.html',
      'not a url',
    ]) {
      // The URL parser folds a leading /../ into the root (app://keel/etc/passwd): still inside, and simply not found.
      const file = resolveAppUrl(url, dir);
      if (file !== undefined) expect(file.startsWith(`${dir}/`), `${url} -> ${file}`).toBe(true);
    }
    expect(resolveAppUrl('app://keel/assets/..%2f..%2f..%2fetc%2fpasswd', dir)).toBeUndefined();
    expect(resolveAppUrl('app://keel/..%5c..%5cwindows%5cwin.ini', dir)).toBeUndefined();
    expect(resolveAppUrl('app://keel/index.html%00.png', dir)).toBeUndefined();
    expect(resolveAppUrl('app://evil/index.html', dir)).toBeUndefined();
  });

  it('labels what it serves (nosniff is on, so the type must be right)', () => {
    expect(contentType('index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('a/INDEX-1.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentType('x.css')).toBe('text/css; charset=utf-8');
    expect(contentType('x.bin')).toBe('application/octet-stream');
  });
});
