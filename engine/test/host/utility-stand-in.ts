/**
 * Electron's utility process stood in for by a plain Node child (spawned with an IPC channel
 * and advanced serialization, as tests that play main start it): process.parentPort is made
 * from the IPC channel, and each window's MessagePort is a Node MessageChannel whose far end
 * is relayed over the same channel. Then the real engine entry (host/utility-main.ts) runs,
 * exactly as it does under Electron.
 *
 * Messages from the test (main): `{ control: MainToEngine }` or `{ window: id, data }` for a
 * window's port. To the test: `{ control: EngineToMain }` or `{ window: id, data }`.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { MainPortLike, ParentPortLike } from '../../src/host/port-transport';
import { asMainPort } from './main-port';

export type StandInMessage = { control: unknown } | { window: number; data: unknown };

type Listener = (e: { data: unknown; ports: MainPortLike[] }) => void;
const listeners: Listener[] = [];
const windows = new Map<number, MessagePort>();
const send = (m: StandInMessage): void => void process.send!(m);

process.on('message', (m: StandInMessage) => {
  if ('window' in m) {
    windows.get(m.window)?.postMessage(m.data);
    return;
  }
  const data = m.control as { type?: string; windowId?: number } | undefined;
  const ports: MainPortLike[] = [];
  if (data?.type === 'connect' && typeof data.windowId === 'number') {
    const id = data.windowId;
    const { port1, port2 } = new MessageChannel();
    port2.on('message', (d: unknown) => send({ window: id, data: d }));
    windows.set(id, port2);
    ports.push(asMainPort(port1));
  }
  for (const fn of listeners) fn({ data, ports });
});

const parentPort: ParentPortLike = {
  on(_event: 'message', fn: Listener) {
    listeners.push(fn);
    return parentPort;
  },
  postMessage: (m: unknown) => send({ control: m }),
};
(process as unknown as { parentPort: ParentPortLike }).parentPort = parentPort;
await import('../../src/host/utility-main');
