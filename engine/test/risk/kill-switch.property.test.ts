import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { RiskEngine } from '../../src/risk/engine';
import { KillSwitch } from '../../src/risk/kill-switch';
import { RiskLatch } from '../../src/risk/latch';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDir } from '../state/helpers';
import { LOOSE, TestView } from './helpers';

type Op = 'engage' | 'reset' | 'restart' | 'outsideEngage' | 'outsideReset' | 'poll' | 'check';

/**
 * The kill switch holds across restarts and outside changes: after any sequence of engages,
 * resets, restarts and `keel kill` from another process, the engine blocks orders exactly
 * when the latch it last read says so, the database always holds the latest latch, and
 * every engage the engine learns of sweeps working orders once.
 */
describe('property: the kill switch latch', () => {
  it('holds across restarts and outside changes', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Op>('engage', 'reset', 'restart', 'outsideEngage', 'outsideReset', 'poll', 'check', 'check'), { minLength: 1, maxLength: 25 }), (ops) => {
        const home = tempDir();
        const file = join(home, 'state.sqlite');
        const clock = new SimulatedClock(Date.UTC(2026, 10, 22, 12));
        const view = new TestView();
        view.setPrice('BTC/USDT', 50_000);
        let cancels = 0;
        const control = { cancelAll: () => (cancels++, 0), flatten: () => {} };
        const start = () => {
          const store = StateStore.open(file);
          const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock, limits: LOOSE });
          risk.killSwitch.attach(control);
          risk.onEquity(view.account.equity(), clock.now());
          return { store, risk };
        };
        const other = StateStore.open(file);
        const outside = new KillSwitch(new RiskLatch(new SqliteRiskPersistence(other)), clock, () => {});
        let engine = start();
        // the model
        let db = false;
        let seen = false;
        let expectedCancels = 0;
        const sync = () => {
          if (!seen && db) expectedCancels++;
          seen = db;
        };
        try {
          for (const op of ops) {
            clock.set(clock.now() + 1_000);
            view.setPrice('BTC/USDT', 50_000);
            switch (op) {
              case 'engage':
                sync();
                engine.risk.killSwitch.engage({ reason: 'property', actor: 'test' });
                expectedCancels++;
                db = seen = true;
                break;
              case 'reset':
                sync();
                engine.risk.killSwitch.reset('test');
                db = seen = false;
                break;
              case 'restart':
                engine.store.close();
                engine = start();
                if (db) expectedCancels++;
                seen = db;
                break;
              case 'outsideEngage':
                outside.engage({ reason: 'cli', actor: 'cli' });
                db = true;
                break;
              case 'outsideReset':
                outside.reset('cli');
                db = false;
                break;
              case 'poll':
                engine.risk.refreshLatch();
                sync();
                break;
              case 'check': {
                const v = engine.risk.check({ symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.001 }, view);
                expect(v.ok ? 'ok' : v.check, ops.join(',')).toBe(seen ? 'kill_switch' : 'ok');
                break;
              }
            }
            expect(other.riskState().killEngaged, ops.join(',')).toBe(db);
            expect(cancels, ops.join(',')).toBe(expectedCancels);
          }
        } finally {
          engine.store.close();
          other.close();
        }
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});
