import { describe, expect, it } from 'vitest';
import { PushBatcher } from '../../src/host/push-batcher';

describe('push batcher latency', () => {
  it('flushes a live bar within a frame, and brings the rest of its batch along; other topics wait the full interval', async () => {
    const out: [string, number][] = [];
    const t0 = Date.now();
    const b = new PushBatcher((t) => out.push([t, Date.now() - t0]), 200);
    b.add('log', { ts: 1, level: 'info', source: 's', message: 'a' });
    await new Promise((r) => setTimeout(r, 60));
    expect(out).toEqual([]);
    b.add('bar', { symbol: 'X', timeframe: '1m', ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1, closed: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(out.map(([t]) => t).sort()).toEqual(['bar', 'log']);
    // Well before the 200 ms interval: the bar's interval (PUSH_INTERVAL_BY_TOPIC) after it was added at ~60 ms.
    expect(Math.max(...out.map(([, ms]) => ms))).toBeLessThan(150);
    b.close();
  });
});
