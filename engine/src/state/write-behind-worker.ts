/**
 * Worker thread entry of WriteBehindStore (write-behind.ts): commits each batch of deferred
 * StateStore writes in one transaction, in the order they came, and counts it in the shared
 * progress array. After a refused batch it commits nothing more, so the file ends at the last
 * whole transaction before the failure.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { KeelError } from '../core/errors';
import { StateStore } from './store';
import { COMMITTED, FAILED, unpackOps, type WriteBehindFailure, type WriteBehindToWorker } from './write-behind-messages';

const port = parentPort;
if (!port) throw new Error('write-behind-worker must run in a worker thread');

let store: StateStore | undefined;
let progress: Int32Array | undefined;
let replies: MessagePort | undefined;
let failed = false;

port.on('message', (msg: WriteBehindToWorker) => {
  if (msg.type === 'open') {
    progress = msg.progress;
    replies = msg.replies;
    try {
      store = StateStore.open(msg.file, msg.account);
    } catch (e) {
      refuse(e);
    }
  } else if (msg.type === 'batch') {
    if (failed || !store) return;
    const s = store as unknown as Record<string, (...a: unknown[]) => unknown>;
    try {
      const ops = unpackOps(msg.packed);
      store.transaction(() => {
        for (const op of ops) s[op.method]!(...op.args);
      });
      Atomics.add(progress!, COMMITTED, 1);
      Atomics.notify(progress!, COMMITTED);
    } catch (e) {
      refuse(e);
    }
  } else {
    store?.close();
    replies?.close();
    // Ends this thread only; every batch before this message is committed.
    process.exit(0);
  }
});

function refuse(e: unknown): void {
  failed = true;
  const f: WriteBehindFailure =
    e instanceof KeelError ? { code: e.code, message: e.where !== undefined && e.message.startsWith(`${e.where}: `) ? e.message.slice(e.where.length + 2) : e.message, where: e.where } : { code: 'INTERNAL', message: `journal write failed: ${e instanceof Error ? e.message : String(e)}`, where: undefined };
  // The reply first, then the flag: a thread woken by the flag finds the reply waiting.
  replies!.postMessage(f);
  Atomics.store(progress!, FAILED, 1);
  Atomics.notify(progress!, COMMITTED);
}
