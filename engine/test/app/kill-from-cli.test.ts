import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineApp } from '../../src/app/engine-app';

const root = join(import.meta.dirname, '..', '..', '..');
let home: string;
let app: EngineApp;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keel-kill-'));
  app = new EngineApp({ home, mode: 'headless' });
  await app.start();
});

afterAll(async () => {
  await app.close();
  rmSync(home, { recursive: true, force: true });
});

describe('`keel kill` from another process', () => {
  it('stops a running engine: within a second its next order is denied by the kill switch', async () => {
    const ticket = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, size: 0.01, sizeMode: 'qty' as const };
    expect((await app.handlers['orders.place'](ticket)).ok).toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'keel.js'), 'kill', '--reason', 'from the cli'], {
      cwd: root,
      env: { ...process.env, KEEL_HOME: home },
    });
    expect(stdout).toMatch(/engaged/i);
    const t0 = Date.now();
    let denied: unknown;
    // A different size each time, or the duplicate-order check would answer first.
    for (let i = 1; Date.now() - t0 < 1_000; i++) {
      const r = await app.handlers['orders.place']({ ...ticket, size: 0.01 + i * 0.001 });
      if (!r.ok) {
        denied = r;
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(denied).toMatchObject({ ok: false, check: 'kill_switch' });
    const state = await app.handlers['risk.state']({});
    expect(state).toMatchObject({ tradingState: 'HALTED', killSwitch: { engaged: true, reason: 'from the cli' } });
  }, 30_000);
});
