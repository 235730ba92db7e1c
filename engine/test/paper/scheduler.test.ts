import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { SimulatedScheduler } from '../../src/core/scheduler';
import { TimerScheduler } from '../../src/execution/paper/timer-scheduler';

describe('SimulatedScheduler', () => {
  it('runs due tasks in time order (ties in the order given) with the clock at each task time, then rests at the target', () => {
    const clock = new SimulatedClock(1000);
    const s = new SimulatedScheduler(clock);
    const log: string[] = [];
    s.at(1300, () => log.push(`c@${clock.now()}`));
    s.at(1100, () => log.push(`a@${clock.now()}`));
    s.at(1100, () => {
      log.push(`b@${clock.now()}`);
      s.at(1200, () => log.push(`nested@${clock.now()}`)); // scheduled by a task, still due before 1250
    });
    s.at(900, () => log.push(`late@${clock.now()}`)); // already past: runs at once on the next advance
    s.advanceTo(1250);
    expect(log).toEqual(['late@1000', 'a@1100', 'b@1100', 'nested@1200']);
    expect(clock.now()).toBe(1250);
    s.drain();
    expect(log.at(-1)).toBe('c@1300');
    expect(() => s.at(Number.NaN, () => {})).toThrow(/finite/);
  });
});

describe('TimerScheduler', () => {
  it('fires on real timers after ts - now, and dispose() drops what is pending', async () => {
    const clock = { now: () => Date.now() };
    const s = new TimerScheduler(clock);
    const fired: string[] = [];
    s.at(clock.now() + 10, () => fired.push('soon'));
    s.at(clock.now() + 10_000, () => fired.push('never'));
    await new Promise((r) => setTimeout(r, 50));
    s.dispose();
    expect(fired).toEqual(['soon']);
  });
});
