import type { MessagePort } from 'node:worker_threads';
import type { MainPortLike } from '../../src/host/port-transport';

/** A Node MessagePort as Electron's MessagePortMain: that one delivers {data}, Node's the value itself. */
export function asMainPort(port: MessagePort): MainPortLike {
  return {
    on(event: 'message' | 'close', fn: (e: { data: unknown }) => void) {
      if (event === 'message') port.on('message', (data) => fn({ data }));
      else port.on('close', () => (fn as () => void)());
      return this;
    },
    postMessage: (m: unknown) => port.postMessage(m),
    start: () => port.start(),
    close: () => port.close(),
  } as MainPortLike;
}
