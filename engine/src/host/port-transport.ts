import type { ServerMessage } from '../../protocol/index';
import type { Connection } from './server';

/**
 * The structural shape of Electron's MessagePortMain (an EventEmitter, not an
 * EventTarget), so the engine needs no electron import to talk over one.
 */
export interface MainPortLike {
  on(event: 'message', fn: (e: { data: unknown }) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** What the utility process sees as process.parentPort. */
export interface ParentPortLike {
  on(event: 'message', fn: (e: { data: unknown; ports: MainPortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/** A protocol connection over a MessagePortMain: structured clone, no JSON. */
export function portConnection(port: MainPortLike, label: string): Connection {
  let closed = false;
  const closeFns: (() => void)[] = [];
  port.on('close', () => {
    if (closed) return;
    closed = true;
    for (const fn of closeFns) fn();
  });
  return {
    label,
    send: (msg: ServerMessage) => {
      if (!closed) port.postMessage(msg);
    },
    onMessage(fn) {
      port.on('message', (e) => fn(e.data));
      port.start();
    },
    onClose: (fn) => void closeFns.push(fn),
    close: () => port.close(),
  };
}
