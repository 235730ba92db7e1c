import { describe, expect, it } from 'vitest';
import { standInReply } from './stand-in';

describe('stand-in engine while the real one restarts', () => {
  it('fails every request fast with UNAVAILABLE', () => {
    const r = standInReply({ t: 'req', id: 4, method: 'data.bars', params: {} }, { state: 'restarting' });
    expect(r).toEqual({ t: 'res', id: 4, ok: false, error: { code: 'UNAVAILABLE', message: 'the engine is restarting; try again in a moment' } });
  });

  it('answers a subscription with the engine state (the banner)', () => {
    expect(standInReply({ t: 'sub', topics: ['engine'] }, { state: 'stopped', message: 'gave up' })).toEqual({
      t: 'push',
      topic: 'engine',
      items: [{ state: 'stopped', message: 'gave up' }],
    });
    const stopped = standInReply({ t: 'req', id: 1, method: 'engine.info', params: {} }, { state: 'stopped', message: 'gave up' });
    expect(stopped).toMatchObject({ ok: false, error: { message: 'the engine has stopped: gave up' } });
  });

  it('ignores junk', () => {
    expect(standInReply('x', { state: 'restarting' })).toBeUndefined();
    expect(standInReply({ t: 'req', id: 'a' }, { state: 'restarting' })).toBeUndefined();
  });
});
