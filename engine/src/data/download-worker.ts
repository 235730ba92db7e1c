/**
 * Worker thread entry of the download threads (download-threads.ts): holds its own
 * ExchangeClient made from the download client's spec, with the markets loaded, and fetches
 * the pages it is sent with the same page logic as the engine's thread (fetchBarsPage). Each
 * page goes back with its columns transferred; each retry is told as it happens.
 */
import { parentPort } from 'node:worker_threads';
import { ExchangeClient } from '../exchange/client';
import { toWire } from './bar-csv-messages';
import { fetchBarsPage, pageBuffers } from './download-page';
import type { FromDownloadWorker, ToDownloadWorker } from './download-threads';

const port = parentPort;
if (!port) throw new Error('download-worker must run in a worker thread');

const send = (m: FromDownloadWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
let client: Promise<ExchangeClient> | undefined;

port.on('message', (m: ToDownloadWorker) => {
  if (m.type === 'init') {
    client = ExchangeClient.create(m.spec).then(async (c) => {
      await c.markets(undefined, m.retry);
      return c;
    });
    client.then(
      () => send({ type: 'ready' }),
      (e) => send({ type: 'unavailable', error: toWire(e) }),
    );
    return;
  }
  void page(m);
});

async function page(m: Extract<ToDownloadWorker, { type: 'page' }>): Promise<void> {
  try {
    if (!client) throw new Error('download-worker: a page came before init');
    const fetched = await fetchBarsPage(await client, m.job, { retry: m.retry, onRetry: () => send({ type: 'retry', id: m.id }) });
    send({ type: 'page', id: m.id, page: fetched }, pageBuffers(fetched));
  } catch (e) {
    send({ type: 'failed', id: m.id, error: toWire(e) });
  }
}
