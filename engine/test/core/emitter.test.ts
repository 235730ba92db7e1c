import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/core/emitter';

describe('Emitter', () => {
  it('tells listeners in subscription order and stops telling one once disposed', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    const offA = e.on((n) => seen.push(`a${n}`));
    e.on((n) => seen.push(`b${n}`));
    e.emit(1);
    offA();
    offA();
    e.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(e.size).toBe(1);
  });

  it('keeps a delivery stable when a listener unsubscribes another or subscribes a new one', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    let offB: () => void = () => {};
    e.on((n) => {
      seen.push(`a${n}`);
      offB();
      e.on((m) => seen.push(`c${m}`));
    });
    offB = e.on((n) => seen.push(`b${n}`));
    e.emit(1);
    // b was subscribed when the delivery began, so it still hears 1; c only from the next event.
    expect(seen).toEqual(['a1', 'b1']);
    e.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'a2', 'c2']);
  });

  it('tells every listener even when one throws, then rethrows the first error', () => {
    const e = new Emitter<number>();
    const seen: number[] = [];
    e.on(() => {
      throw new Error('first');
    });
    e.on(() => {
      throw new Error('second');
    });
    e.on((n) => seen.push(n));
    expect(() => e.emit(7)).toThrow('first');
    expect(seen).toEqual([7]);
  });
});
