import { describe, expect, it } from 'vitest';
import { LiveTail } from './liveTail';

describe('live tail', () => {
  it('takes the forming bar over from the history once, then keeps every later bar', () => {
    const t = new LiveTail();
    t.reset(600);
    expect(t.start).toBeUndefined();
    expect(t.route(300)).toEqual({ kind: 'stale' }); // older than the history's last bar
    expect(t.route(600)).toEqual({ kind: 'tail', takeLast: true });
    expect(t.start).toBe(600);
    expect(t.route(600)).toEqual({ kind: 'tail', takeLast: false }); // already the tail's
    expect(t.route(900)).toEqual({ kind: 'tail', takeLast: false });
    expect(t.route(300)).toEqual({ kind: 'stale' });
  });

  it('starts the tail after the history when the first live bar is a new one', () => {
    const t = new LiveTail();
    t.reset(600);
    expect(t.route(900)).toEqual({ kind: 'tail', takeLast: false });
    expect(t.route(600)).toEqual({ kind: 'stale' }); // the history's bar stays the history's
  });

  it('on an empty history everything is tail, and a reload empties the tail', () => {
    const t = new LiveTail();
    t.reset(undefined);
    expect(t.route(5)).toEqual({ kind: 'tail', takeLast: false });
    t.reset(10);
    expect(t.start).toBeUndefined();
    expect(t.route(10)).toEqual({ kind: 'tail', takeLast: true });
  });
});
