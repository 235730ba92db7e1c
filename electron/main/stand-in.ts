import type { ServerMessage, Topics } from '../../engine/protocol/index';

/**
 * While the engine is down, main answers on a port of its own so the page is never left
 * waiting: every request fails fast with UNAVAILABLE and the 'engine' topic says why
 * (that is the banner). The real engine's port replaces this one when it is back.
 */
export function standInReply(raw: unknown, state: Topics['engine']): ServerMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const msg = raw as { t?: unknown; id?: unknown };
  if (msg.t === 'sub') return { t: 'push', topic: 'engine', items: [state] };
  if (msg.t === 'req' && typeof msg.id === 'number') {
    const message = state.state === 'stopped' ? `the engine has stopped: ${state.message ?? 'see the log'}` : 'the engine is restarting; try again in a moment';
    return { t: 'res', id: msg.id, ok: false, error: { code: 'UNAVAILABLE', message } };
  }
  return undefined;
}
