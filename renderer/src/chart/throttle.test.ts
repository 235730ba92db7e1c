import { afterEach, describe, expect, it, vi } from 'vitest';
import { trailingThrottle } from './throttle';

describe('trailing throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once, folds a burst into one trailing call, and never drops the last', () => {
    vi.useFakeTimers();
    let calls = 0;
    const t = trailingThrottle(() => calls++, 100, () => Date.now());
    t.call();
    expect(calls).toBe(1);
    for (let i = 0; i < 50; i++) t.call(); // a burst of live bars within one interval
    expect(calls).toBe(1);
    vi.advanceTimersByTime(99);
    expect(calls).toBe(1);
    vi.advanceTimersByTime(1);
    expect(calls).toBe(2); // the burst's latest state, shown once
    vi.advanceTimersByTime(500);
    expect(calls).toBe(2); // nothing pending, nothing run
    t.call();
    expect(calls).toBe(3); // quiet for longer than the interval: at once again
  });

  it('cancel drops the pending call', () => {
    vi.useFakeTimers();
    let calls = 0;
    const t = trailingThrottle(() => calls++, 100, () => Date.now());
    t.call();
    t.call();
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(calls).toBe(1);
  });
});
