import { describe, expect, it } from 'vitest';
import { LogRing, scrub } from '../../src/app/logs';

describe('log ring', () => {
  it('keeps the newest entries in order and masks secret-looking values', () => {
    let t = 0;
    const ring = new LogRing(3, () => ++t);
    const seen: string[] = [];
    ring.onEntry((e) => seen.push(e.message));
    for (const m of ['a', 'b', 'c', 'd', 'apiKey=AKIA123 secret: "s3"']) ring.add('info', 'x', m);
    expect(ring.recent().map((e) => e.message)).toEqual(['c', 'd', 'apiKey=*** secret: "***"']);
    expect(ring.recent(1).map((e) => e.ts)).toEqual([5]);
    expect(seen).toHaveLength(5);
    expect(scrub('open http://127.0.0.1:1/#token=abcdef and password=hunter2')).toBe('open http://127.0.0.1:1/#token=*** and password=***');
  });
});
