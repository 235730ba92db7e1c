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

  it('runs tasks due at the same time in the order given, even when armed at different moments', async () => {
    // The paper venue's ordered channel: a submit due at T, then a cancel computed a little
    // later and also due at T. One setTimeout each would arm the cancel with the shorter delay
    // and run it first (seen under load: the kill switch's cancel overtook its order's submit).
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const s = new TimerScheduler(clock);
    const ran: string[] = [];
    const due = clock.now() + 60;
    s.at(due, () => ran.push('submit'));
    offset += 20; // the clock moved on before the cancel was scheduled for the same instant
    s.at(due, () => ran.push('cancel'));
    s.at(due - 30, () => ran.push('earlier'));
    await new Promise((r) => setTimeout(r, 150));
    expect(ran).toEqual(['earlier', 'submit', 'cancel']);
  });

  it('a task that throws does not strand the tasks behind it', async () => {
    const clock = { now: () => Date.now() };
    const s = new TimerScheduler(clock);
    const ran: string[] = [];
    const due = clock.now() + 5;
    const onError = (e: unknown) => ran.push(`uncaught ${(e as Error).message}`);
    process.once('uncaughtException', onError);
    s.at(due, () => {
      throw new Error('boom');
    });
    s.at(due, () => ran.push('after'));
    await new Promise((r) => setTimeout(r, 60));
    process.off('uncaughtException', onError);
    expect(ran).toContain('after');
  });
});
