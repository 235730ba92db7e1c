import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { feedConfigured } from './feed';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function yml(text: string | undefined): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-upd-'));
  dirs.push(d);
  const p = join(d, 'app-update.yml');
  if (text !== undefined) writeFileSync(p, text);
  return p;
}

describe('update feed detection', () => {
  it('checks only a real generic HTTPS feed', () => {
    expect(feedConfigured(yml('provider: generic\nurl: https://updates.example.com/keel\nupdaterCacheDirName: keel-updater\n'))).toBe(true);
    expect(feedConfigured(yml("provider: generic\nurl: 'https://updates.example.com/keel'\n"))).toBe(true);
    expect(feedConfigured(yml('provider: generic\nurl: https://updates.invalid/keel\n'))).toBe(false);
    expect(feedConfigured(yml('provider: generic\nurl: http://updates.example.com/keel\n'))).toBe(false);
    expect(feedConfigured(yml('provider: generic\n'))).toBe(false);
    expect(feedConfigured(yml(undefined))).toBe(false);
  });
});
