import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineApp } from '../../src/app/engine-app';
import type { KeelError } from '../../src/core/errors';

/** The error a call fails with; a call that succeeds fails the test. */
async function failure(call: () => unknown): Promise<KeelError> {
  try {
    await call();
  } catch (e) {
    return e as KeelError;
  }
  throw new Error('expected the call to fail');
}


describe('EngineApp with a piece missing', () => {
  it('answers UNAVAILABLE naming the piece, and reports itself degraded', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-unavail-'));
    const app = new EngineApp({ home, mode: 'headless', openServices: async () => ({}) });
    try {
      await app.start();
      const e = await failure(() => app.handlers['data.datasets']({}));
      expect(e.code).toBe('UNAVAILABLE');
      expect(e.where).toBe('market');
      expect(e.message).toContain('market-data store');
      const r = await failure(() => app.handlers['orders.place']({ symbol: 'X', side: 'buy', type: 'market', size: 1, sizeMode: 'qty' }));
      expect(r.code).toBe('UNAVAILABLE');
      expect((await app.handlers['system.status']({})).state).toBe('degraded');
      expect(app.logs.recent().some((l) => l.level === 'warn' && l.message.startsWith('not available:'))).toBe(true);
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a piece that fails to open leaves the rest working', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keel-unavail-'));
    const app = new EngineApp({
      home,
      mode: 'headless',
      openServices: async () => {
        throw new Error('disk on fire');
      },
    });
    try {
      await app.start();
      expect((await app.handlers['engine.info']({})).mode).toBe('headless');
      expect(app.logs.recent().some((l) => l.message.includes('disk on fire'))).toBe(true);
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
