import type { KeelBridge } from '../../../engine/protocol/bridge';
import { EngineConnection, acceptEnginePorts, keepWebSocket } from './connection';

declare global {
  interface Window {
    keel?: KeelBridge;
  }
}

// Wire constants from engine/protocol (index.ts, bridge.ts). Repeated here because the
// renderer takes only types from the engine tree; connection.test.ts checks they agree.
export const WIRE = {
  wsPath: '/ws',
  wsSubprotocol: 'keel.v1',
  wsTokenPrefix: 'keel-token.',
  enginePortMessage: 'keel:engine-port',
  engineLostMessage: 'keel:engine-lost',
} as const;

/** Reads `#token=...&debug=1` style parameters the headless server puts in the URL hash. */
export function hashParams(hash: string): URLSearchParams {
  return new URLSearchParams(hash.replace(/^#/, ''));
}

/** The headless engine's socket for the page it served: same host, the protocol path. */
export function websocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${WIRE.wsPath}`;
}

/** The token rides in a subprotocol, not the URL, so it never lands in a log. */
export function websocketProtocols(hash: string): string[] {
  const token = hashParams(hash).get('token') ?? '';
  return [WIRE.wsSubprotocol, `${WIRE.wsTokenPrefix}${token}`];
}

/**
 * Picks the transport for where the page runs: the preload's MessagePort inside Electron
 * (window.keel exists), the headless engine's WebSocket in a browser.
 */
export function connect(): EngineConnection {
  const conn = new EngineConnection();
  if (window.keel) {
    acceptEnginePorts(conn, window, { port: WIRE.enginePortMessage, lost: WIRE.engineLostMessage });
    window.keel.requestEnginePort();
    return conn;
  }
  keepWebSocket(conn, () => new WebSocket(websocketUrl(location), websocketProtocols(location.hash)));
  return conn;
}
