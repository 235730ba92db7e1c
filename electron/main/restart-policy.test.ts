import { describe, expect, it } from 'vitest';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy';

const opts: RestartPolicyOptions = { baseMs: 500, capMs: 8_000, stableMs: 60_000, maxCrashes: 5, windowMs: 300_000 };

describe('engine restart policy', () => {
  it('backs off exponentially up to the cap', () => {
    const p = new RestartPolicy({ ...opts, maxCrashes: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const d = p.onCrash(i * 1000, 1000);
      if (d.action !== 'restart') throw new Error('gave up too early');
      delays.push(d.delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('starts again from the base delay after the engine ran stably', () => {
    const p = new RestartPolicy(opts);
    p.onCrash(0, 100);
    p.onCrash(1000, 100);
    expect(p.onCrash(2000, 100)).toMatchObject({ action: 'restart', delayMs: 2000, attempt: 3 });
    expect(p.onCrash(200_000, 60_000)).toMatchObject({ action: 'restart', delayMs: 500, attempt: 1 });
  });

  it('gives up after maxCrashes inside the window', () => {
    const p = new RestartPolicy(opts);
    for (let i = 0; i < 4; i++) expect(p.onCrash(i * 10_000, 5_000).action).toBe('restart');
    expect(p.onCrash(40_000, 5_000)).toEqual({ action: 'give-up', crashes: 5, windowMs: 300_000 });
  });

  it('forgets crashes that left the window', () => {
    const p = new RestartPolicy(opts);
    for (let i = 0; i < 4; i++) p.onCrash(i * 1000, 100);
    // The first four are more than 5 minutes old now: this is crash 1 of a new window.
    expect(p.onCrash(400_000, 100).action).toBe('restart');
  });

  it('reset() (a manual restart) clears a give-up', () => {
    const p = new RestartPolicy(opts);
    for (let i = 0; i < 5; i++) p.onCrash(i, 1);
    p.reset();
    expect(p.onCrash(10, 1)).toMatchObject({ action: 'restart', delayMs: 500 });
  });
});
